import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

export type ConnectionStatusValue = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'ended' | 'stopped';

/** The connection state, visible and announced (role=status is polite). */
export function ConnectionStatus({ state, compact }: { state: ConnectionStatusValue; compact?: boolean }) {
  const { t } = useTranslation();
  const shown = state === 'stopped' ? 'connecting' : state;
  return (
    <p className={`conn conn--${shown}${compact ? ' conn--compact' : ''}`} role="status" data-state={shown}>
      <span className="conn__dot" aria-hidden="true" />
      <span className="conn__text">{t(`connection.${shown}`)}</span>
    </p>
  );
}

/** How long a connection may keep failing before it is said in words, not only by the status. */
export const TROUBLE_AFTER_MS = 20_000;

/**
 * A note once the connection has been connecting or reconnecting for TROUBLE_AFTER_MS (with the
 * network there: offline has its own words). A browser is not told why a connection is refused, so
 * the note says what can be done. `audience` picks the words: staff can ask IT.
 */
export function ConnectionTrouble({ state, audience }: { state: ConnectionStatusValue; audience: 'staff' | 'guest' }) {
  const { t } = useTranslation();
  const trying = state === 'connecting' || state === 'reconnecting' || state === 'stopped';
  const [stuck, setStuck] = useState(false);
  useEffect(() => {
    setStuck(false);
    if (!trying) return;
    const timer = setTimeout(() => setStuck(true), TROUBLE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [trying]);
  return (
    <p className={stuck ? 'note note--info conn-trouble' : 'sr-only'} role="status">
      {stuck ? t(`connection.trouble.${audience}`) : ''}
    </p>
  );
}

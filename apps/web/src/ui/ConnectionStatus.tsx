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

/**
 * Whether reception is online, for the guest. Shown only while connected (offline, the last count
 * may no longer hold), but announced only when it changes: a reconnect that finds reception still
 * online is said by the connection status, not by "Reception is online" once more.
 */
export function GuestPresence({ staffOnline, state }: { staffOnline: number | null; state: ConnectionStatusValue }) {
  const { t } = useTranslation();
  const presence = staffOnline === null || state !== 'connected' ? null : staffOnline > 0 ? 'online' : 'away';
  const [announced, setAnnounced] = useState<'online' | 'away' | null>(null);
  useEffect(() => {
    if (presence !== null) setAnnounced(presence);
  }, [presence]);
  return (
    <>
      <p className={`presence${presence === 'online' ? ' presence--on' : ''}`} aria-hidden="true">
        {presence && (
          <>
            <span className="presence__dot" />
            {presence === 'online' ? t('guest.chat.online') : t('guest.chat.away')}
          </>
        )}
      </p>
      <p className="sr-only" role="status">
        {announced === null ? '' : announced === 'online' ? t('guest.chat.online') : t('guest.chat.away')}
      </p>
    </>
  );
}

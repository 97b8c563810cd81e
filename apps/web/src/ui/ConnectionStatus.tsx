import { useEffect, useRef, useState } from 'react';
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

/** How long an announcement of reception's presence stays in its live region. */
export const PRESENCE_SAID_MS = 5_000;

/**
 * Whether reception is online, for the guest. Shown only while connected (offline, the last count
 * may no longer hold). Announced only when it differs from what was last announced: a reconnect
 * that finds reception still online is said by the connection status, not by "Reception is online"
 * once more. The announcing region empties again (which is not announced) so that it never holds
 * a stale state, nor says it again when the language changes.
 */
export function GuestPresence({ staffOnline, state }: { staffOnline: number | null; state: ConnectionStatusValue }) {
  const { t } = useTranslation();
  const presence = staffOnline === null || state !== 'connected' ? null : staffOnline > 0 ? 'online' : 'away';
  const lastAnnounced = useRef<'online' | 'away' | null>(null);
  const [saying, setSaying] = useState<'online' | 'away' | null>(null);
  useEffect(() => {
    if (presence === null) setSaying(null);
    else if (presence !== lastAnnounced.current) {
      lastAnnounced.current = presence;
      setSaying(presence);
    }
  }, [presence]);
  useEffect(() => {
    if (saying === null) return;
    const timer = setTimeout(() => setSaying(null), PRESENCE_SAID_MS);
    return () => clearTimeout(timer);
  }, [saying]);
  const words = (p: 'online' | 'away') => (p === 'online' ? t('guest.chat.online') : t('guest.chat.away'));
  return (
    <>
      <p className={`presence${presence === 'online' ? ' presence--on' : ''}`}>
        {presence && (
          <>
            <span className="presence__dot" aria-hidden="true" />
            {words(presence)}
          </>
        )}
      </p>
      <p className="sr-only" role="status">
        {saying === null ? '' : words(saying)}
      </p>
    </>
  );
}

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

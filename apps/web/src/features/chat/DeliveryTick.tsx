import { useTranslation } from 'react-i18next';
import type { DeliveryState } from './messages';

const GLYPH: Record<DeliveryState, string> = { sending: '◷', sent: '✓', read: '✓✓', failed: '!' };

/** The state of one of my messages, as an icon with a spoken label. */
export function DeliveryTick({ state }: { state: DeliveryState }) {
  const { t } = useTranslation();
  return (
    <span className={`tick tick--${state}`} role="img" aria-label={t(`delivery.${state}`)} title={t(`delivery.${state}`)}>
      {GLYPH[state]}
    </span>
  );
}

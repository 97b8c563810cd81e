import { useTranslation } from 'react-i18next';
import { BusyButton } from './BusyButton';

/**
 * The second step of an action that cannot be undone (a check-out, disabling an account): its
 * confirmation, which takes the keyboard focus when it appears (the button that asked is gone),
 * and Cancel. While the action runs both are only marked busy and do nothing (BusyButton): the
 * action can no longer be called back.
 */
export function ConfirmStep({ label, busy, onConfirm, onCancel }: { label: string; busy: boolean; onConfirm(): void; onCancel(): void }) {
  const { t } = useTranslation();
  return (
    <>
      <BusyButton className="btn btn--small btn--danger" autoFocus busy={busy} onClick={onConfirm}>
        {label}
      </BusyButton>
      <BusyButton className="btn btn--small btn--ghost" busy={busy} onClick={onCancel}>
        {t('common.cancel')}
      </BusyButton>
    </>
  );
}

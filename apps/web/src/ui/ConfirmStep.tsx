import { useTranslation } from 'react-i18next';

/**
 * The second step of an action that cannot be undone (a check-out, disabling an account): its
 * confirmation, which takes the keyboard focus when it appears (the button that asked is gone),
 * and Cancel. While the action runs both are only marked busy, not disabled (a disabled button
 * drops the keyboard focus), and do nothing: the action can no longer be called back.
 */
export function ConfirmStep({ label, busy, onConfirm, onCancel }: { label: string; busy: boolean; onConfirm(): void; onCancel(): void }) {
  const { t } = useTranslation();
  return (
    <>
      <button
        type="button"
        className="btn btn--small btn--danger"
        autoFocus
        aria-disabled={busy || undefined}
        onClick={() => {
          if (!busy) onConfirm();
        }}
      >
        {label}
      </button>
      <button
        type="button"
        className="btn btn--small btn--ghost"
        aria-disabled={busy || undefined}
        onClick={() => {
          if (!busy) onCancel();
        }}
      >
        {t('common.cancel')}
      </button>
    </>
  );
}

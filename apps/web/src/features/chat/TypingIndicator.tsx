import { useTranslation } from 'react-i18next';

export function TypingIndicator({ name }: { name: string | null }) {
  const { t } = useTranslation();
  return (
    <div className="typing" aria-live="polite">
      {name ? (
        <>
          <span className="typing__dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {t('chat.typing', { name })}
        </>
      ) : null}
    </div>
  );
}

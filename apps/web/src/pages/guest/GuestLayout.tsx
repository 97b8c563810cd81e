import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../../ui/LanguageSwitcher';

/** The guest pages' frame: the hotel's name, the language choice, the content. */
export function GuestLayout({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="guest">
      <header className="guest__bar">
        <span className="brand">
          <span className="brand__mark" aria-hidden="true">
            🛎
          </span>
          {t('brand')}
        </span>
        <div className="guest__actions">
          {actions}
          <LanguageSwitcher />
        </div>
      </header>
      {children}
    </div>
  );
}

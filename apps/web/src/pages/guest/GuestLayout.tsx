import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../ui/Icon';
import { LanguageSwitcher } from '../../ui/LanguageSwitcher';

/** The guest pages' frame: the hotel's name, the language choice, the content. */
export function GuestLayout({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="guest">
      <header className="guest__bar">
        <span className="brand">
          <Icon name="bell" className="brand__mark" />
          <span className="brand__name">{t('brand')}</span>
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

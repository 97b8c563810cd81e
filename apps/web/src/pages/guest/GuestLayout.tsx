import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../ui/Icon';
import { LanguageSwitcher } from '../../ui/LanguageSwitcher';

/**
 * The guest pages' frame: the hotel's name, the language choice, the content. With `fill` it is
 * exactly the screen's height and the content scrolls inside it (the chat: the header and the
 * message box stay in view); without, the page scrolls as a whole (the forms).
 */
export function GuestLayout({ children, actions, fill = false }: { children: ReactNode; actions?: ReactNode; fill?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className={fill ? 'guest guest--fill' : 'guest'}>
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

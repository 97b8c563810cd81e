import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type LanguageCode } from '../app/i18n';

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <div className="lang">
      <label htmlFor={id} className="sr-only">
        {t('common.language')}
      </label>
      <select id={id} className="lang__select" value={i18n.language} onChange={(e) => setLanguage(e.target.value as LanguageCode)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.htmlLang}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}

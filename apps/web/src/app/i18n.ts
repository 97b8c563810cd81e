import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { zh } from './locales/zh';

export const LANGUAGES = [
  { code: 'en', label: 'English', htmlLang: 'en' },
  { code: 'zh', label: '简体中文', htmlLang: 'zh-Hans' },
] as const;
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'bellhop.language';

/** The saved choice, else the first browser language we speak, else English. */
export function detectLanguage(
  saved: string | null = safeGet(),
  preferred: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): LanguageCode {
  if (saved === 'en' || saved === 'zh') return saved;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function safeGet(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function applyHtmlLang(code: string): void {
  const lang = LANGUAGES.find((l) => l.code === code) ?? LANGUAGES[0];
  if (typeof document !== 'undefined') document.documentElement.lang = lang.htmlLang;
}

export function setLanguage(code: LanguageCode): void {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Not saved; still switched for this page.
  }
  void i18next.changeLanguage(code);
}

export const i18n = i18next;

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
applyHtmlLang(i18next.language);
i18next.on('languageChanged', applyHtmlLang);

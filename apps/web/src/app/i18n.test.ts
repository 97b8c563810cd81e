import { detectLanguage, i18n, setLanguage } from './i18n';
import { en } from './locales/en';
import { zh } from './locales/zh';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)));
}

test('both languages have the same texts', () => {
  expect(keys(zh).sort()).toEqual(keys(en).sort());
});

test('the browser language decides unless the guest chose', () => {
  expect(detectLanguage(null, ['zh-CN', 'en'])).toBe('zh');
  expect(detectLanguage(null, ['zh-TW'])).toBe('zh');
  expect(detectLanguage(null, ['fr-FR', 'en-GB'])).toBe('en');
  expect(detectLanguage(null, ['de'])).toBe('en');
  expect(detectLanguage('zh', ['en-US'])).toBe('zh');
});

test('switching sets the lang attribute', async () => {
  setLanguage('zh');
  await Promise.resolve();
  expect(document.documentElement.lang).toBe('zh-Hans');
  expect(i18n.t('composer.send')).toBe('发送');
  setLanguage('en');
  expect(document.documentElement.lang).toBe('en');
});

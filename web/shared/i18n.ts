import { createI18n } from 'vue-i18n';
import en from './en.json';
import zhCN from './zh-CN.json';

const LOCALE_KEY = 'vigil.locale';
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

function initial(): Locale {
  const asked = new URLSearchParams(location.search).get('lang') ?? localStorage.getItem(LOCALE_KEY);
  return (LOCALES as readonly string[]).includes(asked ?? '') ? (asked as Locale) : 'zh-CN';
}

/** 简体中文 first, English second; every visible string comes from these catalogues (docs/web.md "Languages"). */
export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});
document.documentElement.lang = i18n.global.locale.value;

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}

import { useI18n } from 'vue-i18n';

/** Whole seconds since an ISO time by the page's clock, as "… ago" shows them (after an hour, to the minute). */
export function agoSeconds(iso: string, now: number): number {
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  return seconds < 3600 ? seconds : seconds - (seconds % 60);
}

/** "12 秒前" / "3 min 05 s ago" for a number of seconds (`agoSeconds`). */
export function useAgo() {
  const { t } = useI18n();
  return (seconds: number): string => {
    if (seconds < 60) return t('ago.seconds', { n: seconds });
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return t('ago.minutes', { m: minutes, s: String(seconds % 60).padStart(2, '0') });
    return t('ago.hours', { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0') });
  };
}

/** A date and time in the page's language. */
export function useDateTime() {
  const { locale } = useI18n();
  return (iso: string): string =>
    new Date(iso).toLocaleString(locale.value, { dateStyle: 'short', timeStyle: 'medium', hour12: false });
}

import { useI18n } from 'vue-i18n';

/** "42 秒", or "尚未" while it has not happened. */
export function useSeconds() {
  const { t } = useI18n();
  return (s: number | null): string => (s === null ? t('officer.notYet') : t('officer.seconds', { s }));
}

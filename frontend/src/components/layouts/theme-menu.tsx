import { useTranslation } from 'react-i18next';

import { Icon, type IconName } from '@/components/ui/icon';
import { useTheme } from '@/hooks/use-theme';
import { THEME_PREFERENCES, type ThemePreference } from '@/lib/theme';

import { TopbarMenu } from './topbar-menu';

const ICONS: Record<ThemePreference, IconName> = {
  light: 'sun-fill',
  dark: 'moon-stars-fill',
  auto: 'circle-half',
};

export function ThemeMenu({ variant = 'link' }: { variant?: string }) {
  const { t } = useTranslation();
  const { preference, theme, setPreference } = useTheme();
  const currentName = t(`theme.${preference}`);
  return (
    <TopbarMenu
      variant={variant}
      toggleClassName="topbar-control"
      title={t('theme.current', { name: currentName })}
      toggle={
        <>
          <Icon name={ICONS[preference === 'auto' ? theme : preference]} />
          <span className="visually-hidden">{t('theme.current', { name: currentName })}</span>
        </>
      }
    >
      <div className="dropdown-header" role="heading" aria-level={6}>
        {t('theme.label')}
      </div>
      {THEME_PREFERENCES.map((option) => (
        <button
          type="button"
          key={option}
          className={`dropdown-item${preference === option ? ' active' : ''}`}
          aria-current={preference === option ? 'true' : undefined}
          onClick={() => setPreference(option)}
        >
          <Icon name={ICONS[option]} className="me-2" />
          {t(`theme.${option}`)}
        </button>
      ))}
    </TopbarMenu>
  );
}

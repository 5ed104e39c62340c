import Dropdown from 'react-bootstrap/Dropdown';
import { useTranslation } from 'react-i18next';

import { Icon, type IconName } from '@/components/ui/icon';
import { useTheme } from '@/hooks/use-theme';
import { THEME_PREFERENCES, type ThemePreference } from '@/lib/theme';

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
    <Dropdown align="end">
      <Dropdown.Toggle
        variant={variant}
        className="topbar-control"
        title={t('theme.current', { name: currentName })}
      >
        <Icon name={ICONS[preference === 'auto' ? theme : preference]} />
        <span className="visually-hidden">{t('theme.current', { name: currentName })}</span>
      </Dropdown.Toggle>
      <Dropdown.Menu>
        <Dropdown.Header>{t('theme.label')}</Dropdown.Header>
        {THEME_PREFERENCES.map((option) => (
          <Dropdown.Item
            as="button"
            key={option}
            active={preference === option}
            aria-current={preference === option ? 'true' : undefined}
            onClick={() => setPreference(option)}
          >
            <Icon name={ICONS[option]} className="me-2" />
            {t(`theme.${option}`)}
          </Dropdown.Item>
        ))}
      </Dropdown.Menu>
    </Dropdown>
  );
}

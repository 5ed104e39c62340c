import Dropdown from 'react-bootstrap/Dropdown';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { useLanguage } from '@/hooks/use-language';

export function LanguageMenu({ variant = 'link' }: { variant?: string }) {
  const { t } = useTranslation();
  const { language, languages, setLanguage } = useLanguage();
  const currentName = t(`language.names.${language}`);
  return (
    <Dropdown align="end">
      <Dropdown.Toggle
        variant={variant}
        className="topbar-control"
        title={t('language.current', { name: currentName })}
      >
        <Icon name="translate" />
        {/* The short code is what sighted people see; screen readers get the full name. */}
        <span className="ms-1 small text-uppercase" aria-hidden="true">
          {language === 'pt-BR' ? 'PT' : 'EN'}
        </span>
        <span className="visually-hidden">{t('language.current', { name: currentName })}</span>
      </Dropdown.Toggle>
      <Dropdown.Menu>
        <Dropdown.Header>{t('language.label')}</Dropdown.Header>
        {languages.map((option) => (
          <Dropdown.Item
            as="button"
            key={option}
            lang={option}
            active={language === option}
            aria-current={language === option ? 'true' : undefined}
            onClick={() => void setLanguage(option)}
          >
            {t(`language.names.${option}`)}
          </Dropdown.Item>
        ))}
      </Dropdown.Menu>
    </Dropdown>
  );
}

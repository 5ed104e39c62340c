import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { useLanguage } from '@/hooks/use-language';

import { TopbarMenu } from './topbar-menu';

export function LanguageMenu({ variant = 'link' }: { variant?: string }) {
  const { t } = useTranslation();
  const { language, languages, setLanguage } = useLanguage();
  const currentName = t(`language.names.${language}`);
  return (
    <TopbarMenu
      variant={variant}
      toggleClassName="topbar-control"
      title={t('language.current', { name: currentName })}
      toggle={
        <>
          <Icon name="translate" />
          {/* The short code is what sighted people see; screen readers get the full name. */}
          <span className="ms-1 small text-uppercase" aria-hidden="true">
            {language === 'pt-BR' ? 'PT' : 'EN'}
          </span>
          <span className="visually-hidden">{t('language.current', { name: currentName })}</span>
        </>
      }
    >
      <div className="dropdown-header" role="heading" aria-level={6}>
        {t('language.label')}
      </div>
      {languages.map((option) => (
        <button
          type="button"
          key={option}
          lang={option}
          className={`dropdown-item${language === option ? ' active' : ''}`}
          aria-current={language === option ? 'true' : undefined}
          onClick={() => void setLanguage(option)}
        >
          {t(`language.names.${option}`)}
        </button>
      ))}
    </TopbarMenu>
  );
}

import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';

import { Icon, type IconName } from '@/components/ui/icon';

export interface NavItem {
  to: string;
  labelKey: string;
  icon: IconName;
  adminOnly?: boolean;
  end?: boolean;
}

/** The sidebar's links (inline from the lg breakpoint, in the phone menu below it). */
export function SidebarNav({
  items,
  onNavigate,
}: {
  items: readonly NavItem[];
  onNavigate?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('nav.label')} className="px-2 pb-3">
      <ul className="nav nav-pills flex-column gap-1">
        {items.map((item) => (
          <li className="nav-item" key={item.to}>
            <NavLink to={item.to} end={item.end} className="nav-link sidebar-link" onClick={onNavigate}>
              <Icon name={item.icon} className="me-2" />
              {t(item.labelKey)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Brand() {
  const { t } = useTranslation();
  return (
    <span className="app-brand d-flex align-items-center gap-2">
      <span className="app-brand-mark" aria-hidden="true">
        <Icon name="whatsapp" />
      </span>
      <span>
        <span className="d-block fw-bold lh-1">{t('app.name')}</span>
        <span className="d-block app-brand-subtitle opacity-75">{t('app.fullName')}</span>
      </span>
    </span>
  );
}

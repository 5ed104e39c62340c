import { type ReactNode, useState } from 'react';
import Button from 'react-bootstrap/Button';
import Offcanvas from 'react-bootstrap/Offcanvas';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';

import { Icon, type IconName } from '@/components/ui/icon';
import { paths } from '@/config/paths';

import { LanguageMenu } from './language-menu';
import { ThemeMenu } from './theme-menu';
import { type ShellUser, UserMenu } from './user-menu';

interface NavItem {
  to: string;
  labelKey: string;
  icon: IconName;
  adminOnly?: boolean;
  end?: boolean;
}

const NAV_ITEMS: readonly NavItem[] = [
  { to: paths.dashboard.getHref(), labelKey: 'nav.dashboard', icon: 'speedometer2', end: true },
  { to: paths.instances.getHref(), labelKey: 'nav.instances', icon: 'whatsapp' },
  { to: paths.servers.getHref(), labelKey: 'nav.servers', icon: 'hdd-network' },
  { to: paths.messages.getHref(), labelKey: 'nav.messages', icon: 'chat-dots' },
  { to: paths.jobs.getHref(), labelKey: 'nav.jobs', icon: 'list-task' },
  { to: paths.invoices.getHref(), labelKey: 'nav.invoices', icon: 'receipt' },
  { to: paths.reports.getHref(), labelKey: 'nav.reports', icon: 'bar-chart-line' },
  { to: paths.deliveries.getHref(), labelKey: 'nav.deliveries', icon: 'signpost-split' },
  { to: paths.alerts.getHref(), labelKey: 'nav.alerts', icon: 'bell' },
  { to: paths.templates.getHref(), labelKey: 'nav.templates', icon: 'layers' },
  { to: paths.events.getHref(), labelKey: 'nav.events', icon: 'inbox', adminOnly: true },
  { to: paths.users.getHref(), labelKey: 'nav.users', icon: 'people', adminOnly: true },
  { to: paths.backups.getHref(), labelKey: 'nav.backups', icon: 'database', adminOnly: true },
];

export interface DashboardLayoutProps {
  user: ShellUser;
  onLogout: () => void;
  loggingOut?: boolean;
  /** Shown in the top bar before the menus (the alerts bell). */
  topbar?: ReactNode;
  children: ReactNode;
}

/**
 * The shell: a sidebar (inline from the lg breakpoint, an offcanvas below it), a top bar
 * with the language, theme and user menus, and the page.
 */
export function DashboardLayout({
  user,
  onLogout,
  loggingOut,
  topbar,
  children,
}: DashboardLayoutProps) {
  const { t } = useTranslation();
  const [navOpen, setNavOpen] = useState(false);
  const items = NAV_ITEMS.filter((item) => !item.adminOnly || user.role === 'admin');

  return (
    <div className="app-shell">
      <a href="#main-content" className="visually-hidden-focusable skip-link">
        {t('app.skipToContent')}
      </a>

      <Offcanvas
        show={navOpen}
        onHide={() => setNavOpen(false)}
        responsive="lg"
        placement="start"
        className="app-sidebar"
        aria-labelledby="app-sidebar-title"
      >
        <Offcanvas.Header closeButton closeVariant="white" closeLabel={t('nav.close')}>
          <Offcanvas.Title id="app-sidebar-title" as="div">
            <Brand />
          </Offcanvas.Title>
        </Offcanvas.Header>
        <Offcanvas.Body className="flex-column p-0">
          <div className="d-none d-lg-block px-3 pt-4 pb-3">
            <Brand />
          </div>
          <nav aria-label={t('nav.label')} className="px-2 pb-3">
            <ul className="nav nav-pills flex-column gap-1">
              {items.map((item) => (
                <li className="nav-item" key={item.to}>
                  <NavLink
                    to={item.to}
                    end={item.end}
                    className="nav-link sidebar-link"
                    onClick={() => setNavOpen(false)}
                  >
                    <Icon name={item.icon} className="me-2" />
                    {t(item.labelKey)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        </Offcanvas.Body>
      </Offcanvas>

      <div className="app-main">
        <header className="app-topbar border-bottom">
          <Button
            variant="link"
            className="topbar-control d-lg-none"
            onClick={() => setNavOpen(true)}
            aria-label={t('nav.open')}
            aria-expanded={navOpen}
          >
            <Icon name="list" size="1.5rem" />
          </Button>
          <span className="d-lg-none fw-semibold">{t('app.name')}</span>
          <div className="ms-auto d-flex align-items-center gap-1">
            {topbar}
            <LanguageMenu />
            <ThemeMenu />
            <UserMenu user={user} onLogout={onLogout} loggingOut={loggingOut} />
          </div>
        </header>
        <main id="main-content" className="app-content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

function Brand() {
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

import { type ComponentType, type ReactNode, useState } from 'react';
import Button from 'react-bootstrap/Button';
import { useTranslation } from 'react-i18next';

import { Icon } from '@/components/ui/icon';
import { paths } from '@/config/paths';

import { LanguageMenu } from './language-menu';
import type { MobileNavProps } from './mobile-nav';
import { Brand, type NavItem, SidebarNav } from './sidebar-nav';
import { ThemeMenu } from './theme-menu';
import { type ShellUser, UserMenu } from './user-menu';

const loadMobileNav = () => import('./mobile-nav');

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
 * The shell: a sidebar (inline from the lg breakpoint, a panel opened from the top bar below
 * it, see MobileNav), a top bar with the language, theme and user menus, and the page.
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
  const [MobileNav, setMobileNav] = useState<ComponentType<MobileNavProps> | null>(null);
  const openNav = () => {
    void loadMobileNav().then(({ MobileNav: loaded }) => {
      setMobileNav(() => loaded);
      setNavOpen(true);
    });
  };
  const items = NAV_ITEMS.filter((item) => !item.adminOnly || user.role === 'admin');

  return (
    <div className="app-shell">
      <a href="#main-content" className="visually-hidden-focusable skip-link">
        {t('app.skipToContent')}
      </a>

      <div className="app-sidebar d-none d-lg-block">
        <div className="px-3 pt-4 pb-3">
          <Brand />
        </div>
        <SidebarNav items={items} />
      </div>
      {MobileNav ? (
        <MobileNav show={navOpen} onHide={() => setNavOpen(false)} items={items} />
      ) : null}

      <div className="app-main">
        <header className="app-topbar border-bottom">
          <Button
            variant="link"
            className="topbar-control d-lg-none"
            onClick={openNav}
            // Its code starts downloading as the finger or pointer reaches the button.
            onPointerDown={() => void loadMobileNav()}
            onFocus={() => void loadMobileNav()}
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

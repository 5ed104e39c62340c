import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import type { Role } from '@/api/generated/types.gen';
import { Icon } from '@/components/ui/icon';
import { paths } from '@/config/paths';

import { TopbarMenu } from './topbar-menu';

export interface ShellUser {
  username: string;
  email: string | null;
  role: Role;
}

const ROLE_BADGES: Record<Role, string> = {
  admin: 'text-bg-primary',
  operator: 'text-bg-info',
  viewer: 'text-bg-secondary',
};

export function RoleBadge({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <span className={`badge ${ROLE_BADGES[role]}`}>{t(`user.roles.${role}`)}</span>;
}

export interface UserMenuProps {
  user: ShellUser;
  onLogout: () => void;
  loggingOut?: boolean;
}

export function UserMenu({ user, onLogout, loggingOut = false }: UserMenuProps) {
  const { t } = useTranslation();
  return (
    <TopbarMenu
      toggleClassName="topbar-control d-flex align-items-center gap-2"
      menuClassName="shadow"
      toggle={
        <>
          <Icon name="person-circle" size="1.25rem" />
          {/* One readable name for screen readers, whatever the screen width hides. */}
          <span className="visually-hidden">
            {`${t('user.menu')}: ${user.username} (${t(`user.roles.${user.role}`)})`}
          </span>
          <span className="d-none d-sm-inline text-truncate user-name" aria-hidden="true">
            {user.username}
          </span>
          <span className="d-none d-md-inline" aria-hidden="true">
            <RoleBadge role={user.role} />
          </span>
        </>
      }
    >
      <div className="px-3 py-2">
        <div className="fw-semibold text-truncate">{user.username}</div>
        <div className="small text-body-secondary text-truncate">
          {user.email ?? t('user.noEmail')}
        </div>
        <div className="mt-2">
          <RoleBadge role={user.role} />
        </div>
      </div>
      <hr className="dropdown-divider" />
      <Link className="dropdown-item" to={paths.account.getHref()}>
        <Icon name="person-circle" className="me-2" />
        {t('user.account')}
      </Link>
      <button type="button" className="dropdown-item" onClick={onLogout} disabled={loggingOut}>
        <Icon name="box-arrow-right" className="me-2" />
        {loggingOut ? t('user.loggingOut') : t('user.logout')}
      </button>
    </TopbarMenu>
  );
}

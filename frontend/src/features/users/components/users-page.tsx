import './users.css';

import Nav from 'react-bootstrap/Nav';
import { Link, useSearchParams } from 'react-router';

import { PageHeader } from '@/components/ui/page-header';
import { paths } from '@/config/paths';

import { useUsersTranslation } from '../i18n';
import { AuditLog } from './audit-log';
import { TeamsList } from './teams-list';
import { UsersList } from './users-list';

const TABS = ['users', 'teams', 'audit'] as const;
type Tab = (typeof TABS)[number];

/**
 * Usuários (admins only): the accounts, their teams (`?tab=teams`) and the audit log
 * (`?tab=audit`).
 */
export function UsersPage({ currentUserId }: { currentUserId: number }) {
  const { t } = useUsersTranslation();
  const [params] = useSearchParams();
  const asked = params.get('tab');
  const tab: Tab = TABS.find((name) => name === asked) ?? 'users';
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Nav variant="tabs" className="mb-3" as="nav" aria-label={t('tabs.label')}>
        {TABS.map((name) => (
          <Nav.Item key={name}>
            <Nav.Link
              as={Link}
              to={name === 'users' ? paths.users.getHref() : `${paths.users.getHref()}?tab=${name}`}
              active={tab === name}
              aria-current={tab === name ? 'page' : undefined}
            >
              {t(`tabs.${name}`)}
            </Nav.Link>
          </Nav.Item>
        ))}
      </Nav>
      {tab === 'audit' ? <AuditLog /> : null}
      {tab === 'teams' ? <TeamsList /> : null}
      {tab === 'users' ? <UsersList currentUserId={currentUserId} /> : null}
    </>
  );
}

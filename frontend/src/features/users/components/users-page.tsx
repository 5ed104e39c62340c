import './users.css';

import Nav from 'react-bootstrap/Nav';
import { Link, useSearchParams } from 'react-router';

import { PageHeader } from '@/components/ui/page-header';
import { paths } from '@/config/paths';

import { useUsersTranslation } from '../i18n';
import { AuditLog } from './audit-log';
import { UsersList } from './users-list';

/** Usuários (admins only): the accounts, and the audit log in a second tab (`?tab=audit`). */
export function UsersPage({ currentUserId }: { currentUserId: number }) {
  const { t } = useUsersTranslation();
  const [params] = useSearchParams();
  const tab = params.get('tab') === 'audit' ? 'audit' : 'users';
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Nav variant="tabs" className="mb-3" as="nav" aria-label={t('tabs.label')}>
        <Nav.Item>
          <Nav.Link
            as={Link}
            to={paths.users.getHref()}
            active={tab === 'users'}
            aria-current={tab === 'users' ? 'page' : undefined}
          >
            {t('tabs.users')}
          </Nav.Link>
        </Nav.Item>
        <Nav.Item>
          <Nav.Link
            as={Link}
            to={`${paths.users.getHref()}?tab=audit`}
            active={tab === 'audit'}
            aria-current={tab === 'audit' ? 'page' : undefined}
          >
            {t('tabs.audit')}
          </Nav.Link>
        </Nav.Item>
      </Nav>
      {tab === 'audit' ? <AuditLog /> : <UsersList currentUserId={currentUserId} />}
    </>
  );
}

import { useEffect, useId, useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Dropdown from 'react-bootstrap/Dropdown';
import Form from 'react-bootstrap/Form';
import { useSearchParams } from 'react-router';

import type { UserCreated, UserRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { Pager } from '@/components/ui/pager';
import { RowActionsMenu } from '@/components/ui/row-actions-menu';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { formatDateTime, formatRelativeTime } from '@/lib/format';

import { USERS_PAGE_SIZE, useUsers } from '../api/users';
import { useUsersTranslation } from '../i18n';
import { CreateUserModal } from './create-user-modal';
import { UserRoleBadge } from './user-role-badge';
import { type UserAction, UserActionModal } from './user-action-modals';
import { TableScroll } from '@/components/ui/table-scroll';

/** The users table: search (in the URL), create, and per-user actions. */
export function UsersList({ currentUserId }: { currentUserId: number }) {
  const { t, i18n } = useUsersTranslation();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [text, setText] = useState(search);
  const debounced = useDebouncedValue(text.trim(), 300);
  const [creating, setCreating] = useState(false);
  const [acting, setActing] = useState<{ user: UserRead; action: UserAction } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const users = useUsers(search, page);

  useEffect(() => {
    if (debounced === search) return;
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (debounced) next.set('q', debounced);
        else next.delete('q');
        next.delete('page');
        return next;
      },
      { replace: true },
    );
  }, [debounced, search, setParams]);

  const setPage = (next: number) =>
    setParams((current) => {
      const copy = new URLSearchParams(current);
      if (next > 1) copy.set('page', String(next));
      else copy.delete('page');
      return copy;
    });

  const onCreated = (created: UserCreated) => {
    setNotice(t('create.created', { username: created.user.username }));
  };

  let body;
  if (users.isPending) body = <LoadingState />;
  else if (users.isError) {
    body = <ErrorState error={users.error} onRetry={() => void users.refetch()} />;
  } else if (users.data.items.length === 0) {
    body = (
      <EmptyState icon="people" title={t('empty.title')} description={t('empty.description')} />
    );
  } else {
    body = (
      <>
        <TableScroll label={t('list.label')}>
          <table className="table table-hover align-middle mb-0" aria-label={t('list.label')}>
            <thead>
              <tr>
                <th scope="col">{t('list.username')}</th>
                <th scope="col" className="d-none d-sm-table-cell">
                  {t('list.role')}
                </th>
                <th scope="col">{t('list.status')}</th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('list.lastLogin')}
                </th>
                <th scope="col" className="text-end">
                  <span className="visually-hidden">{t('list.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => {
                const self = user.id === currentUserId;
                return (
                  <tr key={user.id} data-testid="user-row" data-username={user.username}>
                    <td className="text-break">
                      <span className="fw-semibold">{user.username}</span>
                      {self ? (
                        <span className="badge text-bg-light border ms-2">{t('list.you')}</span>
                      ) : null}
                      <span className="d-block small text-body-secondary">
                        {user.email ?? t('list.noEmail')}
                      </span>
                      <span className="d-sm-none">
                        <UserRoleBadge role={user.role} />
                      </span>
                    </td>
                    <td className="d-none d-sm-table-cell">
                      <UserRoleBadge role={user.role} />
                    </td>
                    <td>
                      <span
                        className={`badge rounded-pill ${
                          user.is_active ? 'text-bg-success' : 'text-bg-secondary'
                        }`}
                      >
                        {user.is_active ? t('list.active') : t('list.inactive')}
                      </span>
                    </td>
                    <td className="d-none d-lg-table-cell small text-body-secondary">
                      {user.last_login_at ? (
                        <time
                          dateTime={user.last_login_at}
                          title={formatDateTime(user.last_login_at, i18n.language)}
                        >
                          {formatRelativeTime(user.last_login_at, i18n.language)}
                        </time>
                      ) : (
                        t('list.never')
                      )}
                    </td>
                    <td className="text-end">
                      <Dropdown align="end">
                        <Dropdown.Toggle
                          variant="outline-secondary"
                          size="sm"
                          aria-label={t('list.actionsFor', { username: user.username })}
                        >
                          {t('list.actions')}
                        </Dropdown.Toggle>
                        <RowActionsMenu>
                          <Dropdown.Item
                            as="button"
                            onClick={() => setActing({ user, action: 'role' })}
                          >
                            {t('list.changeRole')}
                          </Dropdown.Item>
                          <Dropdown.Item
                            as="button"
                            onClick={() => setActing({ user, action: 'reset' })}
                          >
                            {t('list.resetPassword')}
                          </Dropdown.Item>
                          <Dropdown.Divider />
                          <Dropdown.Item
                            as="button"
                            className={user.is_active ? 'text-danger' : undefined}
                            disabled={self}
                            onClick={() => setActing({ user, action: 'active' })}
                          >
                            {user.is_active ? t('list.deactivate') : t('list.activate')}
                          </Dropdown.Item>
                        </RowActionsMenu>
                      </Dropdown>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
        <Pager
          page={page}
          pageSize={USERS_PAGE_SIZE}
          total={users.data.total}
          onPageChange={setPage}
          label={t('list.pagesLabel')}
        />
      </>
    );
  }

  return (
    <>
      <div className="d-flex flex-column flex-sm-row gap-2 align-items-sm-end mb-3">
        <Form.Group controlId={`${id}-search`} className="flex-grow-1">
          <Form.Label className="small mb-1">{t('list.search')}</Form.Label>
          <Form.Control
            type="search"
            value={text}
            placeholder={t('list.searchPlaceholder')}
            onChange={(event) => setText(event.target.value)}
            maxLength={100}
            autoComplete="off"
          />
        </Form.Group>
        <Button variant="primary" onClick={() => setCreating(true)}>
          {t('list.new')}
        </Button>
      </div>
      {notice ? (
        <Alert variant="success" dismissible onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      ) : null}
      {body}
      <CreateUserModal show={creating} onClose={() => setCreating(false)} onCreated={onCreated} />
      {acting ? (
        <UserActionModal
          user={acting.user}
          action={acting.action}
          onClose={() => setActing(null)}
          onDone={(message) => {
            setActing(null);
            setNotice(message);
          }}
        />
      ) : null}
    </>
  );
}

import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import { useSearchParams } from 'react-router';

import type { TeamRead } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { Pager } from '@/components/ui/pager';
import { TableScroll } from '@/components/ui/table-scroll';
import { formatNumber } from '@/lib/format';

import { TEAMS_PAGE_SIZE, useTeams } from '../api/teams';
import { useUsersTranslation } from '../i18n';
import { DeleteTeamModal, TeamModal } from './team-modal';

type Editing = { team: TeamRead | null } | null;

/** Times (admins only): who sees which servers and instances. */
export function TeamsList() {
  const { t, i18n } = useUsersTranslation();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const teams = useTeams(page);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<TeamRead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const count = (value: number) => formatNumber(value, i18n.language);

  const setPage = (next: number) =>
    setParams((current) => {
      const copy = new URLSearchParams(current);
      if (next > 1) copy.set('page', String(next));
      else copy.delete('page');
      return copy;
    });

  let body;
  if (teams.isPending) body = <LoadingState />;
  else if (teams.isError) {
    body = <ErrorState error={teams.error} onRetry={() => void teams.refetch()} />;
  } else if (teams.data.items.length === 0) {
    body = (
      <EmptyState
        icon="people"
        title={t('teams.emptyTitle')}
        description={t('teams.emptyDescription')}
      />
    );
  } else {
    body = (
      <>
        <TableScroll label={t('teams.list')}>
          <table className="table table-hover align-middle mb-0" aria-label={t('teams.list')}>
            <thead>
              <tr>
                <th scope="col">{t('teams.name')}</th>
                <th scope="col" className="d-none d-sm-table-cell text-end">
                  {t('teams.members')}
                </th>
                <th scope="col" className="d-none d-sm-table-cell text-end">
                  {t('teams.servers')}
                </th>
                <th scope="col" className="d-none d-sm-table-cell text-end">
                  {t('teams.instances')}
                </th>
                <th scope="col" className="text-end">
                  <span className="visually-hidden">{t('list.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {teams.data.items.map((team) => (
                <tr key={team.id} data-testid="team-row" data-team={team.name}>
                  <td className="text-break">
                    <span className="fw-semibold">{team.name}</span>
                    {team.description ? (
                      <span className="d-block small text-body-secondary">{team.description}</span>
                    ) : null}
                    <span className="d-block d-sm-none small text-body-secondary">
                      {t('teams.summary', {
                        members: t('teams.memberCount', { count: team.user_ids.length }),
                        servers: t('teams.serverCount', { count: team.server_ids.length }),
                        instances: t('teams.instanceCount', { count: team.instance_ids.length }),
                      })}
                    </span>
                  </td>
                  <td className="d-none d-sm-table-cell text-end">
                    {count(team.user_ids.length)}
                  </td>
                  <td className="d-none d-sm-table-cell text-end">
                    {count(team.server_ids.length)}
                  </td>
                  <td className="d-none d-sm-table-cell text-end">
                    {count(team.instance_ids.length)}
                  </td>
                  <td className="text-end text-nowrap">
                    <Button
                      variant="outline-secondary"
                      size="sm"
                      className="me-1"
                      aria-label={t('teams.editNamed', { name: team.name })}
                      onClick={() => setEditing({ team })}
                    >
                      {t('teams.edit')}
                    </Button>
                    <Button
                      variant="outline-danger"
                      size="sm"
                      aria-label={t('teams.deleteNamed', { name: team.name })}
                      onClick={() => setDeleting(team)}
                    >
                      {t('teams.delete')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <Pager
          page={page}
          pageSize={TEAMS_PAGE_SIZE}
          total={teams.data.total}
          onPageChange={setPage}
          label={t('teams.pagesLabel')}
        />
      </>
    );
  }

  return (
    <>
      <div className="d-flex flex-column flex-sm-row gap-2 align-items-sm-center mb-3">
        <p className="small text-body-secondary mb-0 flex-grow-1">{t('teams.help')}</p>
        <Button variant="primary" className="flex-shrink-0" onClick={() => setEditing({ team: null })}>
          {t('teams.new')}
        </Button>
      </div>
      {notice ? (
        <Alert variant="success" dismissible onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      ) : null}
      {body}
      {editing ? (
        <TeamModal
          key={editing.team?.id ?? 'new'}
          team={editing.team}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setNotice(
              editing.team
                ? t('teams.updated', { name: saved.name })
                : t('teams.created', { name: saved.name }),
            );
            setEditing(null);
          }}
        />
      ) : null}
      {deleting ? (
        <DeleteTeamModal
          team={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(team) => {
            setDeleting(null);
            setNotice(t('teams.deleted', { name: team.name }));
          }}
        />
      ) : null}
    </>
  );
}

import Form from 'react-bootstrap/Form';
import Table from 'react-bootstrap/Table';
import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/status-badge';
import { paths } from '@/config/paths';
import { formatRelativeTime } from '@/lib/format';

import type { Instance } from '../api/get-instances';
import type { SimpleAction } from '../api/instance-actions';
import { useInstancesUptime } from '../api/get-uptime';
import { instanceNumber } from '../lib/instance-number';
import { useInstancesTranslation } from '../locales';
import type { DriftItem } from '../api/templates';
import { DriftBadge } from './drift-badge';
import { InstanceAvatar } from './instance-avatar';
import { InstanceRowActions } from './instance-row-actions';
import { UptimeCell } from './uptime-cell';
import { TableScroll } from '@/components/ui/table-scroll';

export interface InstancesTableProps {
  instances: readonly Instance[];
  serverNames: ReadonlyMap<number, string>;
  /** Operators and admins select rows and act on them; viewers only read. */
  canOperate: boolean;
  selected: ReadonlySet<number>;
  onToggle: (instance: Instance, selected: boolean) => void;
  onTogglePage: (selected: boolean) => void;
  onConnect: (instance: Instance) => void;
  onAction: (instance: Instance, action: Exclude<SimpleAction, 'webhook'>) => void;
  pending: ReadonlyMap<number, SimpleAction>;
  /** The template each instance follows, and whether it still matches. */
  drift?: ReadonlyMap<number, DriftItem>;
}

/**
 * The instances of one page: a table from the md breakpoint, a list of cards below it
 * (phones), with the same selection and quick actions.
 */
export function InstancesTable({
  instances,
  serverNames,
  canOperate,
  selected,
  onToggle,
  onTogglePage,
  onConnect,
  onAction,
  pending,
  drift,
}: InstancesTableProps) {
  const { t, i18n } = useInstancesTranslation();
  const allSelected = instances.length > 0 && instances.every((i) => selected.has(i.id));
  const someSelected = instances.some((i) => selected.has(i.id));
  // One request for the page's figures, apart from the list: live status changes patch
  // the list's rows without touching them.
  const uptime = useInstancesUptime(instances.map((i) => i.id));

  return (
    <>
      <div className="card d-none d-md-block">
        <TableScroll label={t('list.label')}>
        <Table hover className="mb-0 align-middle instances-table">
          <caption className="visually-hidden">{t('list.label')}</caption>
          <thead>
            <tr>
              {canOperate ? (
                <th scope="col" className="check-col">
                  <Form.Check
                    aria-label={t('list.selectPage')}
                    checked={allSelected}
                    ref={(input: HTMLInputElement | null) => {
                      if (input) input.indeterminate = someSelected && !allSelected;
                    }}
                    onChange={(event) => onTogglePage(event.target.checked)}
                  />
                </th>
              ) : null}
              <th scope="col">{t('list.name')}</th>
              <th scope="col">{t('list.status')}</th>
              <th scope="col" className="text-nowrap">
                {t('uptime.column')}
              </th>
              <th scope="col">{t('list.number')}</th>
              <th scope="col">{t('list.server')}</th>
              {/* From 1,400 px only: below it the row's actions went behind a horizontal scroll
                  (100 px too wide at 1,280 px, 14 px at 1,366 px). */}
              <th scope="col" className="d-none d-xxl-table-cell">
                {t('list.updated')}
              </th>
              {canOperate ? (
                <th scope="col" className="text-end">
                  {t('list.actions')}
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {instances.map((instance) => (
              <tr key={instance.id}>
                {canOperate ? (
                  <td className="check-col">
                    <Form.Check
                      aria-label={t('list.select', { name: instance.display_name })}
                      checked={selected.has(instance.id)}
                      onChange={(event) => onToggle(instance, event.target.checked)}
                    />
                  </td>
                ) : null}
                <td>
                  <div className="d-flex align-items-center gap-2">
                    <InstanceAvatar
                      name={instance.display_name}
                      pictureUrl={instance.profile_picture_url}
                    />
                    <div className="min-w-0">
                      <Link
                        to={paths.instance.getHref(instance.id)}
                        className="fw-semibold text-decoration-none d-block text-truncate"
                      >
                        {instance.display_name}
                      </Link>
                      <span className="small text-body-secondary font-monospace">
                        {instance.name}
                      </span>
                    </div>
                  </div>
                </td>
                <td>
                  <div className="d-flex flex-column align-items-start gap-1">
                    <StatusBadge status={instance.status} />
                    <DriftBadge drift={drift?.get(instance.id)} />
                  </div>
                </td>
                <td className="text-nowrap">
                  <UptimeCell windows={uptime.byId.get(instance.id)} />
                </td>
                <td className="text-nowrap">
                  {instanceNumber(instance) || (
                    <span className="text-body-secondary">{t('list.noNumber')}</span>
                  )}
                </td>
                <td>{serverNames.get(instance.server_id) ?? t('noServer')}</td>
                <td className="d-none d-xxl-table-cell text-nowrap small text-body-secondary">
                  <time dateTime={instance.updated_at}>
                    {formatRelativeTime(instance.updated_at, i18n.language)}
                  </time>
                </td>
                {canOperate ? (
                  <td>
                    <InstanceRowActions
                      instance={instance}
                      onConnect={onConnect}
                      onAction={onAction}
                      pending={pending.get(instance.id) ?? null}
                      className="justify-content-end flex-nowrap"
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
        </TableScroll>
      </div>

      <ul className="list-unstyled d-md-none mb-0 instance-cards" aria-label={t('list.label')}>
        {instances.map((instance) => (
          <li key={instance.id} className="card mb-2">
            <div className="card-body p-3">
              <div className="d-flex align-items-start gap-2">
                {canOperate ? (
                  <Form.Check
                    className="mt-1"
                    aria-label={t('list.select', { name: instance.display_name })}
                    checked={selected.has(instance.id)}
                    onChange={(event) => onToggle(instance, event.target.checked)}
                  />
                ) : null}
                <InstanceAvatar
                  name={instance.display_name}
                  pictureUrl={instance.profile_picture_url}
                />
                <div className="flex-grow-1 min-w-0">
                  <div className="d-flex justify-content-between gap-2">
                    <Link
                      to={paths.instance.getHref(instance.id)}
                      className="fw-semibold text-decoration-none text-truncate"
                    >
                      {instance.display_name}
                    </Link>
                    <StatusBadge status={instance.status} />
                  </div>
                  <div className="small text-body-secondary font-monospace text-truncate">
                    {instance.name}
                  </div>
                  <DriftBadge drift={drift?.get(instance.id)} />
                  <div className="small mt-1">
                    {instanceNumber(instance) || t('list.noNumber')}
                    {' · '}
                    {serverNames.get(instance.server_id) ?? t('noServer')}
                  </div>
                  <div className="small">
                    {`${t('uptime.column')}: `}
                    <UptimeCell windows={uptime.byId.get(instance.id)} />
                  </div>
                </div>
              </div>
              {canOperate ? (
                <InstanceRowActions
                  instance={instance}
                  onConnect={onConnect}
                  onAction={onAction}
                  pending={pending.get(instance.id) ?? null}
                  className="mt-2 justify-content-end"
                />
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

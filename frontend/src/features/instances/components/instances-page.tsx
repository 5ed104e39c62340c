import './instances.css';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Dropdown from 'react-bootstrap/Dropdown';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';

import { EmptyState } from '@/components/ui/empty-state';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { Pager } from '@/components/ui/pager';
import { paths } from '@/config/paths';

import {
  type Instance,
  INSTANCES_PAGE_SIZE,
  instancesListKey,
  useInstances,
} from '../api/get-instances';
import { useServerOptions } from '../api/get-servers';
import { runInstanceAction, type SimpleAction, syncInstances } from '../api/instance-actions';
import { type EventName, setWebhookEventsInBulk } from '../api/webhook-events';
import type { BulkOptions, ServerBulkAction } from '../api/bulk-operations';
import { templatesKeys, useTemplateDrift } from '../api/templates';
import { useBulkRunner } from '../hooks/use-bulk-runner';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstanceFilters } from '../hooks/use-instance-filters';
import { useInstancesListRealtime } from '../hooks/use-instance-realtime';
import type { InstancesFlash } from '../lib/flash';
import type { BulkOutcome, BulkTarget } from '../lib/run-bulk';
import { useInstancesTranslation } from '../locales';
import { BulkDeleteDialog } from './bulk-delete-dialog';
import { BulkDialog } from './bulk-dialog';
import { BulkEventsDialog } from './bulk-events-dialog';
import { ConnectDialog } from './connect-dialog';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';
import { InstanceFilters } from './instance-filters';
import { InstancesTable } from './instances-table';
import { type ActionFeedback, ActionFeedbackAlert } from './action-feedback';

export interface InstancesPageProps {
  /** Operators and admins act on instances; viewers only read. */
  canOperate: boolean;
  /** Admins delete (in bulk too). */
  canDelete?: boolean;
}

/** Instâncias: filters, the paginated list, quick and bulk actions, the connect dialog. */
export function InstancesPage({ canOperate, canDelete = false }: InstancesPageProps) {
  const { t } = useInstancesTranslation();
  const { t: tShared } = useTranslation();
  const queryClient = useQueryClient();
  const describeError = useInstanceErrorMessage();
  const { filters, update, isFiltered } = useInstanceFilters();
  const servers = useServerOptions();
  const list = useInstances({ ...filters, pageSize: INSTANCES_PAGE_SIZE });
  useInstancesListRealtime();

  const [selected, setSelected] = useState<ReadonlyMap<number, string>>(new Map());
  const [connectingId, setConnectingId] = useState<number | null>(null);
  const [lastConnecting, setLastConnecting] = useState<Instance | null>(null);
  const [pending, setPending] = useState<ReadonlyMap<number, SimpleAction>>(new Map());
  const [feedback, setFeedback] = useState<ActionFeedback | null>(null);
  const bulk = useBulkRunner();
  const [choosingEvents, setChoosingEvents] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const drift = useTemplateDrift();
  const driftById = new Map((drift.data ?? []).map((item) => [item.instance_id, item]));
  const location = useLocation();
  const flash = (location.state as InstancesFlash | null)?.flash ?? null;
  const [flashShown, setFlashShown] = useState(true);

  const items = list.data?.items ?? [];
  const serverNames = new Map((servers.data ?? []).map((server) => [server.id, server.name]));
  // The dialog follows the list's live copy of the instance (its status flips to open).
  const connecting =
    connectingId === null
      ? null
      : (items.find((instance) => instance.id === connectingId) ?? lastConnecting);

  const toggle = (instance: Instance, on: boolean) => {
    setSelected((current) => {
      const next = new Map(current);
      if (on) next.set(instance.id, instance.display_name);
      else next.delete(instance.id);
      return next;
    });
  };
  const togglePage = (on: boolean) => {
    setSelected((current) => {
      const next = new Map(current);
      for (const instance of items) {
        if (on) next.set(instance.id, instance.display_name);
        else next.delete(instance.id);
      }
      return next;
    });
  };

  const act = (instance: Instance, action: Exclude<SimpleAction, 'webhook'>) => {
    setPending((current) => new Map(current).set(instance.id, action));
    setFeedback(null);
    runInstanceAction(instance.id, action)
      .then(() => {
        setFeedback({
          variant: 'success',
          text: t(`actions.done.${action}`, { name: instance.display_name }),
        });
      })
      .catch((error: unknown) => {
        const { message } = describeError(error);
        setFeedback({
          variant: 'danger',
          text: `${t('actions.failed', { name: instance.display_name })} ${message}`,
        });
      })
      .finally(() => {
        setPending((current) => {
          const next = new Map(current);
          next.delete(instance.id);
          return next;
        });
        void queryClient.invalidateQueries({ queryKey: instancesListKey() });
      });
  };

  const statusLabel = (status: string) => tShared(`status.${status}`, { defaultValue: status });

  const runBulkEvents = (events: EventName[]) => {
    setChoosingEvents(false);
    const targets: BulkTarget[] = [...selected].map(([id, name]) => ({ id, name }));
    const task = async (chunk: BulkTarget[]): Promise<BulkOutcome[]> => {
      const report = await setWebhookEventsInBulk(
        chunk.map((target) => target.id),
        events,
      );
      return report.items.map((item) => ({
        id: item.instance_id,
        ok: item.ok,
        message: item.ok
          ? t('events.bulkDone', { count: item.events?.length ?? 0 })
          : (item.detail ?? item.error ?? ''),
      }));
    };
    void bulk
      .start('events', targets, task, {
        chunkSize: 10,
        concurrency: 2,
        describeError: (error) => describeError(error).message,
      })
      .finally(() => void queryClient.invalidateQueries({ queryKey: instancesListKey() }));
  };

  const refreshList = () => {
    void queryClient.invalidateQueries({ queryKey: instancesListKey() });
    void queryClient.invalidateQueries({ queryKey: templatesKeys.all });
  };

  const selectedTargets = (): BulkTarget[] => [...selected].map(([id, name]) => ({ id, name }));

  /** Restart, disconnect, webhook re-apply and delete: tracked operations on the server. */
  const runOperation = (action: ServerBulkAction, options: BulkOptions = {}) => {
    void bulk.startOperation(action, selectedTargets(), options).finally(() => {
      if (action === 'delete') setSelected(new Map());
      refreshList();
    });
  };

  const runSync = () => {
    const targets = selectedTargets();
    const task = async (chunk: BulkTarget[]): Promise<BulkOutcome[]> => {
      const report = await syncInstances(chunk.map((target) => target.id));
      return report.items.map((item) => ({
        id: item.instance_id,
        ok: item.ok,
        message: item.ok
          ? item.changed
            ? t('bulk.changed', {
                from: statusLabel(item.previous_status),
                to: statusLabel(item.status),
              })
            : t('bulk.unchanged', { status: statusLabel(item.status) })
          : (item.detail ?? item.error ?? ''),
      }));
    };
    void bulk
      .start('sync', targets, task, {
        // A few per call, so the bar moves.
        chunkSize: 5,
        concurrency: 3,
        describeError: (error) => {
          const { message, detail } = describeError(error);
          return detail ? `${message} (${detail})` : message;
        },
      })
      .finally(refreshList);
  };

  const header = (
    <PageHeader
      title={t('title')}
      description={t('description')}
      actions={
        canOperate ? (
          <>
            <Link to={paths.instanceImport.getHref()} className="btn btn-outline-primary">
              <FeatureIcon name="cloud-arrow-down" className="me-2" />
              {t('importAction')}
            </Link>
            <Link to={paths.instanceNew.getHref()} className="btn btn-primary btn-gradient">
              <Icon name="plus-lg" className="me-2" />
              {t('new')}
            </Link>
          </>
        ) : null
      }
    />
  );

  let body;
  if (list.isPending) {
    body = <LoadingState label={t('loading')} />;
  } else if (list.isError) {
    body = <InstanceError error={list.error} onRetry={() => void list.refetch()} />;
  } else if (list.data.total === 0 && !isFiltered) {
    body = (
      <EmptyState
        icon="whatsapp"
        title={t('empty.title')}
        description={canOperate ? t('empty.description') : t('empty.readOnly')}
        action={
          canOperate ? (
            <Link to={paths.instanceNew.getHref()} className="btn btn-primary btn-gradient">
              <Icon name="plus-lg" className="me-2" />
              {t('new')}
            </Link>
          ) : null
        }
      />
    );
  } else if (list.data.total === 0) {
    body = (
      <EmptyState
        icon="inbox"
        title={t('empty.filteredTitle')}
        description={t('empty.filteredDescription')}
        action={
          <Button
            variant="outline-secondary"
            onClick={() => update({ search: '', status: null, serverId: null })}
          >
            {t('empty.clearFilters')}
          </Button>
        }
      />
    );
  } else {
    body = (
      <>
        <InstancesTable
          instances={items}
          serverNames={serverNames}
          canOperate={canOperate}
          selected={new Set(selected.keys())}
          onToggle={toggle}
          onTogglePage={togglePage}
          onConnect={(instance) => {
            setLastConnecting(instance);
            setConnectingId(instance.id);
          }}
          onAction={act}
          pending={pending}
          drift={driftById}
        />
        <Pager
          page={list.data.page}
          pageSize={list.data.page_size}
          total={list.data.total}
          onPageChange={(page) => update({ page })}
          label={t('list.pages')}
        />
      </>
    );
  }

  return (
    <>
      {header}
      {!canOperate ? (
        <p className="small text-body-secondary">
          <Icon name="eye" className="me-1" />
          {t('readOnly')}
        </p>
      ) : null}
      <InstanceFilters filters={filters} servers={servers.data ?? []} onChange={update} />

      <div aria-live="polite">
        {flash && flashShown && !feedback ? (
          <Alert
            variant="success"
            dismissible
            onClose={() => setFlashShown(false)}
            closeLabel={t('bulk.close')}
            className="py-2"
          >
            {flash}
          </Alert>
        ) : null}
        <ActionFeedbackAlert feedback={feedback} onClose={() => setFeedback(null)} />
      </div>

      {canOperate && selected.size > 0 ? (
        <div
          className="bulk-toolbar d-flex flex-wrap align-items-center gap-2 mb-3 p-2 rounded border"
          role="toolbar"
          aria-label={t('bulk.toolbar')}
        >
          <span className="fw-semibold me-auto">
            {t('bulk.selected', { count: selected.size })}
          </span>
          <Button size="sm" variant="primary" onClick={runSync}>
            <Icon name="arrow-clockwise" className="me-1" />
            {t('bulk.sync')}
          </Button>
          <Button size="sm" variant="outline-primary" onClick={() => runOperation('restart')}>
            <Icon name="arrow-repeat" className="me-1" />
            {t('bulk.restart')}
          </Button>
          <Button size="sm" variant="outline-primary" onClick={() => setChoosingEvents(true)}>
            <Icon name="list-task" className="me-1" />
            {t('events.bulk')}
          </Button>
          <Dropdown>
            <Dropdown.Toggle size="sm" variant="outline-secondary" id="bulk-more">
              {t('bulk.more')}
            </Dropdown.Toggle>
            <Dropdown.Menu>
              <Dropdown.Item as="button" onClick={() => runOperation('disconnect')}>
                {t('bulk.disconnect')}
              </Dropdown.Item>
              <Dropdown.Item as="button" onClick={() => runOperation('webhook')}>
                {t('bulk.webhook')}
              </Dropdown.Item>
              {canDelete ? (
                <>
                  <Dropdown.Divider />
                  <Dropdown.Item
                    as="button"
                    className="text-danger"
                    onClick={() => setConfirmingDelete(true)}
                  >
                    {t('bulk.delete')}
                  </Dropdown.Item>
                </>
              ) : null}
            </Dropdown.Menu>
          </Dropdown>
          <Button size="sm" variant="link" onClick={() => setSelected(new Map())}>
            {t('bulk.clear')}
          </Button>
        </div>
      ) : null}

      {list.data && list.data.total > 0 ? (
        <p className="small text-body-secondary mb-2">
          {t('list.total', { count: list.data.total })}
        </p>
      ) : null}
      {body}

      {connecting ? (
        <ConnectDialog
          instance={connecting}
          show={connectingId !== null}
          onHide={() => setConnectingId(null)}
          onConnected={() => void queryClient.invalidateQueries({ queryKey: instancesListKey() })}
        />
      ) : null}
      <BulkDialog run={bulk.run} onClose={bulk.reset} onRetry={() => void bulk.retryFailed()} />
      {confirmingDelete ? (
        <BulkDeleteDialog
          names={[...selected.values()]}
          onHide={() => setConfirmingDelete(false)}
          onConfirm={(confirmation, keepHistory) => {
            setConfirmingDelete(false);
            runOperation('delete', { confirmation, keep_history: keepHistory });
          }}
        />
      ) : null}
      {choosingEvents ? (
        <BulkEventsDialog
          show
          count={selected.size}
          onApply={runBulkEvents}
          onHide={() => setChoosingEvents(false)}
        />
      ) : null}
    </>
  );
}

import './instances.css';

import { useState } from 'react';
import Alert from 'react-bootstrap/Alert';
import Button from 'react-bootstrap/Button';
import Spinner from 'react-bootstrap/Spinner';
import Tab from 'react-bootstrap/Tab';
import Tabs from 'react-bootstrap/Tabs';
import { Link, useNavigate } from 'react-router';

import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { StatusBadge } from '@/components/ui/status-badge';
import { paths } from '@/config/paths';

import { useInstance } from '../api/get-instance';
import type { Instance } from '../api/get-instances';
import { useServerOptions } from '../api/get-servers';
import { type SimpleAction, useInstanceAction, useSyncInstance } from '../api/instance-actions';
import { useInstanceErrorMessage } from '../hooks/use-instance-error-message';
import { useInstanceRealtime } from '../hooks/use-instance-realtime';
import type { InstancesFlash } from '../lib/flash';
import { useInstancesTranslation } from '../locales';
import { AllowListEditor } from './allow-list-editor';
import { ConnectDialog } from './connect-dialog';
import { ConnectionTimeline } from './connection-timeline';
import { DeleteInstanceDialog } from './delete-instance-dialog';
import { DestinationsCard } from './destinations-card';
import { FeatureIcon } from './feature-icon';
import { InstanceError } from './instance-error';
import { InstanceOverview } from './instance-overview';
import { RecentMessages } from './recent-messages';
import { ReconnectLinksCard } from './reconnect-links-card';
import { RecoveryCard } from './recovery-card';
import { SendTextForm } from './send-text-form';
import { SettingsForm } from './settings-form';
import { UptimeCard } from './uptime-card';
import { TemplateCard } from './template-card';
import { WebhookCard } from './webhook-card';
import { type ActionFeedback, ActionFeedbackAlert } from './action-feedback';

export interface InstanceDetailPageProps {
  instanceId: number;
  /** Operators and admins act; viewers read. */
  canOperate: boolean;
  /** Only admins delete. */
  canDelete: boolean;
}

/** One instance: status and profile, live; connect, actions, history, webhook, settings. */
export function InstanceDetailPage({ instanceId, canOperate, canDelete }: InstanceDetailPageProps) {
  const { t } = useInstancesTranslation();
  const instance = useInstance(instanceId);
  useInstanceRealtime(instanceId);

  if (instance.isPending) return <LoadingState label={t('detail.loading')} />;
  if (instance.isError) {
    return (
      <>
        <BackLink />
        <InstanceError error={instance.error} onRetry={() => void instance.refetch()} />
      </>
    );
  }
  return (
    <InstanceDetail
      instance={instance.data}
      canOperate={canOperate && !instance.data.deleted_at}
      canDelete={canDelete && !instance.data.deleted_at}
    />
  );
}

function BackLink() {
  const { t } = useInstancesTranslation();
  return (
    <Link to={paths.instances.getHref()} className="d-inline-flex align-items-center gap-1 small mb-2">
      <FeatureIcon name="arrow-left" />
      {t('detail.back')}
    </Link>
  );
}

function InstanceDetail({
  instance,
  canOperate,
  canDelete,
}: {
  instance: Instance;
  canOperate: boolean;
  canDelete: boolean;
}) {
  const { t } = useInstancesTranslation();
  const navigate = useNavigate();
  const describeError = useInstanceErrorMessage();
  const servers = useServerOptions();
  const action = useInstanceAction();
  const sync = useSyncInstance();
  const [connectOpen, setConnectOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [feedback, setFeedback] = useState<ActionFeedback | null>(
    null,
  );
  const serverName = servers.data?.find((server) => server.id === instance.server_id)?.name;
  const name = instance.display_name;
  const isOpen = instance.status === 'open';
  const busy = action.isPending || sync.isPending;

  const run = (kind: Exclude<SimpleAction, 'webhook'>) => {
    setFeedback(null);
    action.mutate(
      { id: instance.id, action: kind },
      {
        onSuccess: () => setFeedback({ variant: 'success', text: t(`actions.done.${kind}`, { name }) }),
        onError: (error) =>
          setFeedback({
            variant: 'danger',
            text: `${t('actions.failed', { name })} ${describeError(error).message}`,
          }),
      },
    );
  };

  const runSync = () => {
    setFeedback(null);
    sync.mutate(instance.id, {
      onSuccess: (report) => {
        const item = report.items.at(0);
        setFeedback(
          item && !item.ok
            ? { variant: 'danger', text: `${t('actions.failed', { name })} ${item.detail ?? item.error ?? ''}` }
            : { variant: 'success', text: t('actions.done.sync', { name }) },
        );
      },
      onError: (error) =>
        setFeedback({
          variant: 'danger',
          text: `${t('actions.failed', { name })} ${describeError(error).message}`,
        }),
    });
  };

  const spinnerFor = (kind: SimpleAction) =>
    action.isPending && action.variables.action === kind ? (
      <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
    ) : null;

  const actions = canOperate ? (
    <>
      {!isOpen ? (
        <Button variant="success" onClick={() => setConnectOpen(true)} disabled={busy}>
          <Icon name="plug" className="me-1" />
          {t('actions.connect')}
        </Button>
      ) : null}
      {isOpen || instance.status === 'connecting' ? (
        <>
          <Button variant="outline-danger" onClick={() => run('disconnect')} disabled={busy}>
            {spinnerFor('disconnect') ?? <FeatureIcon name="power" className="me-1" />}
            {t('actions.disconnect')}
          </Button>
          {/* Evolution refuses to restart a closed instance: connect it instead. */}
          <Button variant="outline-secondary" onClick={() => run('restart')} disabled={busy}>
            {spinnerFor('restart') ?? <Icon name="arrow-repeat" className="me-1" />}
            {t('actions.restart')}
          </Button>
        </>
      ) : null}
      <Button variant="outline-secondary" onClick={runSync} disabled={busy}>
        {sync.isPending ? (
          <Spinner animation="border" size="sm" aria-hidden="true" className="me-1" />
        ) : (
          <Icon name="arrow-clockwise" className="me-1" />
        )}
        {t('actions.sync')}
      </Button>
      <Link to={paths.instanceEdit.getHref(instance.id)} className="btn btn-outline-secondary">
        <Icon name="pencil" className="me-1" />
        {t('actions.edit')}
      </Link>
      {canDelete ? (
        <Button variant="outline-danger" onClick={() => setDeleteOpen(true)}>
          <Icon name="trash" className="me-1" />
          {t('actions.delete')}
        </Button>
      ) : null}
    </>
  ) : null;

  return (
    <>
      <BackLink />
      <PageHeader
        title={name}
        description={
          <span className="d-inline-flex flex-wrap align-items-center gap-2">
            <span data-testid="instance-status" aria-live="polite">
              <StatusBadge status={instance.status} />
            </span>
            <span className="font-monospace small">{instance.name}</span>
          </span>
        }
        actions={actions}
      />

      {instance.deleted_at ? (
        <Alert variant="secondary">{t('detail.deleted')}</Alert>
      ) : null}

      <div aria-live="polite">
        <ActionFeedbackAlert feedback={feedback} onClose={() => setFeedback(null)} />
      </div>

      <Tabs defaultActiveKey="overview" id="instance-tabs" className="instance-tabs mb-3" mountOnEnter>
        <Tab eventKey="overview" title={t('detail.tabs.overview')}>
          <div className="row g-4">
            <div className="col-lg-7">
              <InstanceOverview instance={instance} serverName={serverName} />
              <WebhookCard instance={instance} canOperate={canOperate} />
              <TemplateCard instanceId={instance.id} />
              <DestinationsCard instanceId={instance.id} canOperate={canOperate} />
            </div>
            <div className="col-lg-5">
              <UptimeCard instanceId={instance.id} />
              <ConnectionTimeline instanceId={instance.id} />
              {canOperate ? <ReconnectLinksCard instance={instance} /> : null}
              <RecoveryCard instanceId={instance.id} canOperate={canOperate} />
            </div>
          </div>
        </Tab>
        <Tab eventKey="messages" title={t('detail.tabs.messages')}>
          <div className="row g-4">
            <div className={canOperate ? 'col-lg-7' : 'col-12'}>
              <RecentMessages instanceId={instance.id} />
            </div>
            {canOperate ? (
              <div className="col-lg-5">
                <SendTextForm instanceId={instance.id} connected={isOpen} />
              </div>
            ) : null}
          </div>
        </Tab>
        {!instance.deleted_at ? (
          <Tab eventKey="settings" title={t('detail.tabs.settings')}>
            <div className="row g-4">
              <div className="col-lg-6">
                <SettingsForm instanceId={instance.id} canOperate={canOperate} />
              </div>
              <div className="col-lg-6">
                <AllowListEditor instanceId={instance.id} canOperate={canOperate} />
              </div>
            </div>
          </Tab>
        ) : null}
      </Tabs>

      {canOperate ? (
        <ConnectDialog instance={instance} show={connectOpen} onHide={() => setConnectOpen(false)} />
      ) : null}
      {canDelete ? (
        <DeleteInstanceDialog
          instance={instance}
          show={deleteOpen}
          onHide={() => setDeleteOpen(false)}
          onDeleted={() => {
            const state: InstancesFlash = { flash: t('delete.done', { name }) };
            void navigate(paths.instances.getHref(), { state });
          }}
        />
      ) : null}
    </>
  );
}

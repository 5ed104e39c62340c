import './instances.css';

import { useNavigate } from 'react-router';

import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { paths } from '@/config/paths';

import { useInstance } from '../api/get-instance';
import { useServerOptions } from '../api/get-servers';
import { useInstancesTranslation } from '../locales';
import { EventsCard } from './events-card';
import { InstanceEditForm } from './instance-edit-form';
import { InstanceError } from './instance-error';

/** Editar instância: the fields that can change after creation. */
export function InstanceEditPage({ instanceId }: { instanceId: number }) {
  const { t } = useInstancesTranslation();
  const navigate = useNavigate();
  const instance = useInstance(instanceId);
  const servers = useServerOptions();
  const back = () => void navigate(paths.instance.getHref(instanceId));

  if (instance.isPending) return <LoadingState label={t('detail.loading')} />;
  if (instance.isError) {
    return <InstanceError error={instance.error} onRetry={() => void instance.refetch()} />;
  }
  return (
    <>
      <PageHeader
        title={t('form.editTitle', { name: instance.data.display_name })}
        description={t('form.editDescription')}
      />
      <InstanceEditForm
        instance={instance.data}
        serverName={servers.data?.find((server) => server.id === instance.data.server_id)?.name}
        onSaved={back}
        onCancel={back}
      />
      <div className="mt-4">
        <EventsCard instance={instance.data} />
      </div>
    </>
  );
}

import './instances.css';

import { useNavigate, useSearchParams } from 'react-router';

import { LoadingState } from '@/components/ui/loading-state';
import { PageHeader } from '@/components/ui/page-header';
import { paths } from '@/config/paths';

import { useServerOptions } from '../api/get-servers';
import { useInstancesTranslation } from '../locales';
import { InstanceCreateForm } from './instance-create-form';
import { InstanceError } from './instance-error';

/** Nova instância: the form, with the registered servers to pick from. */
export function InstanceNewPage({ isAdmin }: { isAdmin: boolean }) {
  const { t } = useInstancesTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const servers = useServerOptions();
  const serverParam = Number(params.get('server'));

  return (
    <>
      <PageHeader title={t('form.createTitle')} description={t('form.createDescription')} />
      {servers.isPending ? (
        <LoadingState />
      ) : (
        <>
          {/* Without the list, the URL + key mode still works. */}
          {servers.isError ? <InstanceError error={servers.error} className="mb-4" /> : null}
          <InstanceCreateForm
            servers={servers.data ?? []}
            initialServerId={Number.isInteger(serverParam) && serverParam > 0 ? serverParam : null}
            isAdmin={isAdmin}
            onCreated={(instance) => void navigate(paths.instance.getHref(instance.id))}
            onCancel={() => void navigate(paths.instances.getHref())}
          />
        </>
      )}
    </>
  );
}

import { useParams } from 'react-router';

import { useUser } from '@/features/auth/hooks/user-context';
import { InstanceDetailPage } from '@/features/instances/components/instance-detail-page';

import NotFoundRoute from '../../not-found';

export default function InstanceDetailRoute() {
  const user = useUser();
  const id = Number(useParams().instanceId);
  if (!Number.isInteger(id) || id <= 0) return <NotFoundRoute />;
  return (
    <InstanceDetailPage
      // A fresh page (dialogs, tabs) for each instance.
      key={id}
      instanceId={id}
      canOperate={user.role !== 'viewer'}
      canDelete={user.role === 'admin'}
    />
  );
}

import { useParams } from 'react-router';

import { useUser } from '@/features/auth/hooks/user-context';
import { InstanceEditPage } from '@/features/instances/components/instance-edit-page';
import { RequireOperator } from '@/features/instances/components/require-operator';

import NotFoundRoute from '../../not-found';

export default function InstanceEditRoute() {
  const user = useUser();
  const id = Number(useParams().instanceId);
  if (!Number.isInteger(id) || id <= 0) return <NotFoundRoute />;
  return (
    <RequireOperator canOperate={user.role !== 'viewer'}>
      <InstanceEditPage key={id} instanceId={id} />
    </RequireOperator>
  );
}

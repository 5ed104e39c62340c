import { useUser } from '@/features/auth/hooks/user-context';
import { RequireOperator } from '@/features/instances/components/require-operator';
import { InstanceNewPage } from '@/features/instances/components/instance-new-page';

export default function InstanceNewRoute() {
  const user = useUser();
  return (
    <RequireOperator canOperate={user.role !== 'viewer'}>
      <InstanceNewPage isAdmin={user.role === 'admin'} />
    </RequireOperator>
  );
}

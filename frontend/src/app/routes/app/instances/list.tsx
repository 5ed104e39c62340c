import { useUser } from '@/features/auth/hooks/user-context';
import { InstancesPage } from '@/features/instances/components/instances-page';

export default function InstancesListRoute() {
  const user = useUser();
  return <InstancesPage canOperate={user.role !== 'viewer'} canDelete={user.role === 'admin'} />;
}

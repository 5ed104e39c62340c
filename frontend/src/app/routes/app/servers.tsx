import { useUser } from '@/features/auth/hooks/user-context';
import { ServersPage } from '@/features/servers/components/servers-page';

export default function ServersRoute() {
  const user = useUser();
  return <ServersPage canManage={user.role === 'admin'} canTest={user.role !== 'viewer'} />;
}

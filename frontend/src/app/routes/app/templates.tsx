import { useUser } from '@/features/auth/hooks/user-context';
import { TemplatesPage } from '@/features/instances/components/templates-page';

export default function TemplatesRoute() {
  const user = useUser();
  return <TemplatesPage canOperate={user.role !== 'viewer'} canManage={user.role === 'admin'} />;
}

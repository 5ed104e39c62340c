import { useUser } from '@/features/auth/hooks/user-context';
import { DeliveriesPage } from '@/features/webhooks/components/deliveries-page';

export default function DeliveriesRoute() {
  const user = useUser();
  return <DeliveriesPage canOperate={user.role !== 'viewer'} />;
}

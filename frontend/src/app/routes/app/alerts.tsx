import { useSearchParams } from 'react-router';

import { AlertsPage } from '@/features/alerts/components/alerts-page';
import { useUser } from '@/features/auth/hooks/user-context';

export default function AlertsRoute() {
  const user = useUser();
  const [search] = useSearchParams();
  const highlight = Number(search.get('alert'));
  return (
    <AlertsPage
      userId={user.id}
      canOperate={user.role !== 'viewer'}
      isAdmin={user.role === 'admin'}
      highlight={Number.isInteger(highlight) && highlight > 0 ? highlight : null}
    />
  );
}

import { useUser } from '@/features/auth/hooks/user-context';
import { InvoicesPage } from '@/features/ledger/components/invoices-page';

export default function InvoicesRoute() {
  const user = useUser();
  return <InvoicesPage canOperate={user.role !== 'viewer'} />;
}

import { useUser } from '@/features/auth/hooks/user-context';
import { ImportPage } from '@/features/instances/components/import-page';
import { RequireOperator } from '@/features/instances/components/require-operator';

export default function InstanceImportRoute() {
  const user = useUser();
  return (
    <RequireOperator canOperate={user.role !== 'viewer'}>
      <ImportPage />
    </RequireOperator>
  );
}

import { RequireRole } from '@/features/auth/components/protected-route';
import { useUser } from '@/features/auth/hooks/user-context';
import { UsersPage } from '@/features/users/components/users-page';

export default function UsersRoute() {
  const user = useUser();
  return (
    <RequireRole role="admin">
      <UsersPage currentUserId={user.id} />
    </RequireRole>
  );
}

import { RequireRole } from '@/features/auth/components/protected-route';

import { PlaceholderPage } from './placeholder-page';

export default function UsersRoute() {
  return (
    <RequireRole role="admin">
      <PlaceholderPage page="users" icon="people" />
    </RequireRole>
  );
}

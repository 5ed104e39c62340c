import { Suspense } from 'react';
import { Outlet } from 'react-router';

import { DashboardLayout } from '@/components/layouts/dashboard-layout';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { useLogout } from '@/features/auth/api/logout';
import { ProtectedRoute } from '@/features/auth/components/protected-route';
import { useUser } from '@/features/auth/hooks/user-context';

/** Every page behind the login: the session check, then the shell around the page. */
export function AppRoot() {
  return (
    <ProtectedRoute>
      <Shell />
    </ProtectedRoute>
  );
}

function Shell() {
  const user = useUser();
  const logout = useLogout();
  return (
    <DashboardLayout user={user} onLogout={() => logout.mutate()} loggingOut={logout.isPending}>
      {logout.isError ? <ErrorState error={logout.error} className="mb-4" /> : null}
      <Suspense fallback={<LoadingState />}>
        <Outlet />
      </Suspense>
    </DashboardLayout>
  );
}

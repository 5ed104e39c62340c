import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect } from 'react';
import { Outlet } from 'react-router';

import { DashboardLayout } from '@/components/layouts/dashboard-layout';
import { AlertBell, AlertToasts } from '@/features/alerts/components/alert-center';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { meQueryKey } from '@/features/auth/api/get-me';
import { useLogout } from '@/features/auth/api/logout';
import { markSessionEnded } from '@/features/auth/api/session-ended';
import { ProtectedRoute } from '@/features/auth/components/protected-route';
import { useUser } from '@/features/auth/hooks/user-context';
import { RealtimeProvider } from '@/lib/realtime';

import { prefetchLinks } from '../../pages';

/**
 * Every page behind the login: the session check, then the one realtime connection
 * (open only while logged in), then the shell around the page. The page's own code and
 * data do not wait for the session check: the router's loaders started them.
 */
export function AppRoot() {
  const queryClient = useQueryClient();
  // A link about to be followed starts its page's code and data (see prefetchLinks).
  useEffect(() => prefetchLinks(queryClient), [queryClient]);
  return (
    <ProtectedRoute>
      <RealtimeProvider
        // The socket was refused or closed (4401): the session ended, e.g. logged out on
        // another device. Ask the API; the login page will say why it is shown.
        onUnauthorized={() => {
          markSessionEnded(queryClient);
          void queryClient.invalidateQueries({ queryKey: meQueryKey() });
        }}
      >
        <Shell />
      </RealtimeProvider>
    </ProtectedRoute>
  );
}

function Shell() {
  const user = useUser();
  const logout = useLogout();
  return (
    <DashboardLayout
      user={user}
      onLogout={() => logout.mutate()}
      loggingOut={logout.isPending}
      topbar={<AlertBell />}
    >
      <AlertToasts userId={user.id} />
      {logout.isError ? <ErrorState error={logout.error} className="mb-4" /> : null}
      <Suspense fallback={<LoadingState />}>
        <Outlet />
      </Suspense>
    </DashboardLayout>
  );
}

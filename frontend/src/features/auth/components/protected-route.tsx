import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';

import type { Role } from '@/api/generated/types.gen';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { LoadingState } from '@/components/ui/loading-state';
import { paths } from '@/config/paths';

import { useMe } from '../api/get-me';
import { isSessionEnded } from '../api/session-ended';
import { UserContext, useUser } from '../hooks/user-context';

/** Renders its children only with a valid session; otherwise sends to /login?next=<here>. */
export function ProtectedRoute({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();

  if (me.isPending) return <LoadingState fullPage />;
  if (me.isError) {
    return (
      <main className="container py-5">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }
  if (!me.data) {
    const here = `${location.pathname}${location.search}${location.hash}`;
    const reason = isSessionEnded(queryClient) ? 'session-ended' : undefined;
    return <Navigate to={paths.login.getHref(here, reason)} replace />;
  }
  return <UserContext value={me.data}>{children}</UserContext>;
}

/** Shows a "restricted" notice instead of its children when the user lacks the role. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const user = useUser();
  const { t } = useTranslation();
  if (user.role !== role) {
    return (
      <EmptyState
        icon="shield-lock"
        title={t('pages.forbidden.title')}
        description={t('pages.forbidden.description')}
      />
    );
  }
  return children;
}

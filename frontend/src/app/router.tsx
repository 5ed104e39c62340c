import { lazy, Suspense } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';

import { LoadingState } from '@/components/ui/loading-state';
import { paths } from '@/config/paths';

import { AppRoot } from './routes/app/root';
import { RouteError } from './routes/route-error';

// Route-level code splitting: each page is its own chunk, fetched when first visited.
const LoginRoute = lazy(() => import('./routes/auth/login'));
/** The dashboard's code: also fetched early by `warmUp` (see ./warm-up.ts). */
export const loadDashboardRoute = () => import('./routes/app/dashboard');
const DashboardRoute = lazy(loadDashboardRoute);
const InstancesRoute = lazy(() => import('./routes/app/instances/list'));
const InstanceNewRoute = lazy(() => import('./routes/app/instances/new'));
const InstanceImportRoute = lazy(() => import('./routes/app/instances/import'));
const InstanceDetailRoute = lazy(() => import('./routes/app/instances/detail'));
const InstanceEditRoute = lazy(() => import('./routes/app/instances/edit'));
const ServersRoute = lazy(() => import('./routes/app/servers'));
const MessagesRoute = lazy(() => import('./routes/app/messages'));
const MessageDetailRoute = lazy(() => import('./routes/app/messages-detail'));
const JobsRoute = lazy(() => import('./routes/app/jobs'));
const JobDetailRoute = lazy(() => import('./routes/app/jobs-detail'));
const UsersRoute = lazy(() => import('./routes/app/users'));
const EventsRoute = lazy(() => import('./routes/app/events'));
const DeliveriesRoute = lazy(() => import('./routes/app/deliveries'));
const AccountRoute = lazy(() => import('./routes/app/account'));
const NotFoundRoute = lazy(() => import('./routes/not-found'));

export const routes: RouteObject[] = [
  {
    element: (
      <Suspense fallback={<LoadingState fullPage />}>
        <Outlet />
      </Suspense>
    ),
    errorElement: <RouteError />,
    children: [
      { path: paths.login.path, element: <LoginRoute /> },
      {
        path: paths.dashboard.path,
        element: <AppRoot />,
        errorElement: <RouteError />,
        children: [
          { index: true, element: <DashboardRoute /> },
          { path: paths.instances.path, element: <InstancesRoute /> },
          { path: paths.instanceNew.path, element: <InstanceNewRoute /> },
          { path: paths.instanceImport.path, element: <InstanceImportRoute /> },
          { path: paths.instance.path, element: <InstanceDetailRoute /> },
          { path: paths.instanceEdit.path, element: <InstanceEditRoute /> },
          { path: paths.servers.path, element: <ServersRoute /> },
          {
            path: paths.messages.path,
            element: <MessagesRoute />,
            children: [{ path: paths.message.path, element: <MessageDetailRoute /> }],
          },
          { path: paths.jobs.path, element: <JobsRoute /> },
          { path: paths.job.path, element: <JobDetailRoute /> },
          { path: paths.users.path, element: <UsersRoute /> },
          { path: paths.events.path, element: <EventsRoute /> },
          { path: paths.deliveries.path, element: <DeliveriesRoute /> },
          { path: paths.account.path, element: <AccountRoute /> },
          { path: '*', element: <NotFoundRoute /> },
        ],
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);

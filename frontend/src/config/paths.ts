/** Why the login page is shown: the session ended elsewhere, or after "log out everywhere". */
export type LoginReason = 'session-ended' | 'signed-out-everywhere';

export function loginReason(value: string | null): LoginReason | null {
  return value === 'session-ended' || value === 'signed-out-everywhere' ? value : null;
}

/** The one table of route paths; links and redirects use it instead of string literals. */
export const paths = {
  login: {
    path: '/login',
    /** `reason` makes the login page say why it is shown (see LoginReason). */
    getHref: (next?: string | null, reason?: LoginReason) => {
      const params = new URLSearchParams();
      if (next && next !== '/') params.set('next', next);
      if (reason) params.set('reason', reason);
      const query = params.toString();
      return query ? `/login?${query}` : '/login';
    },
  },
  dashboard: { path: '/', getHref: () => '/' },
  instances: {
    path: '/instances',
    getHref: (search = '') => `/instances${search}`,
  },
  instanceNew: { path: '/instances/new', getHref: () => '/instances/new' },
  instanceImport: { path: '/instances/import', getHref: () => '/instances/import' },
  instance: {
    path: '/instances/:instanceId',
    getHref: (id: number | string) => `/instances/${String(id)}`,
  },
  instanceEdit: {
    path: '/instances/:instanceId/edit',
    getHref: (id: number | string) => `/instances/${String(id)}/edit`,
  },
  servers: { path: '/servers', getHref: () => '/servers' },
  messages: { path: '/messages', getHref: () => '/messages' },
  message: {
    path: ':messageId',
    getHref: (id: number | string, search = '') => `/messages/${String(id)}${search}`,
  },
  jobs: { path: '/jobs', getHref: () => '/jobs' },
  job: { path: '/jobs/:jobId', getHref: (id: number | string) => `/jobs/${String(id)}` },
  reports: { path: '/reports', getHref: (search = '') => `/reports${search}` },
  invoices: { path: '/invoices', getHref: (search = '') => `/invoices${search}` },
  backups: { path: '/backups', getHref: () => '/backups' },
  users: { path: '/users', getHref: () => '/users' },
  events: { path: '/events', getHref: () => '/events' },
  deliveries: { path: '/deliveries', getHref: () => '/deliveries' },
  account: { path: '/account', getHref: () => '/account' },
  alerts: { path: '/alerts', getHref: (search = '') => `/alerts${search}` },
  templates: { path: '/templates', getHref: () => '/templates' },
} as const;

/**
 * The `next` query parameter comes from the URL, so only same-origin absolute paths are
 * followed (no `//evil.example`, no `https://…`, no way back to the login page itself).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return paths.dashboard.getHref();
  }
  if (next === paths.login.path || next.startsWith(`${paths.login.path}?`)) {
    return paths.dashboard.getHref();
  }
  return next;
}

import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { auditListAudit } from '@/api/generated/sdk.gen';
import { env } from '@/config/env';

export const AUDIT_PAGE_SIZE = 50;

/** The actions the backend records (the filter matches one exactly). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.login_throttled',
  'auth.logout',
  'auth.password_changed',
  'api_key.created',
  'api_key.revoked',
  'user.created',
  'user.updated',
  'user.password_reset',
  'user.bootstrap_admin',
  'server.created',
  'server.updated',
  'server.deleted',
  'server.tested',
  'instance.created',
  'instance.updated',
  'instance.deleted',
  'instance.imported',
  'instance.connect',
  'instance.disconnect',
  'instance.restart',
  'instance.webhook_applied',
  'instance.settings_changed',
  'instance.allowlist_updated',
  'message.sent',
  'job.retry',
  'job.cancel',
  'team.created',
  'team.updated',
  'team.deleted',
  'instance.recovery_requested',
  'invoice.paid',
  'invoice.ignored',
  'invoice.open',
  'backup.exported',
  'backup.imported',
  'retention.purged',
  'privacy.exported',
  'privacy.erased',
] as const;

export const getAuditQueryOptions = (action: string, page: number) =>
  queryOptions({
    queryKey: ['users', 'audit', { action, page }] as const,
    queryFn: async ({ signal }) => {
      const { data } = await auditListAudit({
        query: { page, page_size: AUDIT_PAGE_SIZE, ...(action ? { action } : {}) },
        signal,
        throwOnError: true,
      });
      return data;
    },
    placeholderData: keepPreviousData,
  });

export const useAudit = (action: string, page: number) =>
  useQuery(getAuditQueryOptions(action, page));

/** The CSV of every entry matching the page's filter (`;` for Excel in pt-BR). */
export function auditCsvHref(action: string, language: string): string {
  const query = new URLSearchParams({ format: 'csv', sep: language.startsWith('pt') ? ';' : ',' });
  if (action) query.set('action', action);
  return `${env.API_BASE_URL}/api/audit?${query.toString()}`;
}

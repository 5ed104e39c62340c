import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod';

import {
  authChangePassword,
  authCreateApiKey,
  authEndAllSessions,
  authEndSession,
  authListApiKeys,
  authListSessions,
  authLogin,
  authRevokeApiKey,
} from '@/api/generated/sdk.gen';
import type {
  ApiKeyCreated,
  ApiKeyRead,
  EndSessionsResult,
  Operation,
} from '@/api/generated/types.gen';

// Messages are i18n keys (in the account namespace), translated where they are shown.
export const changePasswordInputSchema = z
  .object({
    current: z.string().min(1, 'password.validation.current'),
    next: z.string().min(8, 'password.validation.new').max(256, 'password.validation.new'),
    confirm: z.string(),
    /** Also revoke every API key of mine (sessions always end). */
    revokeApiKeys: z.boolean(),
  })
  .refine((values) => values.next === values.confirm, {
    path: ['confirm'],
    error: 'password.validation.confirm',
  })
  .refine((values) => values.next !== values.current, {
    path: ['next'],
    error: 'password.validation.same',
  });
export type ChangePasswordInput = z.infer<typeof changePasswordInputSchema>;

export async function changePassword(input: ChangePasswordInput): Promise<void> {
  await authChangePassword({
    body: {
      current_password: input.current,
      new_password: input.next,
      revoke_api_keys: input.revokeApiKeys,
    },
    throwOnError: true,
  });
}

/**
 * Changing the password ends every session, this one included; logging in again with the
 * new password right away keeps this browser in. `loggedIn` says whether that worked.
 */
export async function changePasswordAndStay(
  username: string,
  input: ChangePasswordInput,
): Promise<{ loggedIn: boolean }> {
  await changePassword(input);
  try {
    await authLogin({ body: { username, password: input.next }, throwOnError: true });
    return { loggedIn: true };
  } catch {
    return { loggedIn: false };
  }
}

export function useChangePassword(username: string) {
  const queryClient = useQueryClient();
  return useMutation({
    // Every session ended (and maybe the keys): the lists are stale. Logged out (the new
    // login failed), asking again would only answer 401.
    onSuccess: ({ loggedIn }) => {
      if (loggedIn) void queryClient.invalidateQueries({ queryKey: ['account'] });
    },
    // A 401 here is the old session ending as planned, not something to redirect on.
    meta: { ignoreUnauthorized: true },
    mutationFn: (input: ChangePasswordInput) => changePasswordAndStay(username, input),
  });
}

export const apiKeysKey = ['account', 'api-keys'] as const;

export const getApiKeysQueryOptions = () =>
  queryOptions({
    queryKey: apiKeysKey,
    queryFn: async ({ signal }) => {
      const { data } = await authListApiKeys({ signal, throwOnError: true });
      return data;
    },
  });

export const useApiKeys = () => useQuery(getApiKeysQueryOptions());

/** The operations a key can be limited to (backend/evodash/auth/operations.py). */
export const OPERATIONS = ['read_messages', 'send_messages', 'manage_instances'] as const;
/** Operations that write: meaningless on a read-only key. */
export const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['send_messages', 'manage_instances']);
/** The API's bounds on a key's instances and teams. */
export const KEY_LIMITS = { instances: 1000, teams: 100 } as const;

export const createApiKeyInputSchema = z.object({
  name: z.string().trim().min(1, 'keys.validation.name').max(100, 'keys.validation.name'),
  /** A calendar date (YYYY-MM-DD) or empty; the key expires at the end of that day. */
  expires: z
    .string()
    .refine(
      (value) => value === '' || endOfDay(value).getTime() > Date.now(),
      'keys.validation.expires',
    ),
  /** Requests made with this key may create more keys (off: a leaked key cannot mint). */
  canCreateKeys: z.boolean(),
  /** Whether the limits below apply (off: the key may do whatever its owner may). */
  limited: z.boolean(),
  /** Every request but a read is refused. */
  readOnly: z.boolean(),
  /** Only these operations (none: whatever its owner may do). */
  operations: z.array(z.enum(OPERATIONS)).max(OPERATIONS.length),
  /** Only these instances, and those of `teamIds` (none of either: all its owner sees). */
  instanceIds: z.array(z.number().int().positive()).max(KEY_LIMITS.instances),
  teamIds: z.array(z.number().int().positive()).max(KEY_LIMITS.teams),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInputSchema>;

export const emptyApiKeyInput: CreateApiKeyInput = {
  name: '',
  expires: '',
  canCreateKeys: false,
  limited: false,
  readOnly: false,
  operations: [],
  instanceIds: [],
  teamIds: [],
};

/** Whether a key is limited in any way (its owner's reach otherwise). */
export const hasLimits = (key: ApiKeyRead) =>
  key.read_only ||
  key.operations.length > 0 ||
  key.instance_ids.length > 0 ||
  key.team_ids.length > 0;

function endOfDay(value: string): Date {
  const [year = 0, month = 1, day = 1] = value.split('-').map(Number);
  return new Date(year, month - 1, day, 23, 59, 59);
}

export async function createApiKey(input: CreateApiKeyInput): Promise<ApiKeyCreated> {
  const { data } = await authCreateApiKey({
    body: {
      name: input.name,
      expires_at: input.expires ? endOfDay(input.expires).toISOString() : null,
      can_create_keys: input.canCreateKeys,
      ...(input.limited
        ? {
            read_only: input.readOnly,
            operations: input.operations,
            instance_ids: input.instanceIds,
            team_ids: input.teamIds,
          }
        : {}),
    },
    throwOnError: true,
  });
  return data;
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export async function revokeApiKey(id: number): Promise<ApiKeyRead> {
  const { data } = await authRevokeApiKey({ path: { key_id: id }, throwOnError: true });
  return data;
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export type ApiKeyState = 'active' | 'revoked' | 'expired';

export function apiKeyState(key: ApiKeyRead, now: number = Date.now()): ApiKeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired';
  return 'active';
}

// --- sessions -------------------------------------------------------------------------

export const sessionsKey = ['account', 'sessions'] as const;

export const getSessionsQueryOptions = () =>
  queryOptions({
    queryKey: sessionsKey,
    queryFn: async ({ signal }) => {
      const { data } = await authListSessions({ signal, throwOnError: true });
      return data;
    },
  });

export const useSessions = () => useQuery(getSessionsQueryOptions());

export function useEndSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await authEndSession({ path: { session_id: id }, throwOnError: true });
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: sessionsKey }),
  });
}

/** "Sair de todos os dispositivos": every session and token of mine ends, this one too. */
export async function endAllSessions(revokeApiKeys: boolean): Promise<EndSessionsResult> {
  const { data } = await authEndAllSessions({
    body: { revoke_api_keys: revokeApiKeys },
    throwOnError: true,
  });
  return data;
}

export function useEndAllSessions({ onSuccess }: { onSuccess: () => void }) {
  return useMutation({
    // This session ends too; what follows is a page load, not an expired-session redirect.
    meta: { ignoreUnauthorized: true },
    mutationFn: endAllSessions,
    onSuccess,
  });
}

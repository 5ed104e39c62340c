import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import * as z from 'zod';

import {
  usersCreateUser,
  usersListUsers,
  usersResetPassword,
  usersUpdateUser,
} from '@/api/generated/sdk.gen';
import type { Role, UserCreated, UserRead, UserUpdate } from '@/api/generated/types.gen';

export const USERS_PAGE_SIZE = 25;
export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

export const usersKeys = {
  all: ['users'] as const,
  list: (search: string, page: number) => ['users', 'list', { search, page }] as const,
};

export const getUsersQueryOptions = (search: string, page: number) =>
  queryOptions({
    queryKey: usersKeys.list(search, page),
    queryFn: async ({ signal }) => {
      const { data } = await usersListUsers({
        query: { page, page_size: USERS_PAGE_SIZE, ...(search ? { search } : {}) },
        signal,
        throwOnError: true,
      });
      return data;
    },
    placeholderData: keepPreviousData,
  });

export const useUsers = (search: string, page: number) =>
  useQuery(getUsersQueryOptions(search, page));

// Messages are i18n keys (in the users namespace), translated where they are shown.
const optionalPassword = z
  .string()
  .refine((value) => value === '' || value.length >= 8, 'create.validation.password')
  .refine((value) => value.length <= 256, 'create.validation.password');

export const createUserInputSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.@+-]{3,150}$/, 'create.validation.username'),
  email: z
    .string()
    .trim()
    .refine(
      (value) => value === '' || z.email().safeParse(value).success,
      'create.validation.email',
    ),
  role: z.enum(['admin', 'operator', 'viewer']),
  password: optionalPassword,
});
export type CreateUserInput = z.infer<typeof createUserInputSchema>;

export async function createUser(input: CreateUserInput): Promise<UserCreated> {
  const { data } = await usersCreateUser({
    body: {
      username: input.username,
      role: input.role,
      email: input.email || null,
      password: input.password || null,
    },
    throwOnError: true,
  });
  return data;
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: usersKeys.all }),
  });
}

export async function updateUser(id: number, body: UserUpdate): Promise<UserRead> {
  const { data } = await usersUpdateUser({ path: { user_id: id }, body, throwOnError: true });
  return data;
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UserUpdate }) => updateUser(id, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: usersKeys.all }),
  });
}

export const resetPasswordInputSchema = z.object({ password: optionalPassword });
export type ResetPasswordInput = z.infer<typeof resetPasswordInputSchema>;

/** The new password when the server generated one, else null. */
export async function resetPassword(id: number, password: string): Promise<string | null> {
  const { data } = await usersResetPassword({
    path: { user_id: id },
    body: { password: password || null },
    throwOnError: true,
  });
  return data.password ?? null;
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ id, password }: { id: number; password: string }) => resetPassword(id, password),
  });
}

import { type UseMutationOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import * as z from 'zod';

import { authLogin } from '@/api/generated/sdk.gen';
import type { LoginResult } from '@/api/generated/types.gen';
import type { ApiError } from '@/lib/api-error';

import { meQueryKey } from './get-me';
import { clearSessionEnded } from './session-ended';

// Messages are i18n keys, translated where they are shown, so they follow the language.
export const loginInputSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1, 'auth.validation.usernameRequired')
    .max(150, 'auth.validation.usernameTooLong'),
  password: z.string().min(1, 'auth.validation.passwordRequired'),
});

export type LoginInput = z.infer<typeof loginInputSchema>;

export async function login(input: LoginInput): Promise<LoginResult> {
  const { data } = await authLogin({ body: input, throwOnError: true });
  return data;
}

type UseLoginOptions = Omit<UseMutationOptions<LoginResult, ApiError, LoginInput>, 'mutationFn'>;

export function useLogin({ onSuccess, ...options }: UseLoginOptions = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    // Wrong credentials answer 401 too: that is not an expired session.
    meta: { ignoreUnauthorized: true },
    mutationFn: login,
    onSuccess: (data, ...rest) => {
      clearSessionEnded(queryClient);
      queryClient.setQueryData(meQueryKey(), data.user);
      return onSuccess?.(data, ...rest);
    },
  });
}

import { useMutation, useQueryClient } from '@tanstack/react-query';

import { serversTestNewServer, serversTestServer } from '@/api/generated/sdk.gen';
import type { ServerTestResult } from '@/api/generated/types.gen';

import { serversQueryKeyPrefix } from './get-servers';

export type TestResult = ServerTestResult;

/** Tests a URL + key before saving (nothing is stored). */
export async function testNewServer(input: {
  base_url: string;
  api_key: string;
}): Promise<TestResult> {
  const { data } = await serversTestNewServer({ body: input, throwOnError: true });
  return data;
}

/** Tests a saved server with its stored URL and key; the backend keeps what it saw. */
export async function testSavedServer(serverId: number): Promise<TestResult> {
  const { data } = await serversTestServer({ path: { server_id: serverId }, throwOnError: true });
  return data;
}

export function useTestNewServer() {
  return useMutation({ mutationFn: testNewServer });
}

/** The list shows the check's outcome (version, reachability), failed or not: refresh it. */
export function useTestSavedServer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: testSavedServer,
    onSettled: () => queryClient.invalidateQueries({ queryKey: serversQueryKeyPrefix() }),
  });
}

import { useMutation, useQueryClient } from '@tanstack/react-query';

import { statsOverviewQueryKey } from '@/api/generated/@tanstack/react-query.gen';
import { serversCreateServer, serversUpdateServer } from '@/api/generated/sdk.gen';
import type { ServerRead, ServerUpdateWritable } from '@/api/generated/types.gen';

import { serversQueryKeyPrefix } from './get-servers';
import type { ServerFormInput } from './server-schema';

export async function createServer(input: ServerFormInput): Promise<ServerRead> {
  const { data } = await serversCreateServer({ body: input, throwOnError: true });
  return data;
}

/** Sends only what changed; an empty key keeps the stored one. */
export async function updateServer(
  server: ServerRead,
  input: ServerFormInput,
): Promise<ServerRead> {
  const body: ServerUpdateWritable = {};
  if (input.name !== server.name) body.name = input.name;
  if (input.base_url !== server.base_url) body.base_url = input.base_url;
  if (input.api_key) body.api_key = input.api_key;
  const { data } = await serversUpdateServer({
    path: { server_id: server.id },
    body,
    throwOnError: true,
  });
  return data;
}

/** Creates (no `server`) or updates a server, then refreshes the lists that show it. */
export function useSaveServer(server: ServerRead | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ServerFormInput) =>
      server ? updateServer(server, input) : createServer(input),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: serversQueryKeyPrefix() }),
        queryClient.invalidateQueries({ queryKey: statsOverviewQueryKey() }),
      ]);
    },
  });
}

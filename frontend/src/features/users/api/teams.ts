import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import * as z from 'zod';

import {
  teamsCreateTeam,
  teamsDeleteTeam,
  teamsListTeams,
  teamsUpdateTeam,
} from '@/api/generated/sdk.gen';
import type { TeamRead } from '@/api/generated/types.gen';

export const TEAMS_PAGE_SIZE = 25;
/** The API's bounds (backend/evodash/teams/schemas.py). */
export const TEAM_LIMITS = { users: 500, servers: 200, instances: 2000 } as const;

export const teamsKeys = {
  all: ['teams'] as const,
  list: (page: number) => ['teams', 'list', { page }] as const,
};

export const getTeamsQueryOptions = (page: number) =>
  queryOptions({
    queryKey: teamsKeys.list(page),
    queryFn: async ({ signal }) => {
      const { data } = await teamsListTeams({
        query: { page, page_size: TEAMS_PAGE_SIZE },
        signal,
        throwOnError: true,
      });
      return data;
    },
    placeholderData: keepPreviousData,
  });

export const useTeams = (page: number) => useQuery(getTeamsQueryOptions(page));

// Messages are i18n keys (in the users namespace), translated where they are shown.
export const teamInputSchema = z.object({
  name: z.string().trim().min(1, 'teams.validation.name').max(100, 'teams.validation.name'),
  description: z.string().trim().max(500, 'teams.validation.description'),
  userIds: z.array(z.number().int().positive()).max(TEAM_LIMITS.users),
  serverIds: z.array(z.number().int().positive()).max(TEAM_LIMITS.servers),
  instanceIds: z.array(z.number().int().positive()).max(TEAM_LIMITS.instances),
});
export type TeamInput = z.infer<typeof teamInputSchema>;

export const teamToInput = (team: TeamRead | null): TeamInput => ({
  name: team?.name ?? '',
  description: team?.description ?? '',
  userIds: team?.user_ids ?? [],
  serverIds: team?.server_ids ?? [],
  instanceIds: team?.instance_ids ?? [],
});

const toBody = (input: TeamInput) => ({
  name: input.name,
  description: input.description,
  user_ids: input.userIds,
  server_ids: input.serverIds,
  instance_ids: input.instanceIds,
});

/** Creates the team (no id) or replaces an existing one's fields and lists. */
export async function saveTeam({ id, input }: { id: number | null; input: TeamInput }) {
  if (id === null) {
    const { data } = await teamsCreateTeam({ body: toBody(input), throwOnError: true });
    return data;
  }
  const { data } = await teamsUpdateTeam({
    path: { team_id: id },
    body: toBody(input),
    throwOnError: true,
  });
  return data;
}

export function useSaveTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveTeam,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: teamsKeys.all });
      // Pickers elsewhere (API keys) name teams from their own cached list.
      void queryClient.invalidateQueries({ queryKey: ['picker', 'teams'] });
    },
  });
}

export function useDeleteTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await teamsDeleteTeam({ path: { team_id: id }, throwOnError: true });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: teamsKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['picker', 'teams'] });
    },
  });
}

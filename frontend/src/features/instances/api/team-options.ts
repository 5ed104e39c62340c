import { queryOptions } from '@tanstack/react-query';

import { teamsListTeams } from '@/api/generated/sdk.gen';

// Its own module: the templates API is in the app's entry (route loaders), this is not.
export interface TeamOption {
  id: number;
  name: string;
}

/** The teams a template can be applied to (admins list them; 200, the API's page bound). */
export const getTeamOptionsQueryOptions = () =>
  queryOptions({
    queryKey: ['instances', 'team-options'] as const,
    queryFn: async ({ signal }): Promise<TeamOption[]> => {
      const { data } = await teamsListTeams({
        query: { page: 1, page_size: 200 },
        signal,
        throwOnError: true,
      });
      return data.items.map(({ id, name }) => ({ id, name }));
    },
    staleTime: 60_000,
  });

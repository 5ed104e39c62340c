import { keepPreviousData, queryOptions } from '@tanstack/react-query';

import {
  instancesGetInstance,
  instancesListInstances,
  serversListServers,
  teamsListTeams,
  usersGetUser,
  usersListUsers,
} from '@/api/generated/sdk.gen';

import { isApiError } from './api-error';
import { formatPhone } from './format-br';

/** One choice of a searchable multi-select: a row's id and what people call it. */
export interface PickerOption {
  id: number;
  label: string;
  /** A second, quieter line (a phone, an e-mail, a URL). */
  detail?: string;
}

/** A page of matches: at most `PICKER_PAGE_SIZE` of `total`. */
export interface PickerMatches {
  items: PickerOption[];
  total: number;
}

/**
 * Where a multi-select finds its choices: `search` answers the matches for a text (a
 * bounded page), `resolve` names the ids already chosen that no search has shown yet.
 */
export interface PickerSource {
  key: string;
  search: (text: string, signal: AbortSignal) => Promise<PickerMatches>;
  resolve: (ids: readonly number[], signal: AbortSignal) => Promise<PickerOption[]>;
}

/** Matches shown per search: the person narrows the text rather than scrolling far. */
export const PICKER_PAGE_SIZE = 20;
/** Ids named at once (one request each where the API has no list by id). */
export const PICKER_MAX_RESOLVE = 50;
/** Small collections are read whole (at most the API's page size) and filtered here. */
const WHOLE_LIST = 200;

export const pickerSearchQueryOptions = (source: PickerSource, text: string) =>
  queryOptions({
    queryKey: ['picker', source.key, 'search', text] as const,
    queryFn: ({ signal }) => source.search(text, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export const pickerNamesQueryOptions = (source: PickerSource, ids: readonly number[]) => {
  const wanted = [...new Set(ids)].sort((a, b) => a - b).slice(0, PICKER_MAX_RESOLVE);
  return queryOptions({
    queryKey: ['picker', source.key, 'names', wanted] as const,
    queryFn: ({ signal }) => source.resolve(wanted, signal),
    enabled: wanted.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
};

function filterLocally(options: PickerOption[], text: string): PickerMatches {
  const needle = text.trim().toLocaleLowerCase();
  const found = needle
    ? options.filter((option) =>
        `${option.label} ${option.detail ?? ''}`.toLocaleLowerCase().includes(needle),
      )
    : options;
  return { items: found.slice(0, PICKER_PAGE_SIZE), total: found.length };
}

/** Resolves ids one request each, in parallel; ids that no longer exist are left out. */
async function eachById(
  ids: readonly number[],
  get: (id: number) => Promise<PickerOption | null>,
): Promise<PickerOption[]> {
  const found = await Promise.all(ids.slice(0, PICKER_MAX_RESOLVE).map((id) => get(id)));
  return found.filter((option): option is PickerOption => option !== null);
}

/** A row read by id: null when it is gone (404), any other failure thrown. */
function orGone<T>(result: { data?: T; error?: unknown }): T | null {
  if (result.data !== undefined) return result.data;
  if (isApiError(result.error) && result.error.status === 404) return null;
  throw result.error;
}

export const instancePicker: PickerSource = {
  key: 'instances',
  search: async (text, signal) => {
    const { data } = await instancesListInstances({
      query: { page_size: PICKER_PAGE_SIZE, ...(text ? { search: text } : {}) },
      signal,
      throwOnError: true,
    });
    return {
      items: data.items.map((instance) => ({
        id: instance.id,
        label: instance.display_name || instance.name,
        detail: instance.phone_number ? formatPhone(instance.phone_number) : instance.name,
      })),
      total: data.total,
    };
  },
  resolve: (ids, signal) =>
    eachById(ids, async (id) => {
      const data = orGone(await instancesGetInstance({ path: { instance_id: id }, signal }));
      return data ? { id, label: data.display_name || data.name } : null;
    }),
};

export const userPicker: PickerSource = {
  key: 'users',
  search: async (text, signal) => {
    const { data } = await usersListUsers({
      query: { page_size: PICKER_PAGE_SIZE, ...(text ? { search: text } : {}) },
      signal,
      throwOnError: true,
    });
    return {
      items: data.items.map((user) => ({
        id: user.id,
        label: user.username,
        detail: user.email ?? undefined,
      })),
      total: data.total,
    };
  },
  resolve: (ids, signal) =>
    eachById(ids, async (id) => {
      const data = orGone(await usersGetUser({ path: { user_id: id }, signal }));
      return data ? { id, label: data.username } : null;
    }),
};

async function allServers(signal: AbortSignal): Promise<PickerOption[]> {
  const { data } = await serversListServers({
    query: { page_size: WHOLE_LIST },
    signal,
    throwOnError: true,
  });
  return data.items.map((server) => ({ id: server.id, label: server.name, detail: server.base_url }));
}

export const serverPicker: PickerSource = {
  key: 'servers',
  search: async (text, signal) => filterLocally(await allServers(signal), text),
  resolve: async (ids, signal) => {
    const wanted = new Set(ids);
    return (await allServers(signal)).filter((server) => wanted.has(server.id));
  },
};

async function allTeams(signal: AbortSignal): Promise<PickerOption[]> {
  const { data } = await teamsListTeams({
    query: { page_size: WHOLE_LIST },
    signal,
    throwOnError: true,
  });
  return data.items.map((team) => ({
    id: team.id,
    label: team.name,
    detail: team.description || undefined,
  }));
}

export const teamPicker: PickerSource = {
  key: 'teams',
  search: async (text, signal) => filterLocally(await allTeams(signal), text),
  resolve: async (ids, signal) => {
    const wanted = new Set(ids);
    return (await allTeams(signal)).filter((team) => wanted.has(team.id));
  },
};

import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  alertsAcknowledge,
  alertsAlertSummary,
  alertsCreateChannel,
  alertsDeleteChannel,
  alertsListAlerts,
  alertsListChannels,
  alertsListRules,
  alertsResetRule,
  alertsSilence,
  alertsTestChannel,
  alertsUpdateChannel,
  alertsUpdateRule,
} from '@/api/generated/sdk.gen';
import type {
  AlertsListAlertsData,
  AlertState,
  ChannelCreateWritable,
  ChannelUpdateWritable,
  RuleKind,
  RuleUpdate,
} from '@/api/generated/types.gen';

export const ALERTS_PAGE_SIZE = 25;

export interface AlertFilters {
  rule: RuleKind | '';
  state: AlertState | '';
  /** `instance:12`, `server:3`, `jobs:invoice`. */
  subject: string;
  page: number;
}

export const EMPTY_FILTERS: AlertFilters = { rule: '', state: '', subject: '', page: 1 };

/** One key prefix for everything about alerts: an alert event refreshes all of it. */
export const alertsKeys = {
  all: ['alerts'] as const,
  summary: () => ['alerts', 'summary'] as const,
  list: (filters: AlertFilters) => ['alerts', 'list', filters] as const,
  firing: () => ['alerts', 'firing'] as const,
  rules: () => ['alerts', 'rules'] as const,
  channels: () => ['alerts', 'channels'] as const,
};

type ListQuery = NonNullable<AlertsListAlertsData['query']>;

export const getAlertSummaryQueryOptions = () =>
  queryOptions({
    queryKey: alertsKeys.summary(),
    queryFn: async ({ signal }) =>
      (await alertsAlertSummary({ signal, throwOnError: true })).data,
  });

export const getAlertsQueryOptions = (filters: AlertFilters) =>
  queryOptions({
    queryKey: alertsKeys.list(filters),
    queryFn: async ({ signal }) => {
      const query: ListQuery = { page: filters.page, page_size: ALERTS_PAGE_SIZE };
      if (filters.rule) query.rule = filters.rule;
      if (filters.state) query.state = filters.state;
      if (filters.subject) query.subject = filters.subject;
      return (await alertsListAlerts({ query, signal, throwOnError: true })).data;
    },
  });

/** What fires now (first page: the bell and the top of the page). */
export const getFiringQueryOptions = () =>
  queryOptions({
    queryKey: alertsKeys.firing(),
    queryFn: async ({ signal }) =>
      (
        await alertsListAlerts({
          query: { state: 'firing', page_size: 100 },
          signal,
          throwOnError: true,
        })
      ).data,
  });

export const getRulesQueryOptions = () =>
  queryOptions({
    queryKey: alertsKeys.rules(),
    queryFn: async ({ signal }) => (await alertsListRules({ signal, throwOnError: true })).data,
  });

export const getChannelsQueryOptions = () =>
  queryOptions({
    queryKey: alertsKeys.channels(),
    queryFn: async ({ signal }) => (await alertsListChannels({ signal, throwOnError: true })).data,
  });

export const useAlertSummary = () => useQuery(getAlertSummaryQueryOptions());
export const useAlerts = (filters: AlertFilters) => useQuery(getAlertsQueryOptions(filters));
export const useFiring = () => useQuery(getFiringQueryOptions());
export const useRules = () => useQuery(getRulesQueryOptions());
export const useChannels = (enabled = true) =>
  useQuery({ ...getChannelsQueryOptions(), enabled });

function useAlertsMutation<TInput, TOutput>(fn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: alertsKeys.all }),
  });
}

export const useAcknowledge = () =>
  useAlertsMutation(
    async (id: number) =>
      (await alertsAcknowledge({ path: { alert_id: id }, throwOnError: true })).data,
  );

export const useSilence = () =>
  useAlertsMutation(
    async ({ id, minutes }: { id: number; minutes: number }) =>
      (await alertsSilence({ path: { alert_id: id }, body: { minutes }, throwOnError: true }))
        .data,
  );

export const useUpdateRule = () =>
  useAlertsMutation(
    async ({ kind, change }: { kind: RuleKind; change: RuleUpdate }) =>
      (await alertsUpdateRule({ path: { kind }, body: change, throwOnError: true })).data,
  );

export const useResetRule = () =>
  useAlertsMutation(
    async (kind: RuleKind) => (await alertsResetRule({ path: { kind }, throwOnError: true })).data,
  );

export const useCreateChannel = () =>
  useAlertsMutation(
    async (body: ChannelCreateWritable) =>
      (await alertsCreateChannel({ body, throwOnError: true })).data,
  );

export const useUpdateChannel = () =>
  useAlertsMutation(
    async ({ id, change }: { id: number; change: ChannelUpdateWritable }) =>
      (await alertsUpdateChannel({ path: { channel_id: id }, body: change, throwOnError: true }))
        .data,
  );

export const useDeleteChannel = () =>
  useAlertsMutation(async (id: number) => {
    await alertsDeleteChannel({ path: { channel_id: id }, throwOnError: true });
    return id;
  });

export const useTestChannel = () =>
  useMutation({
    mutationFn: async (id: number) =>
      (await alertsTestChannel({ path: { channel_id: id }, throwOnError: true })).data,
  });

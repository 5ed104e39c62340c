import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  templatesCheckDrift,
  templatesCreateTemplate,
  templatesDeleteTemplate,
  templatesListDrift,
  templatesListTemplates,
  templatesPreview,
  templatesUpdateTemplate,
} from '@/api/generated/sdk.gen';
import type {
  DriftItem,
  PreviewRead,
  TemplateDiff,
  TemplateRead,
  TemplateUpdateWritable,
  TemplateWriteWritable,
} from '@/api/generated/types.gen';

export type { DriftItem, PreviewRead, TemplateDiff, TemplateRead };
export type TemplateWrite = TemplateWriteWritable;

/** One key prefix for templates and drift: an apply refreshes all of it. */
export const templatesKeys = {
  all: ['templates'] as const,
  list: () => ['templates', 'list'] as const,
  drift: (instanceId?: number) => ['templates', 'drift', instanceId ?? 'all'] as const,
};

export const getTemplatesQueryOptions = () =>
  queryOptions({
    queryKey: templatesKeys.list(),
    queryFn: async ({ signal }) =>
      (await templatesListTemplates({ query: { page_size: 200 }, signal, throwOnError: true }))
        .data,
  });

export const useTemplates = () => useQuery(getTemplatesQueryOptions());

/** What the last checks found for the linked instances (no Evolution call). */
export const getDriftQueryOptions = (instanceId?: number) =>
  queryOptions({
    queryKey: templatesKeys.drift(instanceId),
    queryFn: async ({ signal }) =>
      (
        await templatesListDrift({
          query: instanceId ? { instance_id: instanceId } : {},
          signal,
          throwOnError: true,
        })
      ).data,
  });

export const useTemplateDrift = (instanceId?: number) =>
  useQuery(getDriftQueryOptions(instanceId));

export function useSaveTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number | null; body: TemplateWrite }) => {
      if (id === null) {
        return (await templatesCreateTemplate({ body, throwOnError: true })).data;
      }
      const update: TemplateUpdateWritable = body;
      return (
        await templatesUpdateTemplate({
          path: { template_id: id },
          body: update,
          throwOnError: true,
        })
      ).data;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKeys.all }),
  });
}

export function useDeleteTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await templatesDeleteTemplate({ path: { template_id: id }, throwOnError: true });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKeys.all }),
  });
}

/** What a template is previewed on: some instances, or every instance of a team. */
export type PreviewTargets = number[] | { team_id: number };

export async function previewTemplate(id: number, targets: PreviewTargets): Promise<PreviewRead> {
  const { data } = await templatesPreview({
    path: { template_id: id },
    body: Array.isArray(targets) ? { instance_ids: targets } : targets,
    throwOnError: true,
  });
  return data;
}

export function useCheckDrift() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) =>
      (await templatesCheckDrift({ path: { template_id: id }, throwOnError: true })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKeys.all }),
  });
}

/** Whether a diff changes nothing. */
export const isEmptyDiff = (diff: TemplateDiff | null | undefined): boolean =>
  !diff ||
  ((diff.settings ?? []).length === 0 &&
    (diff.events_added ?? []).length === 0 &&
    (diff.events_removed ?? []).length === 0 &&
    (diff.numbers_added ?? []).length === 0 &&
    (diff.numbers_removed ?? []).length === 0 &&
    (diff.destinations ?? []).length === 0);

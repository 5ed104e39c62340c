import { queryOptions, useQuery } from '@tanstack/react-query';

import { jobsListJobs } from '@/api/generated/sdk.gen';
import type { JobRead, MessageRead } from '@/api/generated/types.gen';

// A message's job is created in the same transaction that stores the message, so it is
// among the instance's jobs created within moments of it. (The API has no "job of this
// message" lookup; this window keeps the search to one small page.)
const BEFORE_MS = 5_000;
const AFTER_MS = 10 * 60_000;

export const getMessageJobQueryOptions = (message: MessageRead) =>
  queryOptions({
    queryKey: ['messages', 'job', message.id] as const,
    queryFn: async ({ signal }): Promise<JobRead | null> => {
      const created = Date.parse(message.created_at);
      const { data } = await jobsListJobs({
        query: {
          instance_id: message.instance_id,
          created_from: new Date(created - BEFORE_MS).toISOString(),
          created_to: new Date(created + AFTER_MS).toISOString(),
          page_size: 100,
        },
        signal,
        throwOnError: true,
      });
      return data.items.find((job) => job.message_id === message.id) ?? null;
    },
  });

/** Only images from allowed senders get a job. */
export function mayHaveJob(message: MessageRead): boolean {
  return message.message_type === 'image' && message.is_allowed;
}

export const useMessageJob = (message: MessageRead | undefined) =>
  useQuery({
    ...getMessageJobQueryOptions(
      message ?? ({ id: 0, instance_id: 0, created_at: '' } as MessageRead),
    ),
    enabled: message !== undefined && mayHaveJob(message),
  });

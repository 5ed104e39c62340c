import type { QueryClient } from '@tanstack/react-query';

import { instanceEventsKey } from './get-instance-events';
import { instanceKey } from './get-instance';
import { type Instance, instancesListKey } from './get-instances';

/** The API answered with the instance as it is now: show it everywhere. */
export function storeInstance(queryClient: QueryClient, instance: Instance): void {
  queryClient.setQueryData(instanceKey(instance.id), instance);
  void queryClient.invalidateQueries({ queryKey: instancesListKey() });
  void queryClient.invalidateQueries({ queryKey: instanceEventsKey(instance.id) });
}

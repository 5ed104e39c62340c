/** Instance statuses, as stored by the backend (DESIGN.md §3). */
export const INSTANCE_STATUSES = [
  'created',
  'connecting',
  'open',
  'close',
  'refused',
  'unreachable',
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export function isInstanceStatus(value: string): value is InstanceStatus {
  return (INSTANCE_STATUSES as readonly string[]).includes(value);
}

import type { RuleKind } from '@/api/generated/types.gen';

/** Every rule, in the order the pages list them. */
export const RULES: readonly RuleKind[] = [
  'down',
  'connecting',
  'zombie',
  'flapping',
  'server_unreachable',
  'forward_failing',
  'jobs_failing',
  'backup_failed',
];

import { formatPhone, phoneDigits } from '@/lib/format-br';

import type { Instance } from '../api/get-instances';

/** The number to show: the connected account's, else the one registered. */
export function instanceNumber(instance: Pick<Instance, 'owner_jid' | 'phone_number'>): string {
  return formatPhone(phoneDigits(instance.owner_jid) || instance.phone_number);
}

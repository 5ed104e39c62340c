import type { Direction, MessageRead } from '@/api/generated/types.gen';
import { phoneDigits } from '@/lib/format-br';
import { type PeriodValue, periodRange, readPeriod, writePeriod } from '@/lib/period';

export const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'other',
  'unknown',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export const DIRECTIONS: readonly Direction[] = ['in', 'out'];
export type AllowedStatus = 'allowed' | 'blocked';

/** The list filters, as kept in the URL query string. */
export interface MessageFilters {
  instanceId: number | null;
  direction: Direction | '';
  type: MessageType | '';
  status: AllowedStatus | '';
  period: PeriodValue;
  sender: string;
  q: string;
}

export const EMPTY_FILTERS: MessageFilters = {
  instanceId: null,
  direction: '',
  type: '',
  status: '',
  period: { period: '', from: '', to: '' },
  sender: '',
  q: '',
};

function oneOf<T extends string>(values: readonly T[], value: string | null): T | '' {
  return value !== null && (values as readonly string[]).includes(value) ? (value as T) : '';
}

/** Reads the filters from the URL; anything unknown is ignored (a hand-edited link). */
export function readMessageFilters(params: URLSearchParams): MessageFilters {
  const instance = Number(params.get('instance'));
  return {
    instanceId: Number.isInteger(instance) && instance > 0 ? instance : null,
    direction: oneOf(DIRECTIONS, params.get('direction')),
    type: oneOf(MESSAGE_TYPES, params.get('type')),
    status: oneOf(['allowed', 'blocked'] as const, params.get('status')),
    period: readPeriod(params),
    sender: (params.get('sender') ?? '').trim().slice(0, 128),
    q: (params.get('q') ?? '').trim().slice(0, 200),
  };
}

/** A copy of `params` with the filters written in (other parameters are kept). */
export function writeMessageFilters(
  params: URLSearchParams,
  filters: MessageFilters,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (key: string, value: string) => {
    if (value) next.set(key, value);
    else next.delete(key);
  };
  set('instance', filters.instanceId === null ? '' : String(filters.instanceId));
  set('direction', filters.direction);
  set('type', filters.type);
  set('status', filters.status);
  writePeriod(next, filters.period);
  set('sender', filters.sender.trim());
  set('q', filters.q.trim());
  return next;
}

/** How many filters differ from "everything". */
export function countActiveFilters(filters: MessageFilters): number {
  return [
    filters.instanceId !== null,
    filters.direction,
    filters.type,
    filters.status,
    filters.period.period,
    filters.sender,
    filters.q,
  ].filter(Boolean).length;
}

/**
 * Whether a message that just arrived belongs in the filtered list. Exact for every filter
 * but the search, which the server does more cleverly (Brazilian ninth digit, JIDs): here
 * it is a plain contains, good enough to count new messages for the "N novas" pill.
 */
export function matchesFilters(
  message: MessageRead,
  filters: MessageFilters,
  now: number = Date.now(),
): boolean {
  if (filters.instanceId !== null && message.instance_id !== filters.instanceId) return false;
  if (filters.direction && message.direction !== filters.direction) return false;
  if (filters.type && message.message_type !== filters.type) return false;
  if (filters.status && message.is_allowed !== (filters.status === 'allowed')) return false;
  const { since, until } = periodRange(filters.period, now);
  const at = Date.parse(message.wa_timestamp);
  if (since && at < Date.parse(since)) return false;
  if (until && at >= Date.parse(until)) return false;
  const phones = [message.sender_phone, message.remote_jid, message.participant]
    .map(phoneDigits)
    .join(' ');
  if (filters.sender) {
    const digits = phoneDigits(filters.sender);
    if (digits && !phones.includes(digits.slice(-8))) return false;
  }
  if (filters.q) {
    const q = filters.q.toLowerCase();
    const digits = /^[\d\s()+-]+$/.test(q) ? phoneDigits(q) : '';
    const haystack = `${message.text ?? ''} ${message.sender_name ?? ''}`.toLowerCase();
    if (digits ? !phones.includes(digits) : !haystack.includes(q)) return false;
  }
  return true;
}

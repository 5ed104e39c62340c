import type { UptimeWindow } from '@/api/generated/types.gen';

/** One colour per timeline state (readable on both themes); `unknown`: no data. */
export const UPTIME_STATE_COLORS = {
  open: '#16a34a',
  connecting: '#f59e0b',
  close: '#64748b',
  created: '#0ea5e9',
  refused: '#ef4444',
  unreachable: '#be123c',
  unknown: '#cbd5e1',
} as const;

export type UptimeState = keyof typeof UPTIME_STATE_COLORS;
export const UPTIME_STATES = Object.keys(UPTIME_STATE_COLORS) as UptimeState[];

/** Bootstrap text colour of an uptime figure: green from 99 %, amber from 95 %, else red. */
export function uptimeTone(percent: number | null | undefined): string {
  if (percent === null || percent === undefined) return 'text-body-secondary';
  if (percent >= 99) return 'text-success-emphasis';
  if (percent >= 95) return 'text-warning-emphasis';
  return 'text-danger-emphasis';
}

export function hasData(window: UptimeWindow | undefined): window is UptimeWindow {
  return window?.uptime_percent !== null && window?.uptime_percent !== undefined;
}

import type { InstanceStatus } from '@/lib/instance-status';

/** One colour per instance status, for the doughnut chart (readable on both themes). */
export const STATUS_CHART_COLORS: Record<InstanceStatus, string> = {
  open: '#16a34a',
  connecting: '#f59e0b',
  close: '#64748b',
  created: '#0ea5e9',
  refused: '#ef4444',
  unreachable: '#be123c',
};

/** Lines of the messages chart, per theme (lighter strokes on the dark background). */
export const MESSAGE_SERIES_COLORS = {
  light: { incoming: '#0f766e', outgoing: '#2563eb', blocked: '#dc2626' },
  dark: { incoming: '#2dd4bf', outgoing: '#60a5fa', blocked: '#f87171' },
} as const;

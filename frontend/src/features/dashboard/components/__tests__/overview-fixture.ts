import type { StatsOverview } from '@/api/generated/types.gen';

const NOW = Date.now();
export const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** A dashboard overview with some of everything; override what a test is about. */
export function createOverview(overrides: Partial<StatsOverview> = {}): StatsOverview {
  const hours = Array.from({ length: 24 }, (_, index) => ({
    hour: new Date(NOW - (23 - index) * 3_600_000).toISOString(),
    incoming: index,
    outgoing: index % 3,
    blocked: index % 5 === 0 ? 1 : 0,
  }));
  return {
    generated_at: new Date(NOW).toISOString(),
    servers: 2,
    servers_unreachable: 1,
    instances_total: 1280,
    instances_by_status: {
      created: 3,
      connecting: 5,
      open: 1234,
      close: 30,
      refused: 1,
      unreachable: 7,
    },
    messages: {
      last_24h: 15230,
      incoming_24h: 12000,
      outgoing_24h: 3230,
      blocked_24h: 42,
      total: 999_999,
    },
    jobs_by_status: { pending: 4, running: 2, succeeded: 100, failed: 1, cancelled: 0 },
    messages_per_hour: hours,
    recent_instances: [
      {
        id: 17,
        display_name: 'Loja Centro',
        name: 'loja-centro',
        status: 'open',
        server_id: 1,
        created_at: minutesAgo(3),
      },
    ],
    latest_messages: [
      {
        id: 5,
        instance_id: 17,
        instance_name: 'Loja Centro',
        direction: 'in',
        message_type: 'text',
        sender_phone: '5511987654321',
        sender_name: 'Mariana Souza',
        text: 'Segue a fatura',
        is_allowed: false,
        wa_timestamp: minutesAgo(1),
      },
      {
        id: 6,
        instance_id: 17,
        instance_name: 'Loja Centro',
        direction: 'out',
        message_type: 'image',
        sender_phone: null,
        sender_name: null,
        text: null,
        is_allowed: true,
        wa_timestamp: minutesAgo(2),
      },
    ],
    latest_connection_events: [
      {
        id: 9,
        instance_id: 17,
        instance_name: 'Loja Centro',
        state: 'open',
        previous_state: 'connecting',
        reason_code: null,
        source: 'webhook',
        at: minutesAgo(3),
      },
    ],
    ...overrides,
  };
}

import type { InstanceRead, MessageRead } from '@/api/generated/types.gen';

export function createMessage(overrides: Partial<MessageRead> = {}): MessageRead {
  return {
    id: 1,
    instance_id: 2,
    message_id: 'ABC123',
    remote_jid: '5511987654321@s.whatsapp.net',
    participant: null,
    sender_phone: '+5511987654321',
    sender_name: 'Maria',
    direction: 'in',
    from_me: false,
    is_group: false,
    message_type: 'text',
    text: 'Olá, tudo bem?',
    media_mimetype: null,
    status: 'DELIVERY_ACK',
    wa_timestamp: '2026-05-27T17:03:00Z',
    is_allowed: true,
    deleted_at: null,
    created_at: '2026-05-27T17:03:01Z',
    ...overrides,
  };
}

export function createInstance(overrides: Partial<InstanceRead> = {}): InstanceRead {
  return {
    id: 2,
    server_id: 1,
    display_name: 'Loja Centro',
    name: 'loja-centro',
    evolution_id: null,
    status: 'open',
    phone_number: '+5511900000000',
    owner_jid: null,
    profile_name: null,
    profile_picture_url: null,
    disconnection_reason: null,
    webhook_events: [],
    webhook_drift: null,
    webhook_checked_at: null,
    allowed_numbers: [],
    reply_with_summary: false,
    pairing_code: null,
    last_qr_at: null,
    last_status_sync_at: null,
    last_error: null,
    connected_at: null,
    deleted_at: null,
    created_at: '2026-01-01T12:00:00Z',
    updated_at: '2026-01-01T12:00:00Z',
    ...overrides,
  } as InstanceRead;
}

export const instancesPage = (items: InstanceRead[]) => ({
  items,
  total: items.length,
  page: 1,
  page_size: 200,
});

import type { ConnectRead, InstanceRead, ServerRead } from '@/api/generated/types.gen';

export function makeInstance(overrides: Partial<InstanceRead> = {}): InstanceRead {
  return {
    id: 7,
    server_id: 1,
    display_name: 'Loja Centro',
    name: 'loja-centro',
    evolution_id: 'evo-7',
    status: 'close',
    phone_number: null,
    owner_jid: null,
    profile_name: null,
    profile_picture_url: null,
    disconnection_reason: null,
    token_last4: 'abcd',
    webhook_events: ['MESSAGES_UPSERT', 'CONNECTION_UPDATE'],
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
  };
}

export function makeServer(overrides: Partial<ServerRead> = {}): ServerRead {
  return {
    id: 1,
    name: 'Evolution principal',
    base_url: 'http://evo.example.com:8080',
    api_key_last4: 'wxyz',
    version: '2.3.6',
    whatsapp_web_version: null,
    is_reachable: true,
    last_error: null,
    last_checked_at: null,
    created_at: '2026-01-01T12:00:00Z',
    updated_at: '2026-01-01T12:00:00Z',
    ...overrides,
  };
}

/** A 1×1 PNG as a data URL, standing in for a QR code. */
export const QR_1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const QR_2 = `${QR_1}#2`;
export const QR_3 = `${QR_1}#3`;

export function connectAnswer(overrides: Partial<ConnectRead> = {}): ConnectRead {
  return {
    outcome: 'qr_code',
    qr_code: QR_1,
    pairing_code: null,
    count: 1,
    retry_after_seconds: null,
    message: 'Scan the QR code with WhatsApp (Linked devices).',
    instance: makeInstance({ status: 'connecting' }),
    ...overrides,
  };
}

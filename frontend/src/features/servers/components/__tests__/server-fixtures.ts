import type { ServerRead, ServerTestResult } from '@/api/generated/types.gen';

export function createServer(overrides: Partial<ServerRead> = {}): ServerRead {
  return {
    id: 1,
    name: 'Principal',
    base_url: 'http://evo.example.com:8080',
    api_key_last4: '1234',
    version: '2.3.6',
    whatsapp_web_version: '2.3000.1027934701',
    is_reachable: true,
    last_error: null,
    last_checked_at: new Date(Date.now() - 5.5 * 60_000).toISOString(),
    instance_count: 3,
    created_at: '2026-01-01T12:00:00Z',
    updated_at: '2026-01-01T12:00:00Z',
    ...overrides,
  };
}

export function createTestResult(overrides: Partial<ServerTestResult> = {}): ServerTestResult {
  return {
    reachable: true,
    version: '2.3.6',
    whatsapp_web_version: '2.3000.1027934701',
    client_name: 'evolution_exchange',
    api_key_valid: true,
    instance_count: 4,
    detail: 'Evolution API 2.3.6 answered; the API key works (4 instances).',
    latency_ms: 41.7,
    ...overrides,
  };
}

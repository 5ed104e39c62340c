import type { UserRead } from '@/api/generated/types.gen';

export function createUser(overrides: Partial<UserRead> = {}): UserRead {
  return {
    id: 1,
    username: 'maria',
    email: 'maria@example.com',
    role: 'admin',
    is_active: true,
    last_login_at: null,
    created_at: '2026-01-01T12:00:00Z',
    ...overrides,
  };
}

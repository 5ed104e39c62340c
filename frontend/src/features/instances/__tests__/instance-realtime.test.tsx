import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { MessageRead, MessagesListMessagesResponse } from '@/api/generated/types.gen';
import { RealtimeClient, RealtimeProvider } from '@/lib/realtime';
import { MockWebSocket } from '@/testing/mock-websocket';

import { instanceKey } from '../api/get-instance';
import { instanceEventsKey } from '../api/get-instance-events';
import { instanceMessagesKey } from '../api/instance-messages';
import { useInstanceRealtime } from '../hooks/use-instance-realtime';
import { makeInstance } from './factories';

function message(id: number, overrides: Partial<MessageRead> = {}): MessageRead {
  return {
    id,
    instance_id: 7,
    message_id: `M${String(id)}`,
    remote_jid: '5521998765432@s.whatsapp.net',
    participant: null,
    sender_phone: '+5521998765432',
    sender_name: 'Maria',
    direction: 'in',
    from_me: false,
    is_group: false,
    message_type: 'text',
    text: `text ${String(id)}`,
    media_mimetype: null,
    status: 'DELIVERY_ACK',
    wa_timestamp: `2026-01-01T12:00:0${String(id)}Z`,
    is_allowed: true,
    deleted_at: null,
    created_at: '2026-01-01T12:00:00Z',
    ...overrides,
  };
}

function setup() {
  const queryClient = new QueryClient();
  const client = new RealtimeClient({
    url: 'ws://test/api/ws',
    WebSocketImpl: MockWebSocket as unknown as typeof WebSocket,
  });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>
      <RealtimeProvider client={client}>{children}</RealtimeProvider>
    </QueryClientProvider>
  );
  renderHook(() => useInstanceRealtime(7), { wrapper });
  const socket = MockWebSocket.latest();
  act(() => socket.serverOpen());
  const send = (type: string, data: unknown) => act(() => socket.serverSend({ type, data }));
  return { queryClient, send };
}

beforeEach(() => MockWebSocket.reset());

describe('useInstanceRealtime', () => {
  it('puts the instance of instance.updated in the cache, refetching history only on a new status', () => {
    const { queryClient, send } = setup();
    queryClient.setQueryData(instanceKey(7), makeInstance({ status: 'connecting' }));
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');

    send('instance.updated', makeInstance({ status: 'connecting', profile_name: 'Acme' }));
    expect(queryClient.getQueryData(instanceKey(7))).toMatchObject({ profile_name: 'Acme' });
    expect(invalidate).not.toHaveBeenCalled();

    send('instance.updated', makeInstance({ status: 'open' }));
    expect(queryClient.getQueryData(instanceKey(7))).toMatchObject({ status: 'open' });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: instanceEventsKey(7) });
  });

  it('adds new messages to the recent list and replaces updated ones, without a request', () => {
    const { queryClient, send } = setup();
    const key = [...instanceMessagesKey(7), 2];
    const page: MessagesListMessagesResponse = { items: [message(2), message(1)], next_cursor: null };
    queryClient.setQueryData(key, page);
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');

    send('message.created', message(3));
    send('message.updated', message(2, { status: 'READ' }));
    send('message.created', message(9, { instance_id: 8 })); // another instance's

    const items = queryClient.getQueryData<MessagesListMessagesResponse>(key)?.items ?? [];
    expect(items.map((m) => [m.id, m.status])).toEqual([
      [3, 'DELIVERY_ACK'],
      [2, 'READ'],
    ]);
    expect(invalidate).not.toHaveBeenCalled();
  });
});

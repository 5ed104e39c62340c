import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { MockWebSocket } from '@/testing/mock-websocket';

import {
  backoffDelay,
  COALESCE_MS,
  RealtimeClient,
  RealtimeProvider,
  realtimeUrl,
  RECONNECTED,
  useInvalidateOn,
  useRealtimeEvent,
  useRealtimeStatus,
} from './realtime';

const fixedRandom = () => 0.5; // no jitter: 0.8 + 0.4 * 0.5 = 1

function newClient(extra: Partial<ConstructorParameters<typeof RealtimeClient>[0]> = {}) {
  return new RealtimeClient({
    url: 'ws://test/api/ws',
    WebSocketImpl: MockWebSocket as unknown as typeof WebSocket,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: fixedRandom,
    ...extra,
  });
}

function wrapperFor(client: RealtimeClient, queryClient = new QueryClient()) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider client={client}>{children}</RealtimeProvider>
      </QueryClientProvider>
    );
  };
}

beforeEach(() => {
  MockWebSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('realtimeUrl', () => {
  it('uses ws:// for http and wss:// for https', () => {
    expect(realtimeUrl('http://127.0.0.1:8000')).toBe('ws://127.0.0.1:8000/api/ws');
    expect(realtimeUrl('https://evodash.example.com/')).toBe('wss://evodash.example.com/api/ws');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the maximum, with bounded jitter', () => {
    const delays = [0, 1, 2, 3, 10].map((n) => backoffDelay(n, 1000, 30_000, fixedRandom));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 30_000]);
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(800);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1200);
  });
});

describe('RealtimeClient', () => {
  it('opens one socket and delivers events to listeners of their type', () => {
    const client = newClient();
    const updated = vi.fn();
    const any = vi.fn();
    client.subscribe('instance.updated', updated);
    client.subscribe('*', any);
    client.start();
    client.start(); // idempotent

    expect(MockWebSocket.instances).toHaveLength(1);
    const socket = MockWebSocket.latest();
    expect(socket.url).toBe('ws://test/api/ws');
    expect(client.status).toBe('connecting');
    socket.serverOpen();
    expect(client.status).toBe('open');

    socket.serverSend({ type: 'hello', data: { user: 'maria' } });
    socket.serverSend({ type: 'ping' });
    socket.serverSend('not json');
    socket.serverSend({
      id: 'e1',
      type: 'instance.updated',
      at: '2026-01-01T12:00:00Z',
      data: { id: 7, status: 'open' },
    });

    expect(updated).toHaveBeenCalledTimes(1);
    expect(updated).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'instance.updated', data: { id: 7, status: 'open' } }),
    );
    // hello and the event, never pings or garbage.
    expect(any.mock.calls.map(([event]) => (event as { type: string }).type)).toEqual([
      'hello',
      'instance.updated',
    ]);
    client.stop();
  });

  it('reconnects with exponential backoff and announces the reconnection', () => {
    const client = newClient();
    const reconnected = vi.fn();
    client.subscribe(RECONNECTED, reconnected);
    client.start();
    MockWebSocket.latest().serverOpen();

    MockWebSocket.latest().serverClose(1006);
    expect(client.status).toBe('reconnecting');
    vi.advanceTimersByTime(99);
    expect(MockWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(MockWebSocket.instances).toHaveLength(2);

    // The second attempt fails too: wait twice as long.
    MockWebSocket.latest().serverClose(1006);
    vi.advanceTimersByTime(199);
    expect(MockWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(MockWebSocket.instances).toHaveLength(3);

    expect(reconnected).not.toHaveBeenCalled();
    MockWebSocket.latest().serverOpen();
    expect(reconnected).toHaveBeenCalledTimes(1);
    expect(client.status).toBe('open');

    // A success resets the backoff.
    MockWebSocket.latest().serverClose(1006);
    vi.advanceTimersByTime(100);
    expect(MockWebSocket.instances).toHaveLength(4);
    client.stop();
  });

  it('asks the app to re-check the session when the server refuses it (4401)', () => {
    const onUnauthorized = vi.fn();
    const client = newClient({ onUnauthorized });
    client.start();
    MockWebSocket.latest().serverClose(4401, 'not authenticated');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    client.stop();
  });

  it('drops a silent socket and opens a new one', () => {
    const client = newClient({ idleTimeoutMs: 5000 });
    client.start();
    const first = MockWebSocket.latest();
    first.serverOpen();
    vi.advanceTimersByTime(4000);
    first.serverSend({ type: 'ping' }); // keeps it alive
    vi.advanceTimersByTime(4000);
    expect(first.closedWith).toBeNull();
    vi.advanceTimersByTime(1000);
    expect(first.closedWith).toEqual({ code: 4000, reason: 'idle' });
    vi.advanceTimersByTime(100);
    expect(MockWebSocket.instances).toHaveLength(2);
    client.stop();
  });

  it('stops for good: closes the socket and never reconnects', () => {
    const client = newClient();
    client.start();
    const socket = MockWebSocket.latest();
    socket.serverOpen();
    client.stop();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'logged out' });
    expect(client.status).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(MockWebSocket.instances).toHaveLength(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const client = newClient();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const good = vi.fn();
    client.subscribe('x', () => {
      throw new Error('boom');
    });
    client.subscribe('x', good);
    client.dispatch({ type: 'x', data: 1 });
    expect(good).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalled();
  });
});

describe('RealtimeProvider and hooks', () => {
  it('connects while mounted and enabled, and disconnects when logged out', () => {
    const client = newClient();
    const { rerender, unmount } = render(
      <RealtimeProvider client={client} enabled={false}>app</RealtimeProvider>,
    );
    expect(MockWebSocket.instances).toHaveLength(0);

    rerender(<RealtimeProvider client={client} enabled={true}>app</RealtimeProvider>);
    expect(MockWebSocket.instances).toHaveLength(1);
    const socket = MockWebSocket.latest();
    socket.serverOpen();

    rerender(<RealtimeProvider client={client} enabled={false}>app</RealtimeProvider>);
    expect(socket.closedWith?.code).toBe(1000);

    rerender(<RealtimeProvider client={client} enabled={true}>app</RealtimeProvider>);
    expect(MockWebSocket.instances).toHaveLength(2);
    unmount();
    expect(MockWebSocket.latest().closedWith?.code).toBe(1000);
  });

  it('useRealtimeEvent calls the latest handler for each listed type', () => {
    const client = newClient();
    const seen: string[] = [];
    const { rerender, unmount } = renderHook(
      ({ prefix }: { prefix: string }) => {
        useRealtimeEvent(['instance.qr', 'instance.updated'], (event) => {
          seen.push(`${prefix}:${event.type}:${event.data.id}`);
        });
      },
      { wrapper: wrapperFor(client), initialProps: { prefix: 'a' } },
    );
    MockWebSocket.latest().serverOpen();
    act(() => MockWebSocket.latest().serverSend({ type: 'instance.qr', data: { id: 1 } }));
    rerender({ prefix: 'b' });
    act(() => MockWebSocket.latest().serverSend({ type: 'instance.updated', data: { id: 2 } }));
    act(() => MockWebSocket.latest().serverSend({ type: 'message.created', data: { id: 3 } }));
    expect(seen).toEqual(['a:instance.qr:1', 'b:instance.updated:2']);
    // Re-rendering did not reconnect.
    expect(MockWebSocket.instances).toHaveLength(1);

    unmount();
    act(() => client.dispatch({ type: 'instance.qr', data: { id: 4 } }));
    expect(seen).toHaveLength(2);
  });

  it('useRealtimeEvent does nothing outside a provider', () => {
    const handler = vi.fn();
    renderHook(() => useRealtimeEvent('instance.updated', handler));
    expect(MockWebSocket.instances).toHaveLength(0);
    expect(handler).not.toHaveBeenCalled();
  });

  it('useRealtimeStatus follows the connection', () => {
    const client = newClient();
    const { result } = renderHook(() => useRealtimeStatus(), { wrapper: wrapperFor(client) });
    expect(result.current).toBe('connecting');
    act(() => MockWebSocket.latest().serverOpen());
    expect(result.current).toBe('open');
    act(() => MockWebSocket.latest().serverClose(1006));
    expect(result.current).toBe('reconnecting');
  });

  it('useInvalidateOn invalidates the matching queries once per burst, filtered', () => {
    const client = newClient();
    const queryClient = new QueryClient();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    renderHook(
      () =>
        useInvalidateOn(
          'instance.updated',
          [[{ _id: 'instancesListInstances' }], ['other']],
          { filter: (event) => event.data.id !== 99 },
        ),
      { wrapper: wrapperFor(client, queryClient) },
    );
    const socket = MockWebSocket.latest();
    socket.serverOpen();

    act(() => socket.serverSend({ type: 'instance.updated', data: { id: 99 } }));
    act(() => {
      vi.advanceTimersByTime(COALESCE_MS);
    });
    expect(invalidate).not.toHaveBeenCalled();

    act(() => {
      for (let id = 1; id <= 20; id += 1) socket.serverSend({ type: 'instance.updated', data: { id } });
    });
    act(() => {
      vi.advanceTimersByTime(COALESCE_MS);
    });
    expect(invalidate).toHaveBeenCalledTimes(2);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: [{ _id: 'instancesListInstances' }] });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['other'] });

    // After a reconnect everything is refetched (events may have been missed).
    invalidate.mockClear();
    act(() => socket.serverClose(1006));
    act(() => {
      vi.advanceTimersByTime(100);
    });
    act(() => MockWebSocket.latest().serverOpen());
    act(() => {
      vi.advanceTimersByTime(COALESCE_MS);
    });
    expect(invalidate).toHaveBeenCalledTimes(2);
  });
});

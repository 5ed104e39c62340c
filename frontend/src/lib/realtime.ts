/**
 * Realtime: one WebSocket to the backend's `/api/ws` for the whole logged-in app.
 *
 * The backend streams `{"id", "type", "at", "data"}` events; their types (`RealtimeEvent`,
 * a union discriminated by `type`) are generated from its OpenAPI document, so a handler
 * of `EVENT.messageCreated` gets a `MessageRead` in `data` without any checking by hand.
 * `<RealtimeProvider>` (mounted once, inside the login check) opens the socket, reconnects
 * with exponential backoff, and closes it when unmounted (logged out). Components listen
 * with `useRealtimeEvent(type, handler)` (and update their cached queries from the event's
 * data where they can), or keep queries fresh with `useInvalidateOn(types, queryKeys)`.
 *
 * Without a provider (unit tests of a component) the hooks do nothing.
 */
import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useEffect,
  useEffectEvent,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';

import type { RealtimeEventTypesResponse } from '@/api/generated/types.gen';
import { env } from '@/config/env';

/** Every event the backend sends (generated from its OpenAPI document). */
export type RealtimeEvent = RealtimeEventTypesResponse[number];
export type RealtimeEventType = RealtimeEvent['type'];
/** The event of one type, e.g. `EventOf<typeof EVENT.instanceQr>`. */
export type EventOf<T extends RealtimeEventType> = Extract<RealtimeEvent, { type: T }>;

/** The events' names: written here only, and checked against the generated union. */
export const EVENT = {
  instanceCreated: 'instance.created',
  instanceUpdated: 'instance.updated',
  instanceDeleted: 'instance.deleted',
  instanceQr: 'instance.qr',
  messageCreated: 'message.created',
  messageUpdated: 'message.updated',
  jobUpdated: 'job.updated',
  recoveryUpdated: 'recovery.updated',
  serverCreated: 'server.created',
  serverUpdated: 'server.updated',
  serverDeleted: 'server.deleted',
  alertFired: 'alert.fired',
  alertResolved: 'alert.resolved',
  alertAcked: 'alert.acked',
  bulkItem: 'bulk.item',
} as const satisfies Record<string, RealtimeEventType>;

export type RealtimeStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Sent to listeners of `RECONNECTED` after the socket came back: events may have been missed. */
export const RECONNECTED = 'realtime.reconnected';
/** Listeners of `ANY` hear every event. */
export const ANY = '*';

/** What the client itself signals to listeners (not sent by the backend). */
export interface Reconnected {
  type: typeof RECONNECTED;
  data: null;
}
/** What a listener of a type may hear. */
export type ListenType = RealtimeEventType | typeof RECONNECTED;
export type FrameOf<T extends ListenType> = T extends RealtimeEventType ? EventOf<T> : Reconnected;
type Frame = RealtimeEvent | Reconnected;

/** Close code the backend uses when the session cookie is missing or expired. */
export const UNAUTHORIZED_CLOSE_CODE = 4401;

type Listener = (event: Frame) => void;

export interface RealtimeOptions {
  /** ws:// or wss:// URL; defaults to `/api/ws` on the API's origin. */
  url?: string;
  /** The WebSocket constructor (tests pass a fake). */
  WebSocketImpl?: typeof WebSocket;
  /** First reconnect delay in ms, doubled after each failure up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No frame for this long (the server pings every 25 s) means a dead socket: reopen it. */
  idleTimeoutMs?: number;
  /** The server refused the session (close code 4401): let the app re-check the login. */
  onUnauthorized?: () => void;
  /** Math.random, replaceable so tests get exact delays. */
  random?: () => number;
}

/** `/api/ws` on the API's origin (same origin by default), with ws:// or wss://. */
export function realtimeUrl(base: string = env.API_BASE_URL || window.location.origin): string {
  const url = new URL('/api/ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Exponential backoff with ±20 % jitter (so many tabs do not reconnect in step). */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const exact = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

/**
 * The connection: a WebSocket that stays open while `start()`ed, and a registry of
 * listeners by event type. Framework-free, so it is easy to test.
 */
export class RealtimeClient {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<() => void>();
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running = false;
  private everOpened = false;
  private currentStatus: RealtimeStatus = 'idle';
  private readonly options: Required<Omit<RealtimeOptions, 'onUnauthorized' | 'url'>> &
    Pick<RealtimeOptions, 'onUnauthorized' | 'url'>;

  constructor(options: RealtimeOptions = {}) {
    this.options = {
      WebSocketImpl: options.WebSocketImpl ?? globalThis.WebSocket,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 70_000,
      random: options.random ?? Math.random,
      url: options.url,
      onUnauthorized: options.onUnauthorized,
    };
  }

  /** Replaces the callback for a refused session (close code 4401). */
  setOnUnauthorized(callback: (() => void) | undefined): void {
    this.options.onUnauthorized = callback;
  }

  get status(): RealtimeStatus {
    return this.currentStatus;
  }

  /** Opens the socket (and keeps reopening it) until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.everOpened = false;
    this.open();
    window.addEventListener('online', this.onOnline);
  }

  /** Closes the socket for good (logged out, app unmounted). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      this.detach(socket);
      if (socket.readyState === socket.CONNECTING || socket.readyState === socket.OPEN) {
        socket.close(1000, 'logged out');
      }
    }
    this.setStatus('closed');
  }

  /** Calls `listener` for every event of `type` (or of any type with `ANY`). */
  subscribe(type: string, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(type);
    };
  }

  subscribeStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Delivers an event to its listeners (used for socket frames; handy in tests). The
   * backend's frames are trusted to match the generated types. */
  dispatch(event: { type: string; data?: unknown }): void {
    for (const key of [event.type, ANY]) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(event as Frame);
        } catch (error) {
          // One broken listener must not starve the others.
          console.error('realtime listener failed', error);
        }
      }
    }
  }

  private readonly onOnline = () => {
    // The network came back: try now instead of waiting out the backoff.
    if (this.running && !this.socket) {
      clearTimeout(this.retryTimer);
      this.attempt = 0;
      this.open();
    }
  };

  private setStatus(status: RealtimeStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) listener();
  }

  private open(): void {
    if (!this.running) return;
    let socket: WebSocket;
    try {
      socket = new this.options.WebSocketImpl(this.options.url ?? realtimeUrl());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setStatus('open');
      this.armIdleTimer();
      if (reconnected) this.dispatch({ type: RECONNECTED, data: null });
    };
    socket.onmessage = (message: MessageEvent) => {
      this.armIdleTimer();
      if (typeof message.data !== 'string') return;
      let parsed: { type: string } | null;
      try {
        parsed = JSON.parse(message.data) as { type: string } | null;
      } catch {
        return;
      }
      if (parsed?.type && parsed.type !== 'ping') this.dispatch(parsed);
    };
    socket.onclose = (close: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearTimeout(this.idleTimer);
      if (close.code === UNAUTHORIZED_CLOSE_CODE) this.options.onUnauthorized?.();
      this.scheduleReconnect();
    };
    // An error is always followed by a close, which does the reconnecting.
    socket.onerror = () => undefined;
  }

  private detach(socket: WebSocket): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.setStatus('reconnecting');
    const { baseDelayMs, maxDelayMs, random } = this.options;
    const delay = backoffDelay(this.attempt, baseDelayMs, maxDelayMs, random);
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      // Silent for too long (a half-open TCP connection): drop it and reconnect.
      const socket = this.socket;
      if (!socket) return;
      this.socket = null;
      this.detach(socket);
      socket.close(4000, 'idle');
      this.scheduleReconnect();
    }, this.options.idleTimeoutMs);
  }
}

const RealtimeContext = createContext<RealtimeClient | null>(null);

export interface RealtimeProviderProps extends RealtimeOptions {
  /** false pauses the connection (e.g. while logged out). */
  enabled?: boolean;
  /** An existing client (tests); otherwise one is created with the options. */
  client?: RealtimeClient;
  children: ReactNode;
}

/** Opens the app's single realtime connection while mounted and `enabled`. */
export function RealtimeProvider({
  enabled = true,
  client: givenClient,
  children,
  onUnauthorized,
  ...options
}: RealtimeProviderProps) {
  const [client] = useState(() => givenClient ?? new RealtimeClient(options));
  // The latest callback, without reopening the socket when it changes.
  const unauthorized = useEffectEvent(() => onUnauthorized?.());
  useEffect(() => {
    if (!enabled) return;
    client.setOnUnauthorized(() => {
      unauthorized();
    });
    client.start();
    return () => {
      client.stop();
      client.setOnUnauthorized(undefined);
    };
  }, [client, enabled]);
  return createElement(RealtimeContext.Provider, { value: client }, children);
}

/** The app's realtime client, or null outside a `<RealtimeProvider>`. */
export function useRealtimeClient(): RealtimeClient | null {
  return useContext(RealtimeContext);
}

const noopSubscribe = () => () => undefined;

/** The connection's state: 'idle' outside a provider. */
export function useRealtimeStatus(): RealtimeStatus {
  const client = useRealtimeClient();
  return useSyncExternalStore(
    client ? (listener) => client.subscribeStatus(listener) : noopSubscribe,
    () => client?.status ?? 'idle',
    () => 'idle' as const,
  );
}

/**
 * Calls `handler` for each event of the given type(s). The handler may change on every
 * render (it always sees the latest props); the subscription stays the same.
 */
export function useRealtimeEvent<T extends ListenType>(
  types: T | readonly T[],
  handler: (event: FrameOf<T>) => void,
): void {
  const client = useRealtimeClient();
  const onEvent = useEffectEvent((event: Frame) => handler(event as FrameOf<T>));
  const key = typeof types === 'string' ? types : types.join('\n');
  useEffect(() => {
    if (!client) return;
    const unsubscribes = key.split('\n').map((type) =>
      client.subscribe(type, (event) => {
        onEvent(event);
      }),
    );
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, [client, key]);
}

/** Events arriving this close together cause one refetch (e.g. a bulk sync's 50 updates). */
export const COALESCE_MS = 150;

export interface InvalidateOnOptions<T extends RealtimeEventType> {
  /** Only invalidate for events this accepts (e.g. `e => e.data.id === instanceId`). */
  filter?: (event: EventOf<T>) => boolean;
  /** Also invalidate after a reconnect, since events may have been missed (default true). */
  onReconnect?: boolean;
}

/**
 * Marks queries stale (and refetches the active ones) when one of `types` arrives.
 * `queryKeys` are prefixes: TanStack matches object parts partially, so
 * `[{ _id: 'instancesListInstances' }]` covers every page and filter of the generated list
 * query. Bursts are coalesced: one invalidation per `COALESCE_MS`.
 */
export function useInvalidateOn<T extends RealtimeEventType>(
  types: T | readonly T[],
  queryKeys: readonly QueryKey[],
  { filter, onReconnect = true }: InvalidateOnOptions<T> = {},
): void {
  const queryClient = useQueryClient();
  const allTypes: (T | typeof RECONNECTED)[] = typeof types === 'string' ? [types] : [...types];
  if (onReconnect) allTypes.push(RECONNECTED);
  const scheduled = useRef(false);
  useRealtimeEvent(allTypes, (event) => {
    if (event.type !== RECONNECTED && filter && !filter(event as EventOf<T>)) return;
    if (scheduled.current) return;
    scheduled.current = true;
    const flush = () => {
      scheduled.current = false;
      for (const queryKey of queryKeys) void queryClient.invalidateQueries({ queryKey });
    };
    setTimeout(flush, COALESCE_MS);
  });
}

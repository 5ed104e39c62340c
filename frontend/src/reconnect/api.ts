/**
 * The two public requests of the reconnect page. Typed by the generated client's types
 * (so a change of the API fails the type check), sent with a bare `fetch`: importing the
 * generated client's modules would share them with the dashboard's entry, and the build
 * would then load dashboard chunks here. No cookies go out (`credentials: 'omit'`).
 */
import type {
  PublicState,
  ReconnectLinkConnectData,
  ReconnectLinkStateData,
} from '@/api/generated/types.gen';

export type LinkState = PublicState;

/** Why a request failed, in the terms the page shows. */
type Plain = 'invalid' | 'expired' | 'revoked' | 'used' | 'wrong-pin' | 'bad-input' | 'failed' | 'offline';
export type Failure = { kind: Plain } | { kind: 'throttled'; retryAfter: number };

export class RequestFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

export interface Access {
  token: string;
  pin?: string;
  claim?: string;
}

export interface ReconnectApi {
  state(access: Access): Promise<LinkState>;
  connect(access: Access, phoneNumber?: string): Promise<LinkState>;
}

const LINK_ERRORS: Record<string, Plain> = {
  reconnect_link_not_found: 'invalid',
  reconnect_link_expired: 'expired',
  reconnect_link_revoked: 'revoked',
  reconnect_link_used: 'used',
  reconnect_link_wrong_pin: 'wrong-pin',
};

/** The page's failure for an error answer (the body is `{"error": code, "detail": …}`). */
export function failureOf(status: number, body: unknown, retryAfter: string | null): Failure {
  const code = typeof body === 'object' && body !== null && 'error' in body ? body.error : null;
  if (status === 429) {
    const seconds = Number(retryAfter);
    return { kind: 'throttled', retryAfter: Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 5 };
  }
  if (typeof code === 'string' && code in LINK_ERRORS) return { kind: LINK_ERRORS[code] };
  if (status === 404) return { kind: 'invalid' };
  if (status === 422 || status === 400) return { kind: 'bad-input' };
  return { kind: 'failed' };
}

const PATHS = {
  state: '/api/public/reconnect/state',
  connect: '/api/public/reconnect/connect',
} as const satisfies { state: ReconnectLinkStateData['url']; connect: ReconnectLinkConnectData['url'] };

async function post(origin: string, path: string, body: object): Promise<LinkState> {
  let response: Response;
  try {
    response = await fetch(new URL(path, origin), {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new RequestFailed({ kind: 'offline' });
  }
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (response.ok && parsed !== null) return parsed as LinkState;
  throw new RequestFailed(failureOf(response.status, parsed, response.headers.get('Retry-After')));
}

export function createReconnectApi(origin: string = window.location.origin): ReconnectApi {
  return {
    state: (access) => post(origin, PATHS.state, access satisfies ReconnectLinkStateData['body']),
    connect: (access, phoneNumber) => {
      const body: ReconnectLinkConnectData['body'] = phoneNumber
        ? { ...access, phone_number: phoneNumber }
        : access;
      return post(origin, PATHS.connect, body);
    },
  };
}

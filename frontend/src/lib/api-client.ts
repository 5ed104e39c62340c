import { client as generatedClient } from '@/api/generated/client.gen';
import { env } from '@/config/env';

import { ApiError } from './api-error';
import { readCookie } from './cookies';

type Client = typeof generatedClient;

export const CSRF_COOKIE = 'evodash_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Double-submit CSRF: echo the `evodash_csrf` cookie on every state-changing request. */
export function withCsrfHeader(request: Request): Request {
  if (UNSAFE_METHODS.has(request.method.toUpperCase())) {
    const token = readCookie(CSRF_COOKIE);
    if (token) request.headers.set(CSRF_HEADER, token);
  }
  return request;
}

/** Turns whatever the client caught (a parsed error body or a fetch failure) into an ApiError. */
export function toApiError(error: unknown, response: Response | undefined): unknown {
  if (response) return ApiError.fromResponse(error, response);
  // An aborted request (TanStack Query cancelling it) is not a failure to report.
  if (error instanceof DOMException && error.name === 'AbortError') return error;
  return ApiError.network(error);
}

const configured = new WeakSet<Client>();

/**
 * Points the generated client at the API (same origin by default), sends cookies, adds the
 * CSRF header and makes every error an ApiError. Called once at startup, before any request.
 */
export function configureApiClient(client: Client = generatedClient): Client {
  if (configured.has(client)) return client;
  configured.add(client);
  client.setConfig({
    // Absolute so that it works outside a browser document too (tests).
    baseUrl: env.API_BASE_URL || window.location.origin,
    credentials: 'include',
  });
  client.interceptors.request.use(withCsrfHeader);
  client.interceptors.error.use(toApiError);
  return client;
}

export { generatedClient as apiClient };

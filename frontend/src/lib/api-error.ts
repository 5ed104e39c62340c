import type { TFunction } from 'i18next';

export interface FieldError {
  field: string;
  message: string;
}

/** Codes produced on this side, when the backend could not say anything itself. */
export const NETWORK_ERROR = 'network_error';
export const HTTP_ERROR = 'http_error';
export const VALIDATION_ERROR = 'validation_error';

/**
 * Every failed API call becomes an ApiError: the backend's error body
 * `{"error": code, "detail": readable, "errors"?: [{field, message}]}`, or what could be
 * made of a body in another shape (FastAPI's default 422, an HTML page from a proxy), or
 * a network failure (status 0).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** Machine-readable code, e.g. `invalid_credentials`. */
  readonly code: string;
  /** The backend's readable explanation ('' when it gave none). */
  readonly detail: string;
  readonly fieldErrors: readonly FieldError[];
  /** Seconds to wait before retrying (from Retry-After), when the server said so. */
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    code: string;
    detail?: string;
    fieldErrors?: readonly FieldError[];
    retryAfterSeconds?: number | null;
    cause?: unknown;
  }) {
    const detail = init.detail ?? '';
    super(detail || fallbackMessage(init.status, init.code), { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = detail;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /** Builds the error from a non-2xx response and its body (already parsed if JSON). */
  static fromResponse(body: unknown, response: Pick<Response, 'status' | 'headers'>): ApiError {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('Retry-After'));
    const base = { status: response.status, retryAfterSeconds };

    if (isRecord(body)) {
      // Our backend's shape.
      if (typeof body.error === 'string') {
        return new ApiError({
          ...base,
          code: body.error,
          detail: typeof body.detail === 'string' ? body.detail : '',
          fieldErrors: parseFieldErrors(body.errors),
        });
      }
      // FastAPI's defaults: HTTPException {"detail": "..."}, validation {"detail": [...]}.
      if (typeof body.detail === 'string') {
        return new ApiError({ ...base, code: HTTP_ERROR, detail: body.detail });
      }
      if (Array.isArray(body.detail)) {
        const fieldErrors = parseFastApiValidation(body.detail);
        return new ApiError({
          ...base,
          code: VALIDATION_ERROR,
          detail: fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; '),
          fieldErrors,
        });
      }
    }
    return new ApiError({ ...base, code: HTTP_ERROR });
  }

  static network(cause: unknown): ApiError {
    return new ApiError({ status: 0, code: NETWORK_ERROR, cause });
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The message to show a person, in the UI language: a translation for codes and
 * statuses we know, else the backend's detail, else a generic sentence.
 */
export function getErrorMessage(error: unknown, t: TFunction): string {
  if (isApiError(error)) {
    if (error.isNetworkError) return t('errors.network');
    if (error.status === 429) {
      return error.retryAfterSeconds !== null
        ? t('errors.tooManyRequestsWait', { count: error.retryAfterSeconds })
        : t('errors.tooManyRequests');
    }
    const byCode = t(`errors.codes.${error.code}`, { defaultValue: '' });
    if (byCode) return byCode;
    if (error.detail) return error.detail;
    const byStatus = t(`errors.status.${error.status}`, { defaultValue: '' });
    if (byStatus) return byStatus;
    return t('errors.httpStatus', { status: error.status });
  }
  if (error instanceof Error && error.message) return error.message;
  return t('errors.unknown');
}

function fallbackMessage(status: number, code: string): string {
  if (status === 0) return 'Network error: the server could not be reached';
  return `Request failed with status ${status} (${code})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((item) => ({
    field: typeof item.field === 'string' ? item.field : '',
    message: typeof item.message === 'string' ? item.message : '',
  }));
}

function parseFastApiValidation(items: unknown[]): FieldError[] {
  return items.filter(isRecord).map((item) => {
    const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body') : [];
    return {
      field: loc.map(String).join('.'),
      message: typeof item.msg === 'string' ? item.msg : '',
    };
  });
}

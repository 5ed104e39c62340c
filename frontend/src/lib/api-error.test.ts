import { describe, expect, it } from 'vitest';

import { ApiError, getErrorMessage, parseRetryAfter } from './api-error';
import { i18n } from './i18n';

const response = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
});

describe('ApiError.fromResponse', () => {
  it('reads the backend error body', () => {
    const error = ApiError.fromResponse(
      { error: 'invalid_credentials', detail: 'Wrong username or password' },
      response(401),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_credentials');
    expect(error.detail).toBe('Wrong username or password');
    expect(error.message).toBe('Wrong username or password');
    expect(error.isUnauthorized).toBe(true);
    expect(error.fieldErrors).toEqual([]);
  });

  it('keeps field errors', () => {
    const error = ApiError.fromResponse(
      {
        error: 'validation_error',
        detail: 'Invalid payload',
        errors: [{ field: 'name', message: 'Too short' }, { field: 'url' }, 'junk'],
      },
      response(422),
    );
    expect(error.fieldErrors).toEqual([
      { field: 'name', message: 'Too short' },
      { field: 'url', message: '' },
    ]);
  });

  it('reads Retry-After on 429', () => {
    const error = ApiError.fromResponse(
      { error: 'too_many_attempts', detail: 'Slow down' },
      response(429, { 'Retry-After': '42' }),
    );
    expect(error.retryAfterSeconds).toBe(42);
  });

  it("understands FastAPI's default bodies", () => {
    const notFound = ApiError.fromResponse({ detail: 'Not Found' }, response(404));
    expect(notFound.code).toBe('http_error');
    expect(notFound.detail).toBe('Not Found');

    const invalid = ApiError.fromResponse(
      { detail: [{ loc: ['body', 'username'], msg: 'Field required', type: 'missing' }] },
      response(422),
    );
    expect(invalid.code).toBe('validation_error');
    expect(invalid.fieldErrors).toEqual([{ field: 'username', message: 'Field required' }]);
    expect(invalid.detail).toBe('username: Field required');
  });

  it('copes with a body that is not JSON (a proxy error page)', () => {
    const error = ApiError.fromResponse('<html>Bad Gateway</html>', response(502));
    expect(error.status).toBe(502);
    expect(error.code).toBe('http_error');
    expect(error.detail).toBe('');
    expect(error.message).toMatch(/502/);
  });

  it('represents network failures with status 0', () => {
    const cause = new TypeError('Failed to fetch');
    const error = ApiError.network(cause);
    expect(error.status).toBe(0);
    expect(error.isNetworkError).toBe(true);
    expect(error.code).toBe('network_error');
    expect(error.cause).toBe(cause);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('getErrorMessage', () => {
  const t = i18n.t.bind(i18n);

  it('translates known codes into Portuguese', () => {
    const error = ApiError.fromResponse(
      { error: 'invalid_credentials', detail: 'Invalid credentials' },
      response(401),
    );
    expect(getErrorMessage(error, t)).toBe('Usuário ou senha incorretos.');
  });

  it("falls back to the backend's detail, then to the status", () => {
    const withDetail = ApiError.fromResponse(
      { error: 'instance_name_taken', detail: 'Já existe uma instância com esse nome.' },
      response(409),
    );
    expect(getErrorMessage(withDetail, t)).toBe('Já existe uma instância com esse nome.');
    expect(getErrorMessage(ApiError.fromResponse('', response(504)), t)).toBe(
      'O servidor Evolution não respondeu a tempo.',
    );
    expect(getErrorMessage(ApiError.fromResponse('', response(418)), t)).toBe(
      'A requisição falhou (HTTP 418).',
    );
  });

  it('explains network errors and throttling', () => {
    expect(getErrorMessage(ApiError.network(new TypeError('x')), t)).toMatch(
      /Não foi possível falar com o servidor/,
    );
    const throttled = ApiError.fromResponse(
      { error: 'too_many_attempts', detail: '' },
      response(429, { 'Retry-After': '30' }),
    );
    expect(getErrorMessage(throttled, t)).toBe('Muitas tentativas. Tente de novo em 30 segundos.');
  });

  it('follows the UI language', async () => {
    await i18n.changeLanguage('en');
    const error = ApiError.fromResponse({ error: 'invalid_credentials', detail: '' }, response(401));
    expect(getErrorMessage(error, i18n.t.bind(i18n))).toBe('Wrong username or password.');
  });

  it('shows plain errors by their message', () => {
    expect(getErrorMessage(new Error('boom'), t)).toBe('boom');
    expect(getErrorMessage(undefined, t)).toBe('Ocorreu um erro inesperado.');
  });
});

import { fireEvent, screen, within } from '@testing-library/dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { failureOf, type LinkState, type ReconnectApi, RequestFailed } from '../api';
import { type Language } from '../i18n';
import { POLL_MS, ReconnectPage } from '../page';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUv';
const QR1 = 'data:image/png;base64,AAAA';
const QR2 = 'data:image/png;base64,BBBB';

function state(overrides: Partial<LinkState> = {}): LinkState {
  return {
    display_name: 'Loja da Maria',
    pin_required: false,
    connected: false,
    qr_code: null,
    pairing_code: null,
    expires_at: '2026-12-03T18:00:00Z',
    started: false,
    claim: null,
    ...overrides,
  };
}

function fakeApi() {
  return {
    state: vi.fn<ReconnectApi['state']>(),
    connect: vi.fn<ReconnectApi['connect']>(),
  };
}

let root: HTMLElement;
let page: ReconnectPage | undefined;

async function open(api: ReconnectApi, { token = TOKEN, language = 'pt-BR' }: { token?: string; language?: Language } = {}) {
  page = new ReconnectPage({ root, api, token, language });
  await page.start();
  return page;
}

beforeEach(() => {
  vi.useFakeTimers();
  sessionStorage.clear();
  localStorage.clear();
  root = document.createElement('div');
  document.body.append(root);
});

afterEach(() => {
  page?.stop();
  page = undefined;
  root.remove();
  vi.useRealTimers();
});

describe('reconnect page', () => {
  it('shows the QR code, follows its rotation and says "Conectado!"', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state());
    api.connect.mockResolvedValueOnce(state({ started: true, qr_code: QR1 }));
    api.state.mockResolvedValueOnce(state({ started: true, qr_code: QR2 }));
    api.state.mockResolvedValueOnce(state({ started: true, connected: true }));
    await open(api);

    expect(screen.getByRole('heading', { level: 1, name: 'Loja da Maria' })).toBeInTheDocument();
    expect(document.title).toContain('Loja da Maria');
    fireEvent.click(screen.getByRole('button', { name: /Mostrar QR code/ }));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.connect).toHaveBeenCalledWith({ token: TOKEN, pin: undefined, claim: undefined }, undefined);
    expect(screen.getByRole('img', { name: 'QR code para conectar o WhatsApp' })).toHaveAttribute('src', QR1);

    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(screen.getByRole('img', { name: 'QR code para conectar o WhatsApp' })).toHaveAttribute('src', QR2);

    await vi.advanceTimersByTimeAsync(POLL_MS);
    const done = screen.getByRole('heading', { level: 2, name: 'Conectado!' });
    expect(done).toHaveFocus();
    expect(screen.getByText(/O WhatsApp de Loja da Maria está conectado/)).toBeInTheDocument();
    // Connected: polling stops.
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(api.state).toHaveBeenCalledTimes(3);
  });

  it('shows nothing of the link beyond the display name (no token, no ids)', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state());
    await open(api);
    expect(root.textContent).not.toContain(TOKEN);
  });

  it('asks for the PIN, checks its shape, and says when it is wrong', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state({ pin_required: true, expires_at: null }));
    api.state.mockRejectedValueOnce(new RequestFailed({ kind: 'wrong-pin' }));
    api.state.mockResolvedValueOnce(state());
    await open(api);

    const pin = screen.getByLabelText('PIN');
    fireEvent.input(pin, { target: { value: '12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continuar' }));
    expect(screen.getByText('O PIN tem de 4 a 8 dígitos.')).toBeInTheDocument();
    expect(api.state).toHaveBeenCalledTimes(1);

    fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '0000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continuar' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.state).toHaveBeenLastCalledWith({ token: TOKEN, pin: '0000', claim: undefined });
    expect(screen.getByText('PIN incorreto. Confira e tente de novo.')).toBeInTheDocument();
    expect(screen.getByLabelText('PIN')).toHaveAttribute('aria-invalid', 'true');

    fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '4821' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continuar' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByRole('heading', { name: 'Como você quer conectar?' })).toBeInTheDocument();
  });

  it('pairs with a code typed on the phone', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state());
    api.connect.mockResolvedValueOnce(state({ started: true, pairing_code: 'WZYX1234' }));
    await open(api);

    fireEvent.click(screen.getByRole('button', { name: /Usar código de pareamento/ }));
    const phone = screen.getByLabelText('Número do WhatsApp, com DDI e DDD');
    fireEvent.input(phone, { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Gerar código' }));
    expect(screen.getByText(/Digite o número com DDI e DDD/)).toBeInTheDocument();
    expect(api.connect).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText('Número do WhatsApp, com DDI e DDD'), {
      target: { value: '+55 11 98765-4321' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Gerar código' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.connect).toHaveBeenCalledWith(expect.objectContaining({ token: TOKEN }), '+55 11 98765-4321');
    expect(screen.getByText('WZYX1234')).toBeInTheDocument();
  });

  it('keeps a single-use claim for this tab and sends it back', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state());
    api.connect.mockResolvedValueOnce(state({ started: true, qr_code: QR1, claim: 'C'.repeat(22) }));
    api.state.mockResolvedValue(state({ started: true, qr_code: QR1 }));
    await open(api);
    fireEvent.click(screen.getByRole('button', { name: /Mostrar QR code/ }));
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(api.state).toHaveBeenLastCalledWith({ token: TOKEN, pin: undefined, claim: 'C'.repeat(22) });

    // A reload of the same tab goes on with the claim.
    page?.stop();
    root.replaceChildren();
    await open(api);
    expect(api.state).toHaveBeenLastCalledWith({ token: TOKEN, pin: undefined, claim: 'C'.repeat(22) });
    expect(screen.getByRole('img', { name: 'QR code para conectar o WhatsApp' })).toBeInTheDocument();
  });

  it.each([
    ['used', 'Link já usado'],
    ['expired', 'Link expirado'],
    ['revoked', 'Link cancelado'],
    ['invalid', 'Link inválido'],
  ] as const)('says clearly when the link is %s', async (kind, title) => {
    const api = fakeApi();
    api.state.mockRejectedValueOnce(new RequestFailed({ kind }));
    await open(api);
    expect(screen.getByRole('heading', { level: 2, name: title })).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(api.state).toHaveBeenCalledTimes(1);
  });

  it('does not ask the server about a malformed link', async () => {
    const api = fakeApi();
    await open(api, { token: 'short' });
    expect(screen.getByRole('heading', { name: 'Link inválido' })).toBeInTheDocument();
    expect(api.state).not.toHaveBeenCalled();
  });

  it('waits out throttling, then tries again by itself', async () => {
    const api = fakeApi();
    api.state.mockRejectedValueOnce(new RequestFailed({ kind: 'throttled', retryAfter: 7 }));
    api.state.mockResolvedValueOnce(state());
    await open(api);
    expect(screen.getByRole('heading', { name: 'Muitas tentativas' })).toBeInTheDocument();
    expect(screen.getByText(/Aguarde 7 s/)).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(7000);
    expect(screen.getByRole('heading', { name: 'Como você quer conectar?' })).toBeInTheDocument();
  });

  it('speaks English on request and switches language', async () => {
    const api = fakeApi();
    api.state.mockResolvedValueOnce(state({ started: true, connected: true }));
    await open(api, { language: 'en' });
    expect(screen.getByRole('heading', { name: 'Connected!' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('en');
    fireEvent.click(screen.getByRole('button', { name: 'Ver esta página em português' }));
    expect(screen.getByRole('heading', { name: 'Conectado!' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('pt-BR');
    expect(localStorage.getItem('evodash.language')).toBe('pt-BR');
    expect(within(root).getByRole('button', { name: 'Ver esta página em inglês' })).toHaveTextContent('English');
  });
});

describe('failureOf', () => {
  it('maps the API errors to what the page says', () => {
    expect(failureOf(404, { error: 'reconnect_link_used' }, null)).toEqual({ kind: 'used' });
    expect(failureOf(404, { error: 'not_found' }, null)).toEqual({ kind: 'invalid' });
    expect(failureOf(403, { error: 'reconnect_link_wrong_pin' }, null)).toEqual({ kind: 'wrong-pin' });
    expect(failureOf(429, { error: 'too_many_requests' }, '12')).toEqual({ kind: 'throttled', retryAfter: 12 });
    expect(failureOf(502, 'Bad gateway', null)).toEqual({ kind: 'failed' });
  });
});

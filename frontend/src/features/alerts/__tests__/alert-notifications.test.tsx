import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { AlertRead } from '@/api/generated/types.gen';
import { RealtimeClient, RealtimeProvider } from '@/lib/realtime';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderWithProviders } from '@/testing/test-utils';

import { AlertToasts } from '../components/alert-center';
import { AlertsPage } from '../components/alerts-page';
import { BrowserNotifications } from '../components/browser-notifications';

function makeAlert(overrides: Partial<AlertRead> = {}): AlertRead {
  return {
    id: 7,
    rule: 'zombie',
    subject_type: 'instance',
    subject_id: 3,
    instance_id: 3,
    subject_key: 'instance:3',
    subject_label: 'Loja Centro (loja-centro)',
    state: 'firing',
    detail: 'Evolution says open, no event for 31 min, and the WhatsApp probe failed',
    facts: { silent_since: '2026-12-02T11:29:00Z', error: 'no answer' },
    started_at: '2026-12-02T12:00:00Z',
    fired_at: '2026-12-02T12:00:00Z',
    last_checked_at: '2026-12-02T12:00:00Z',
    last_notified_at: '2026-12-02T12:00:00Z',
    notifications: 1,
    resolved_at: null,
    acked_at: null,
    acked_by: null,
    silenced_until: null,
    ...overrides,
  };
}

/** A stand-in for the browser's Notification API: records what was shown. */
class FakeNotification {
  static permission: NotificationPermission = 'default';
  static answer: NotificationPermission = 'granted';
  static shown: { title: string; body?: string; tag?: string }[] = [];
  static asked = 0;

  static requestPermission(): Promise<NotificationPermission> {
    FakeNotification.asked += 1;
    FakeNotification.permission = FakeNotification.answer;
    return Promise.resolve(FakeNotification.answer);
  }

  readonly title: string;

  constructor(title: string, options: NotificationOptions = {}) {
    this.title = title;
    FakeNotification.shown.push({ title, body: options.body, tag: options.tag });
  }
}

beforeEach(() => {
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.shown = [];
  FakeNotification.asked = 0;
  vi.stubGlobal('Notification', FakeNotification);
  window.localStorage.clear();
  MockWebSocket.reset();
});

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

describe('BrowserNotifications', () => {
  it('asks the browser once a person opts in, and remembers it for that person only', async () => {
    const { user, unmount } = renderWithProviders(<BrowserNotifications userId={1} />);
    await user.click(await screen.findByRole('button', { name: 'Ativar notificações do navegador' }));
    expect(FakeNotification.asked).toBe(1);
    const off = await screen.findByRole('button', { name: 'Desativar notificações do navegador' });
    expect(off).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByText('Notificações do navegador ativadas neste dispositivo.')).toBeVisible();
    unmount();

    // Someone else on the same browser has not opted in: the permission alone is not enough.
    const other = renderWithProviders(<BrowserNotifications userId={2} />);
    expect(await screen.findByRole('button', { name: 'Ativar notificações do navegador' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    other.unmount();

    // The first person opts out again, without asking the browser.
    const again = renderWithProviders(<BrowserNotifications userId={1} />);
    await again.user.click(await screen.findByRole('button', { name: 'Desativar notificações do navegador' }));
    expect(await screen.findByRole('button', { name: 'Ativar notificações do navegador' })).toBeVisible();
    expect(FakeNotification.asked).toBe(1);
  });

  it('says so when the browser refuses or has no notifications', async () => {
    FakeNotification.answer = 'denied';
    const { user, unmount } = renderWithProviders(<BrowserNotifications userId={1} />);
    await user.click(await screen.findByRole('button', { name: 'Ativar notificações do navegador' }));
    expect(await screen.findByText(/O navegador bloqueou as notificações/)).toBeVisible();
    unmount();

    vi.unstubAllGlobals();
    vi.stubGlobal('Notification', undefined);
    Reflect.deleteProperty(window, 'Notification');
    renderWithProviders(<BrowserNotifications userId={1} />);
    expect(await screen.findByText('Este navegador não mostra notificações.')).toBeVisible();
  });
});

describe('AlertToasts', () => {
  function live(userId: number) {
    mockFetch({});
    const client = new RealtimeClient({
      url: 'ws://test/api/ws',
      WebSocketImpl: MockWebSocket as unknown as typeof WebSocket,
    });
    renderWithProviders(
      <RealtimeProvider client={client}>
        <AlertToasts userId={userId} />
      </RealtimeProvider>,
    );
    let socket: MockWebSocket | undefined;
    let sent = 0;
    const send = (type: string, data: AlertRead) => {
      socket ??= MockWebSocket.latest();
      const opened = socket;
      sent += 1;
      act(() => {
        if (opened.readyState !== MockWebSocket.OPEN) opened.serverOpen();
        opened.serverSend({ type, id: `e${String(sent)}`, data });
      });
    };
    return { send };
  }

  it('pops a toast when an alert fires and when it resolves, and a system notification for who opted in', async () => {
    FakeNotification.permission = 'granted';
    window.localStorage.setItem('evodash.alerts.notify.1', '1');
    const { send } = live(1);
    await waitFor(() => expect(MockWebSocket.instances.length).toBe(1));

    send('alert.fired', makeAlert());
    const fired = await screen.findByTestId('alert-toast');
    expect(within(fired).getByText('Alerta disparado: Instância zumbi')).toBeVisible();
    expect(within(fired).getByText('Loja Centro (loja-centro)')).toBeVisible();
    expect(within(fired).getByRole('link')).toHaveAttribute('href', '/alerts?alert=7');
    expect(FakeNotification.shown).toHaveLength(1);
    expect(FakeNotification.shown[0]).toMatchObject({
      title: 'Alerta disparado: Instância zumbi',
      tag: 'evodash-alert-7',
    });
    expect(FakeNotification.shown[0]?.body).toMatch(/^Loja Centro \(loja-centro\) — /);

    send('alert.resolved', makeAlert({ state: 'resolved', resolved_at: '2026-12-02T12:05:00Z' }));
    await waitFor(() => expect(screen.getAllByTestId('alert-toast')).toHaveLength(2));
    const resolved = screen.getAllByTestId('alert-toast')[1];
    expect(within(resolved).getByText('Alerta resolvido: Instância zumbi')).toBeVisible();
    expect(within(resolved).getByText('Voltou ao normal.')).toBeVisible();
    expect(FakeNotification.shown.map((n) => n.title)).toEqual([
      'Alerta disparado: Instância zumbi',
      'Alerta resolvido: Instância zumbi',
    ]);
  });

  it('shows no system notification to who did not opt in, and nothing at all for a silenced alert', async () => {
    FakeNotification.permission = 'granted';
    window.localStorage.setItem('evodash.alerts.notify.1', '1'); // someone else's choice
    const { send } = live(2);
    await waitFor(() => expect(MockWebSocket.instances.length).toBe(1));

    send('alert.fired', makeAlert({ id: 8, silenced_until: '2999-01-01T00:00:00Z' }));
    send('alert.fired', makeAlert({ id: 9, rule: 'flapping', facts: { transitions: 6, window_minutes: 10 } }));
    const toast = await screen.findByTestId('alert-toast');
    expect(within(toast).getByText('Alerta disparado: Instável (oscilando)')).toBeVisible();
    expect(screen.getAllByTestId('alert-toast')).toHaveLength(1);
    expect(FakeNotification.shown).toEqual([]);
  });
});

describe('Silencing from the alerts page', () => {
  it('silences a firing alert for the chosen time', async () => {
    let firing = makeAlert({ rule: 'down', facts: { status: 'close' } });
    const { requests } = mockFetch({
      'GET /api/alerts': () => json({ items: [firing], total: 1, page: 1, page_size: 25 }),
      'POST /api/alerts/7/silence': () => {
        firing = { ...firing, silenced_until: '2999-01-01T01:00:00Z' };
        return json(firing);
      },
    });
    const { user } = renderWithProviders(<AlertsPage userId={1} canOperate isAdmin={false} />);
    const item = await screen.findByTestId('firing-alert');
    await user.click(within(item).getByRole('button', { name: 'Silenciar o alerta 7' }));
    await user.click(await within(item).findByRole('button', { name: '1 hora' }));
    expect(await within(await screen.findByTestId('firing-alert')).findByText(/^Silenciado até/)).toBeVisible();
    const silence = requests.find((r) => r.method === 'POST' && r.url.endsWith('/api/alerts/7/silence'));
    expect(silence).toBeDefined();
    expect(await silence?.clone().json()).toEqual({ minutes: 60 });
  });
});

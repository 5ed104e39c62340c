import { act, screen, within } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { i18n } from '@/lib/i18n';
import { RealtimeClient, RealtimeProvider } from '@/lib/realtime';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { LIVE_DEBOUNCE_MS, LIVE_MAX_WAIT_MS } from '../../hooks/use-live-overview';
import { Dashboard } from '../dashboard';
import { createOverview } from './overview-fixture';

// jsdom has no canvas: stand-in charts that show what they were given.
vi.mock('@/components/charts/lazy-charts', () => {
  const Chart = ({
    label,
    data,
    options,
  }: {
    label: string;
    data: { labels?: unknown[] };
    options?: { scales?: { x?: { ticks?: { maxTicksLimit?: number } } } };
  }) => (
    <div
      role="img"
      aria-label={label}
      data-points={data.labels?.length ?? 0}
      data-x-ticks={options?.scales?.x?.ticks?.maxTicksLimit}
    />
  );
  return {
    LazyDoughnutChart: (props: ComponentProps<typeof Chart>) => <Chart {...props} />,
    LazyLineChart: (props: ComponentProps<typeof Chart>) => <Chart {...props} />,
    LazyBarChart: (props: ComponentProps<typeof Chart>) => <Chart {...props} />,
  };
});

const card = (tone: string) => screen.getByTestId(`stat-${tone}`);

const FLEET = {
  generated_at: '2026-11-20T12:00:00Z',
  instances: 2,
  windows: (['24h', '7d', '30d'] as const).map((window, n) => ({
    window,
    start: '2026-11-13T12:00:00Z',
    end: '2026-11-20T12:00:00Z',
    uptime_percent: [83.33, 95.57, 98.86][n],
    open_seconds: 0,
    observed_seconds: 0,
    unknown_seconds: 0,
    disconnects: [1, 2, 2][n],
    reconnects: n === 0 ? 0 : 1,
    mean_reconnect_seconds: n === 0 ? null : 7200,
  })),
  worst_window: '7d',
  worst: [
    { instance_id: 7, display_name: 'Loja A', status: 'close', uptime_percent: 95.06, disconnects: 2 },
  ],
};

describe('Dashboard', () => {
  it("shows the fleet's uptime and links to the worst instances", async () => {
    mockFetch({
      'GET /api/stats/overview': () => json(createOverview()),
      'GET /api/instances/uptime/fleet': () => json(FLEET),
    });
    renderWithProviders(<Dashboard />);

    const week = await screen.findByTestId('fleet-uptime-7d');
    expect(week).toHaveTextContent('Últimos 7 dias95,57%2 quedasreconexão média: 2 h');
    expect(screen.getByTestId('fleet-uptime-24h')).toHaveTextContent('83,33%1 queda');
    const worst = screen.getByTestId('worst-uptime');
    expect(within(worst).getByRole('link', { name: 'Loja A' })).toHaveAttribute(
      'href',
      '/instances/7',
    );
    expect(worst).toHaveTextContent('2 quedas95,06%');
  });

  it('shows the figures on gradient cards, formatted in Portuguese', async () => {
    mockFetch({ 'GET /api/stats/overview': () => json(createOverview()) });
    renderWithProviders(<Dashboard />);

    await screen.findByTestId('stat-open');
    expect(card('open')).toHaveTextContent('Conectadas1.234de 1.280 instâncias');
    expect(card('connecting')).toHaveTextContent('Conectando5');
    expect(card('close')).toHaveTextContent('Desconectadas30');
    expect(card('unreachable')).toHaveTextContent('Inacessíveis7');
    expect(card('instances')).toHaveTextContent('1.280em 2 servidores · 1 inacessível');
    expect(card('messages')).toHaveTextContent('15.230');
    expect(card('messages')).toHaveTextContent('12.000 recebidas · 3.230 enviadas');
    expect(card('blocked')).toHaveTextContent('Bloqueadas (24 h)42');
    expect(card('jobs')).toHaveTextContent('Jobs pendentes42 em execução · 1 com falha');
    // Label and value are a term and its definition.
    expect(within(card('open')).getByRole('term')).toHaveTextContent('Conectadas');
    expect(within(card('open')).getAllByRole('definition')[0]).toHaveTextContent('1.234');
  });

  it('formats the same figures in English', async () => {
    await i18n.changeLanguage('en');
    mockFetch({ 'GET /api/stats/overview': () => json(createOverview()) });
    renderWithProviders(<Dashboard />);

    await screen.findByTestId('stat-open');
    expect(card('open')).toHaveTextContent('Connected1,234of 1,280 instances');
    expect(card('messages')).toHaveTextContent('12,000 received · 3,230 sent');
    expect((await screen.findAllByText('3 min ago', { exact: false })).length).toBeGreaterThan(0);
  });

  it('labels the hour axis every 3 h on wide screens and every 6 h on a phone', async () => {
    mockFetch({ 'GET /api/stats/overview': () => json(createOverview()) });
    const { unmount } = renderWithProviders(<Dashboard />);
    const chart = () => screen.findByRole('img', { name: /recebidas/ });
    expect(await chart()).toHaveAttribute('data-x-ticks', '8');
    unmount();

    vi.stubGlobal(
      'matchMedia',
      vi.fn((media: string) => ({
        matches: false, // 375 px wide: no min-width query matches
        media,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      })),
    );
    renderWithProviders(<Dashboard />);
    expect(await chart()).toHaveAttribute('data-x-ticks', '4');
  });

  it('uses singular words for one', async () => {
    mockFetch({
      'GET /api/stats/overview': () =>
        json(createOverview({ instances_total: 1, servers: 1, servers_unreachable: 0 })),
    });
    renderWithProviders(<Dashboard />);
    await screen.findByTestId('stat-open');
    expect(card('open')).toHaveTextContent('de 1 instância');
    expect(card('instances')).toHaveTextContent('em 1 servidor');
    expect(card('instances')).not.toHaveTextContent('inacessível');
  });

  it('draws both charts with accessible descriptions and a table of the same figures', async () => {
    mockFetch({ 'GET /api/stats/overview': () => json(createOverview()) });
    renderWithProviders(<Dashboard />);

    const doughnut = await screen.findByRole('img', { name: /instâncias por status/i });
    expect(doughnut).toHaveAccessibleName(/Conectada 1\.234/);
    const line = screen.getByRole('img', { name: /mensagens por hora/i });
    expect(line).toHaveAccessibleName(/12\.000 recebidas, 3\.230 enviadas, 42 bloqueadas/);
    expect(line).toHaveAttribute('data-points', '24');

    const statusTable = screen.getByRole('table', { name: 'Instâncias por status (tabela)' });
    expect(within(statusTable).getByRole('row', { name: 'Conectada 1.234' })).toBeInTheDocument();
    const hourTable = screen.getByRole('table', {
      name: /^Mensagens por hora \(últimas 24\s+h\) \(tabela\)$/,
    });
    expect(within(hourTable).getAllByRole('row')).toHaveLength(25);
  });

  it('lists recent instances, latest messages and connection events', async () => {
    mockFetch({ 'GET /api/stats/overview': () => json(createOverview()) });
    renderWithProviders(<Dashboard />);

    const instances = await screen.findByRole('region', { name: 'Instâncias recentes' });
    expect(within(instances).getByRole('link', { name: 'Loja Centro' })).toHaveAttribute(
      'href',
      '/instances/17',
    );
    expect(instances).toHaveTextContent('criada há 3 min');

    const messages = screen.getByRole('region', { name: 'Últimas mensagens' });
    expect(messages).toHaveTextContent('Mariana Souza');
    expect(messages).toHaveTextContent('Bloqueada');
    expect(messages).toHaveTextContent('Segue a fatura');
    expect(messages).toHaveTextContent('[imagem]');
    expect(messages).toHaveTextContent('Remetente desconhecido');

    const events = screen.getByRole('region', { name: 'Histórico de conexões' });
    expect(events).toHaveTextContent('Conectando');
    expect(events).toHaveTextContent('Conectada');
    expect(events).toHaveTextContent('evento da Evolution');
    expect(events).toHaveTextContent('há 3 min');
  });

  it('guides a fresh install to add an Evolution server', async () => {
    mockFetch({
      'GET /api/stats/overview': () =>
        json(
          createOverview({
            servers: 0,
            servers_unreachable: 0,
            instances_total: 0,
            messages: { last_24h: 0, incoming_24h: 0, outgoing_24h: 0, blocked_24h: 0, total: 0 },
          }),
        ),
    });
    renderWithProviders(<Dashboard />);

    const empty = await screen.findByRole('region', { name: 'Adicione um servidor Evolution' });
    expect(within(empty).getByRole('link', { name: 'Adicionar servidor' })).toHaveAttribute(
      'href',
      '/servers',
    );
    expect(screen.queryByTestId('stat-open')).not.toBeInTheDocument();
  });

  it('shows a loading skeleton, then an error with a retry', async () => {
    let fail = true;
    mockFetch({
      'GET /api/stats/overview': () =>
        fail
          ? json({ error: 'internal_error', detail: 'boom' }, { status: 500 })
          : json(createOverview()),
    });
    const { user } = renderWithProviders(<Dashboard />);

    expect(screen.getByRole('status')).toHaveTextContent('Carregando o dashboard…');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Erro interno do servidor. O problema foi registrado.');

    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Tentar novamente' }));
    expect(await screen.findByTestId('stat-open')).toBeInTheDocument();
  });

  it('refetches at once for an event, then once a burst quiets down', async () => {
    let calls = 0;
    mockFetch({
      'GET /api/stats/overview': () => {
        calls += 1;
        return json(createOverview({ instances_total: calls }));
      },
    });
    const client = new RealtimeClient();
    renderWithProviders(
      <RealtimeProvider client={client} enabled={false}>
        <Dashboard />
      </RealtimeProvider>,
    );
    await screen.findByTestId('stat-open');
    expect(calls).toBe(1);

    // On a fake clock (the query library's notifications run on timers too, so advancing
    // the clock settles them).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const wait = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
    // One event: a refetch at once.
    act(() => {
      client.dispatch({ type: 'instance.updated', data: { id: 3, status: 'open' } });
    });
    await wait(0);
    expect(calls).toBe(2);
    await wait(LIVE_DEBOUNCE_MS * 2);
    expect(calls).toBe(2); // nothing came after it
    // A burst: the first event refetches at once, the others once things are quiet.
    act(() => {
      for (let i = 0; i < 20; i += 1) client.dispatch({ type: 'message.created', data: {} });
      client.dispatch({ type: 'instance.updated', data: { id: 3, status: 'connecting' } });
    });
    await wait(0);
    expect(calls).toBe(3);
    await wait(LIVE_DEBOUNCE_MS - 1);
    expect(calls).toBe(3); // still inside the quiet period
    await wait(100);
    expect(calls).toBe(4);
    await wait(LIVE_DEBOUNCE_MS * 2);
    expect(calls).toBe(4);
    // A steady stream refetches at least every LIVE_MAX_WAIT_MS.
    for (let t = 0; t < LIVE_MAX_WAIT_MS + LIVE_DEBOUNCE_MS; t += LIVE_DEBOUNCE_MS / 2) {
      act(() => {
        client.dispatch({ type: 'message.created', data: {} });
      });
      await wait(LIVE_DEBOUNCE_MS / 2);
    }
    expect(calls).toBe(6); // the first message at once, then the bound, never quiet meanwhile
    await wait(LIVE_DEBOUNCE_MS * 2);
    const settled = calls;
    // Events the dashboard does not count change nothing: another event type, or an
    // instance update that leaves its status as it was (a new QR code).
    act(() => {
      client.dispatch({ type: 'instance.qr', data: {} });
      client.dispatch({ type: 'instance.updated', data: { id: 3, status: 'connecting' } });
    });
    await wait(LIVE_DEBOUNCE_MS * 2);
    expect(calls).toBe(settled);
    vi.useRealTimers();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { InstanceUptimeDetail, UptimeWindow } from '@/api/generated/types.gen';
import { i18n } from '@/lib/i18n';
import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { UptimeCard } from '../components/uptime-card';
import { UptimeCell } from '../components/uptime-cell';

// jsdom has no canvas: a stand-in timeline that shows what it was given.
vi.mock('@/components/charts/lazy-charts', () => ({
  LazyTimelineChart: ({
    label,
    spans,
    series,
    describe: describeSpan,
  }: {
    label: string;
    spans: { state: string; start: number; end: number }[];
    series: { state: string; label: string }[];
    describe: (span: { state: string; start: number; end: number }) => string;
  }) => (
    <div role="img" aria-label={label} data-series={series.map((s) => s.label).join(',')}>
      {spans.map((span) => (
        <span key={span.start} data-testid="span">
          {describeSpan(span)}
        </span>
      ))}
    </div>
  ),
}));

const H = 3600;

function win(window: UptimeWindow['window'], overrides: Partial<UptimeWindow> = {}): UptimeWindow {
  return {
    window,
    start: '2026-11-13T12:00:00Z',
    end: '2026-11-20T12:00:00Z',
    uptime_percent: 95.06,
    open_seconds: 154 * H,
    observed_seconds: 162 * H,
    unknown_seconds: 6 * H,
    disconnects: 2,
    reconnects: 1,
    mean_reconnect_seconds: 2 * H,
    ...overrides,
  };
}

function detail(window: UptimeWindow['window']): InstanceUptimeDetail {
  return {
    instance_id: 7,
    generated_at: '2026-11-20T12:00:00Z',
    windows: [
      win('24h', { uptime_percent: 75, disconnects: 1, reconnects: 0, mean_reconnect_seconds: null }),
      win('7d'),
      win('30d', { uptime_percent: 98.88 }),
    ],
    timeline_window: window,
    timeline_start: '2026-11-19T12:00:00Z',
    timeline_end: '2026-11-20T12:00:00Z',
    segments: [
      { state: 'open', start: '2026-11-19T12:00:00Z', end: '2026-11-20T06:00:00Z' },
      { state: 'unknown', start: '2026-11-20T06:00:00Z', end: '2026-11-20T07:00:00Z' },
      { state: 'close', start: '2026-11-20T07:00:00Z', end: '2026-11-20T12:00:00Z' },
    ],
    segments_truncated: false,
  };
}

describe('UptimeCard', () => {
  it('shows the three windows in Portuguese and the timeline of the chosen one', async () => {
    const { requests } = mockFetch({
      'GET /api/instances/7/uptime': (request) =>
        json(detail((new URL(request.url).searchParams.get('window') ?? '7d') as '7d')),
    });
    const { user } = renderWithProviders(<UptimeCard instanceId={7} />);

    const day = await screen.findByTestId('uptime-24h');
    expect(day).toHaveTextContent('Últimas 24 horas75%1 queda');
    expect(screen.getByTestId('uptime-7d')).toHaveTextContent(
      'Últimos 7 dias95,06%2 quedasreconexão média: 2 h',
    );
    expect(screen.getByTestId('uptime-30d')).toHaveTextContent('98,88%');
    const chart = screen.getByRole('img', { name: /Linha do tempo da conexão \(Últimos 7 dias\)/ });
    expect(chart).toHaveAttribute('data-series', 'Conectada,Desconectada,Desconhecido');
    expect(within(chart).getAllByTestId('span')[0]).toHaveTextContent(/^Conectada: .* \(18 h\)$/);
    expect(requests.at(-1)?.url).toContain('window=7d');

    await user.click(screen.getByRole('button', { name: '24 h' }));
    await waitFor(() => expect(requests.at(-1)?.url).toContain('window=24h'));
    expect(await screen.findByRole('button', { name: '24 h', pressed: true })).toBeVisible();
  });

  it('keeps the room of its figures while they load, so that the cards below stay put', async () => {
    mockFetch({ 'GET /api/instances/7/uptime': () => json(detail('7d')) });
    renderWithProviders(<UptimeCard instanceId={7} />);

    // The loaded figures and timeline take about 290 px (measured in Chromium at 1280 px:
    // the card below moved 175 px when they arrived, 5 px since).
    expect(screen.getByRole('status')).toHaveStyle({ minHeight: '290px' });
    expect(await screen.findByTestId('uptime-7d')).toBeVisible();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('speaks English and says when there is no data', async () => {
    await i18n.changeLanguage('en');
    const empty = detail('7d');
    empty.windows = empty.windows.map((w) =>
      win(w.window, { uptime_percent: null, disconnects: 0, reconnects: 0, mean_reconnect_seconds: null }),
    );
    empty.segments = [];
    mockFetch({ 'GET /api/instances/7/uptime': () => json(empty) });
    renderWithProviders(<UptimeCard instanceId={7} />);

    expect(await screen.findByTestId('uptime-7d')).toHaveTextContent('Last 7 daysno datano disconnects');
    expect(screen.getByText('No connection history in this period.')).toBeVisible();
  });
});

describe('UptimeCell', () => {
  it('shows the 7-day figure, coloured by how bad it is', async () => {
    renderWithProviders(<UptimeCell windows={[win('24h'), win('7d', { uptime_percent: 93.5 })]} />);
    const cell = await screen.findByTestId('uptime-cell');
    expect(cell).toHaveTextContent('93,5%');
    expect(cell).toHaveClass('text-danger-emphasis');
  });

  it('shows a dash without data', async () => {
    renderWithProviders(<UptimeCell windows={[win('7d', { uptime_percent: null })]} />);
    expect(await screen.findByText('sem dados')).toHaveClass('visually-hidden');
    expect(screen.queryByTestId('uptime-cell')).not.toBeInTheDocument();
  });
});

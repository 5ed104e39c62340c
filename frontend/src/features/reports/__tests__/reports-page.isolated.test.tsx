import { screen, waitFor, within } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/testing/mock-fetch';
import { renderWithProviders } from '@/testing/test-utils';

import { ReportsPage } from '../components/reports-page';

// jsdom has no canvas: stand-in charts that show what they were given.
vi.mock('@/components/charts/lazy-charts', () => {
  const Chart = ({ label, data }: { label: string; data: { labels?: unknown[]; datasets: { data: unknown[] }[] } }) => (
    <div role="img" aria-label={label} data-labels={JSON.stringify(data.labels)} data-series={JSON.stringify(data.datasets.map((d) => d.data))} />
  );
  return {
    LazyLineChart: (props: ComponentProps<typeof Chart>) => <Chart {...props} />,
    LazyBarChart: (props: ComponentProps<typeof Chart>) => <Chart {...props} />,
  };
});

const period = { from: '2026-11-10', to: '2026-11-11', tz: 'America/Sao_Paulo' };
const API = {
  'GET /api/servers': () => json({ items: [{ id: 2, name: 'Servidor SP', base_url: 'http://evo' }], total: 1, page: 1, page_size: 200 }),
  'GET /api/instances': () =>
    json({ items: [{ id: 1, display_name: 'Loja Centro', name: 'a', deleted_at: null }, { id: 2, display_name: 'Filial São João', name: 'b', deleted_at: null }], total: 2, page: 1, page_size: 200 }),
  'GET /api/reports/messages': () =>
    json({
      ...period,
      rows: [
        { day: '2026-11-10', instance_id: 1, instance_name: 'Loja Centro', received: 1200, sent: 30, blocked: 4 },
        { day: '2026-11-10', instance_id: 2, instance_name: 'Filial São João', received: 34, sent: 0, blocked: 0 },
        { day: '2026-11-11', instance_id: 2, instance_name: 'Filial São João', received: 2, sent: 1, blocked: 0 },
      ],
      totals: { received: 1236, sent: 31, blocked: 4 },
      truncated: false,
    }),
  'GET /api/reports/uptime': () =>
    json({
      ...period,
      rows: [
        { day: '2026-11-10', instance_id: 1, instance_name: 'Loja Centro', open_seconds: 43200, observed_seconds: 86400, uptime_percent: 50 },
        { day: '2026-11-10', instance_id: 2, instance_name: 'Filial São João', open_seconds: 86400, observed_seconds: 86400, uptime_percent: 100 },
        { day: '2026-11-11', instance_id: 1, instance_name: 'Loja Centro', open_seconds: 0, observed_seconds: 0, uptime_percent: null },
      ],
      truncated: false,
    }),
  'GET /api/reports/jobs': () =>
    json({
      ...period,
      rows: [{ day: '2026-11-10', total: 4, succeeded: 3, failed: 1, cancelled: 0, success_rate: 75, mean_duration_ms: 1500 }],
    }),
  'GET /api/reports/hours': () =>
    json({ ...period, rows: Array.from({ length: 24 }, (_, hour) => ({ hour, received: hour === 9 ? 50 : 1, sent: 0 })) }),
  'GET /api/reports/senders': () => json({ ...period, rows: [{ sender_phone: '+5511999990001', messages: 42 }] }),
};

describe('ReportsPage', () => {
  it('shows each report as a chart and a table of the same figures, with CSV links', async () => {
    const { requests } = mockFetch(API);
    renderWithProviders(<ReportsPage />, { url: '/reports?period=custom&from=2026-11-10&to=2026-11-11' });

    const messages = await screen.findByTestId('report-messages-table');
    const rows = within(messages).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('10/11/2026Loja Centro1.200304');
    expect(rows.at(-1)).toHaveTextContent('Total1.236314');
    // The chart adds up the instances of each day. Blocked messages are a part of the
    // received: it stacks the allowed (1,234 - 4), the blocked and the sent, so a bar is as
    // tall as its day's messages (1,264 on the 10th, not 1,268).
    const chart = screen.getByRole('img', { name: /1\.236 recebidas, 31 enviadas, 4 bloqueadas/ });
    expect(JSON.parse(chart.dataset.series ?? '')).toEqual([[1230, 2], [4, 0], [30, 1]]);

    const uptime = await screen.findByTestId('report-uptime-table');
    expect(within(uptime).getAllByRole('row')[1]).toHaveTextContent('Loja Centro12 h24 h50 %');
    expect(within(uptime).getAllByRole('row')[3]).toHaveTextContent('sem dados');
    // Per day: all instances' connected time over their observed time.
    const uptimeChart = screen.getByRole('img', { name: /Disponibilidade média/ });
    expect(JSON.parse(uptimeChart.dataset.series ?? '')).toEqual([[75, null]]);

    const jobs = await screen.findByTestId('report-jobs-table');
    expect(within(jobs).getAllByRole('row')[1]).toHaveTextContent('10/11/2026431075 %1,5 s');
    expect(screen.getByRole('img', { name: 'Jobs por dia: 4 no período, 75 % de sucesso' })).toBeVisible();
    expect(await screen.findByRole('img', { name: /pico às 09h/ })).toBeVisible();
    expect(within(await screen.findByTestId('report-senders-table')).getAllByRole('row')[1]).toHaveTextContent('+55 11 99999-000142');

    // CSV downloads: the same period, `;` by default in Portuguese.
    const csv = screen.getByRole('link', { name: 'Baixar “Mensagens por dia” em CSV' });
    const href = new URL(csv.getAttribute('href') ?? '', 'http://x');
    expect(href.pathname).toBe('/api/reports/messages');
    expect(Object.fromEntries(href.searchParams)).toMatchObject({ from: '2026-11-10', to: '2026-11-11', format: 'csv', sep: ';' });
    const reportRequest = requests.find((r) => r.url.includes('/api/reports/messages'));
    expect(new URL(reportRequest?.url ?? '').searchParams.get('from')).toBe('2026-11-10');
  });

  it('asks again for one instance, and refuses an impossible period without a request', async () => {
    const { requests } = mockFetch(API);
    const { user } = renderWithProviders(<ReportsPage />, { url: '/reports?period=custom&from=2026-11-10&to=2026-11-11' });
    await screen.findByTestId('report-messages-table');
    await waitFor(() => expect(screen.getByRole('option', { name: 'Filial São João' })).toBeInTheDocument());

    await user.selectOptions(screen.getByLabelText('Instância'), 'Filial São João');
    await waitFor(() =>
      expect(requests.some((r) => r.url.includes('/api/reports/jobs') && r.url.includes('instance_id=2'))).toBe(true),
    );
    expect(screen.getByRole('link', { name: 'Baixar “Jobs por dia” em CSV' }).getAttribute('href')).toContain('instance_id=2');

    const before = requests.length;
    await user.clear(screen.getByLabelText('De'));
    await user.type(screen.getByLabelText('De'), '2026-12-01');
    expect(await screen.findByText(/Escolha datas válidas/)).toBeVisible();
    expect(requests.slice(before).filter((r) => r.url.includes('2026-12-01'))).toHaveLength(0);
    expect(screen.queryByRole('link', { name: /em CSV/ })).not.toBeInTheDocument();
  }, 15_000);
});

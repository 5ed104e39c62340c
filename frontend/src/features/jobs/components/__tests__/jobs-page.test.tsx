import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { JobRead, Role } from '@/api/generated/types.gen';
import { createUser } from '@/testing/data-generators';
import { json, mockFetch } from '@/testing/mock-fetch';
import { MockWebSocket } from '@/testing/mock-websocket';
import { renderApp } from '@/testing/test-utils';

import { createJob, createJobDetail } from './fixtures';

const counts = { pending: 1, running: 2, succeeded: 30, failed: 4, cancelled: 0, total: 37 };
const instances = {
  items: [{ id: 2, display_name: 'Loja Centro', name: 'loja', deleted_at: null }],
  total: 1,
  page: 1,
  page_size: 200,
};

function setup(
  url: string,
  { jobs = [createJob()], role = 'admin' }: { jobs?: JobRead[]; role?: Role } = {},
) {
  const fetch = mockFetch({
    'GET /api/auth/me': () => json(createUser({ role })),
    'GET /api/instances': () => json(instances),
    'GET /api/jobs': () => json({ items: jobs, total: jobs.length, page: 1, page_size: 25 }),
    'GET /api/jobs/counts': () => json(counts),
    'GET /api/jobs/7': () => json(createJobDetail()),
    'GET /api/jobs/8': () =>
      json(
        createJobDetail({
          id: 8,
          status: 'failed',
          error: 'invalid image: not an image',
          attempts: 5,
          result: null,
        }),
      ),
    'POST /api/jobs/8/retry': () => json(createJob({ id: 8, status: 'pending', progress: 0 })),
  });
  const requests = (path: string) =>
    fetch.requests
      .filter((request) => new URL(request.url).pathname === path)
      .map((request) => new URL(request.url).searchParams);
  return { ...renderApp(url), ...fetch, jobRequests: () => requests('/api/jobs') };
}

describe('Jobs page', { timeout: 30_000 }, () => {
  it('shows status chips with counts and filters by them through the URL', async () => {
    const { user, router, jobRequests } = setup('/jobs');
    expect(await screen.findByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    const chips = screen.getByRole('group', { name: 'Situação' });
    const failed = await within(chips).findByRole('button', { name: /Falharam\s*4/ });
    expect(within(chips).getByRole('button', { name: /Todos\s*37/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    await user.click(failed);
    await user.click(within(chips).getByRole('button', { name: /Em execução\s*2/ }));
    expect(new URLSearchParams(router.state.location.search).getAll('status')).toEqual([
      'failed',
      'running',
    ]);
    await waitFor(() =>
      expect(jobRequests().at(-1)?.getAll('status')).toEqual(['running', 'failed']),
    );
    expect(failed).toHaveAttribute('aria-pressed', 'true');

    await user.selectOptions(screen.getByLabelText('Instância'), 'Loja Centro');
    await waitFor(() => expect(jobRequests().at(-1)?.get('instance_id')).toBe('2'));
  });

  it('moves running progress bars live and refreshes when a job finishes', async () => {
    const running = createJob({ id: 7, status: 'running', progress: 20, progress_message: 'OCR' });
    const { jobRequests } = setup('/jobs', { jobs: [running] });
    const bar = await screen.findByRole('progressbar', { name: 'Progresso do job #7' });
    expect(bar).toHaveAttribute('aria-valuenow', '20');
    const socket = MockWebSocket.latest();
    act(() => socket.serverOpen());
    const before = jobRequests().length;

    // Progress alone costs no request, however long one waits (on a fake clock).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    act(() => socket.serverSend({ type: 'job.updated', data: { ...running, progress: 65 } }));
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(bar).toHaveAttribute('aria-valuenow', '65');
    expect(jobRequests().length).toBe(before);
    vi.useRealTimers();

    act(() =>
      socket.serverSend({ type: 'job.updated', data: { ...running, status: 'succeeded' } }),
    );
    await waitFor(() => expect(jobRequests().length).toBe(before + 1));
  });

  it('explains what jobs are when there are none', async () => {
    setup('/jobs', { jobs: [] });
    const empty = await screen.findByRole('region', { name: 'Nenhum job ainda' });
    expect(empty).toHaveTextContent('Mensagens de números bloqueados não geram jobs.');
  });
});

describe('Job detail', { timeout: 30_000 }, () => {
  it('shows the image, the extracted data, OCR skipped and the way back to its message', async () => {
    setup('/jobs/7');
    expect(await screen.findByRole('heading', { level: 1, name: /Job #7/ })).toBeVisible();
    expect(screen.getByRole('img', { name: 'Imagem recebida no job #7' })).toHaveAttribute(
      'src',
      '/api/jobs/7/thumbnail',
    );
    expect(screen.getByRole('link', { name: 'Abrir a imagem original' })).toHaveAttribute(
      'href',
      '/api/jobs/7/image',
    );
    expect(screen.getByRole('region', { name: 'Dados extraídos' }).textContent).toMatch(
      /R\$\s123,45/,
    );
    expect(screen.getByTestId('ocr-skipped')).toHaveTextContent(
      'OCR não executado: tesseract is not installed',
    );
    expect(screen.getByRole('link', { name: 'Ver a mensagem #9' })).toHaveAttribute(
      'href',
      '/messages/9',
    );
    expect(screen.getByRole('button', { name: 'Processar de novo' })).toBeVisible();
  });

  it('shows why a job failed and lets an operator run it again', async () => {
    const { user, requests } = setup('/jobs/8', { role: 'operator' });
    expect(await screen.findByRole('heading', { name: 'O job falhou' })).toBeVisible();
    expect(screen.getByText('invalid image: not an image')).toBeVisible();
    expect(screen.getByText(/Sem novas tentativas automáticas \(5 de 5\)/)).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Processar de novo' }));
    await waitFor(() =>
      expect(requests.some((r) => r.method === 'POST' && r.url.endsWith('/api/jobs/8/retry'))).toBe(
        true,
      ),
    );
  });

  it('gives viewers no action buttons', async () => {
    setup('/jobs/8', { role: 'viewer' });
    expect(await screen.findByRole('heading', { name: 'O job falhou' })).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Processar de novo' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancelar job' })).not.toBeInTheDocument();
  });
});

import { act, renderHook, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { renderWithProviders } from '@/testing/test-utils';

import { BulkProgress } from '../components/bulk-progress';
import { type BulkRun, useBulkRunner } from '../hooks/use-bulk-runner';
import { type BulkOutcome, type BulkTarget, runBulk } from '../lib/run-bulk';

const targets: BulkTarget[] = [1, 2, 3, 4, 5].map((id) => ({ id, name: `loja-${String(id)}` }));

/** A promise the test resolves when it wants. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('runBulk', () => {
  it('runs chunks a few at a time and reports each as it finishes', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seenChunks: number[][] = [];
    const progress: number[][] = [];
    const outcomes = await runBulk(
      targets,
      async (chunk) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seenChunks.push(chunk.map((t) => t.id));
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return chunk.map((t) => ({ id: t.id, ok: t.id !== 4, message: `done ${String(t.id)}` }));
      },
      { chunkSize: 2, concurrency: 2, onProgress: (chunk) => progress.push(chunk.map((o) => o.id)) },
    );
    expect(seenChunks).toEqual([[1, 2], [3, 4], [5]]);
    expect(maxInFlight).toBe(2);
    expect(progress.flat().sort()).toEqual([1, 2, 3, 4, 5]);
    expect(outcomes.find((o) => o.id === 4)).toEqual({ id: 4, ok: false, message: 'done 4' });
  });

  it('marks a whole chunk failed when its call throws, and a missing answer as failed', async () => {
    const outcomes = await runBulk(
      targets.slice(0, 4),
      (chunk) => {
        if (chunk.some((t) => t.id === 1)) return Promise.reject(new Error('Evolution fora do ar'));
        return Promise.resolve([{ id: 3, ok: true, message: 'ok' }]);
      },
      { chunkSize: 2, describeError: (error) => `falhou: ${(error as Error).message}` },
    );
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    expect(byId.get(1)).toEqual({ id: 1, ok: false, message: 'falhou: Evolution fora do ar' });
    expect(byId.get(2)?.ok).toBe(false);
    expect(byId.get(3)?.ok).toBe(true);
    expect(byId.get(4)).toEqual({ id: 4, ok: false, message: 'falhou: no result' });
  });
});

describe('useBulkRunner', () => {
  it('counts progress as results arrive and stops running at the end', async () => {
    const calls = targets.map(() => deferred<BulkOutcome[]>());
    let call = 0;
    const { result } = renderHook(() => useBulkRunner());

    let done!: Promise<BulkOutcome[]>;
    act(() => {
      done = result.current.start('restart', targets.slice(0, 3), () => {
        const current = calls[call];
        call += 1;
        return current.promise;
      });
    });
    expect(result.current.run).toMatchObject({ action: 'restart', total: 3, done: 0, running: true });
    expect(result.current.run?.items.map((i) => i.state)).toEqual(['pending', 'pending', 'pending']);

    await act(async () => {
      calls[1].resolve([{ id: 2, ok: true, message: 'reiniciada' }]);
      await Promise.resolve();
    });
    expect(result.current.run).toMatchObject({ done: 1, succeeded: 1, failed: 0, running: true });

    await act(async () => {
      calls[0].reject(new Error('boom'));
      calls[2].resolve([{ id: 3, ok: false, message: 'recusada' }]);
      await done;
    });
    expect(result.current.run).toMatchObject({ done: 3, succeeded: 1, failed: 2, running: false });
    expect(result.current.run?.items.map((i) => [i.id, i.state, i.message])).toEqual([
      [1, 'error', 'boom'],
      [2, 'ok', 'reiniciada'],
      [3, 'error', 'recusada'],
    ]);

    act(() => result.current.reset());
    expect(result.current.run).toBeNull();
  });
});

function makeRun(overrides: Partial<BulkRun> = {}): BulkRun {
  return {
    action: 'sync',
    total: 4,
    done: 2,
    succeeded: 1,
    failed: 1,
    running: true,
    items: [
      { id: 1, name: 'loja-1', state: 'ok', message: 'Desconectada → Conectada' },
      { id: 2, name: 'loja-2', state: 'error', message: 'O servidor Evolution não respondeu a tempo.' },
      { id: 3, name: 'loja-3', state: 'pending', message: '' },
      { id: 4, name: 'loja-4', state: 'pending', message: '' },
    ],
    ...overrides,
  };
}

describe('BulkProgress', () => {
  it('shows a progress bar while the calls run and each item as it is', () => {
    renderWithProviders(<BulkProgress run={makeRun()} />);

    const bar = screen.getByRole('progressbar', { name: 'Progresso' });
    expect(bar).toHaveAttribute('aria-valuenow', '50');
    expect(bar).toHaveAttribute('aria-valuetext', '2 de 4 concluídas');
    // Announced politely as it changes.
    expect(screen.getByText('Executando… 2 de 4 concluídas')).toHaveAttribute('aria-live', 'polite');

    const table = screen.getByRole('table', { name: 'Resultados' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual([
      'OK',
      'Erro',
      'Aguardando',
      'Aguardando',
    ]);
    expect(within(rows[1]).getByRole('rowheader')).toHaveTextContent('loja-2');
    expect(rows[1]).toHaveTextContent('O servidor Evolution não respondeu a tempo.');
    expect(rows[0]).toHaveTextContent('Desconectada → Conectada');
  });

  it('sums up when finished', () => {
    renderWithProviders(
      <BulkProgress
        run={makeRun({
          running: false,
          done: 4,
          succeeded: 3,
          failed: 1,
          items: makeRun().items.map((item) =>
            item.state === 'pending' ? { ...item, state: 'ok', message: 'sem mudança' } : item,
          ),
        })}
      />,
    );
    expect(screen.getByText('Concluído: 3 com sucesso, 1 com erro.')).toBeVisible();
    expect(screen.getByRole('progressbar', { name: 'Progresso' })).toHaveAttribute(
      'aria-valuenow',
      '100',
    );
    expect(screen.queryByText('Aguardando')).not.toBeInTheDocument();
  });
});

import { useCallback, useEffect, useRef, useState } from 'react';

import { EVENT, useRealtimeEvent } from '@/lib/realtime';

import {
  type BulkItemRead,
  type BulkOperationRead,
  type BulkOptions,
  createBulkOperation,
  runBulkOperation,
  type ServerBulkAction,
} from '../api/bulk-operations';
import {
  type BulkOutcome,
  type BulkTarget,
  type BulkTask,
  runBulk,
  type RunBulkOptions,
} from '../lib/run-bulk';

/** Sync and events run from the browser in chunks; the others are tracked operations. */
export type BulkAction = 'sync' | 'events' | ServerBulkAction;

export interface BulkItem extends BulkTarget {
  state: 'pending' | 'ok' | 'unchanged' | 'error';
  message: string;
  /** A template's changes on this instance (tracked operations). */
  changes?: BulkItemRead['changes'];
}

export interface BulkRun {
  action: BulkAction;
  items: BulkItem[];
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  running: boolean;
  /** The tracked operation behind the run (its failed items can be run again). */
  operationId?: number;
  /** The request itself failed (nothing ran). */
  error?: unknown;
}

function count(run: BulkRun, items: BulkItem[]): BulkRun {
  const done = items.filter((item) => item.state !== 'pending').length;
  const failed = items.filter((item) => item.state === 'error').length;
  return { ...run, items, done, failed, succeeded: done - failed };
}

function applyOutcomes(run: BulkRun, outcomes: BulkOutcome[]): BulkRun {
  const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
  const items = run.items.map((item) => {
    const outcome = byId.get(item.id);
    if (!outcome || item.state !== 'pending') return item;
    return {
      ...item,
      state: outcome.ok ? ('ok' as const) : ('error' as const),
      message: outcome.message,
    };
  });
  return count(run, items);
}

function fromServer(item: BulkItemRead): Partial<BulkItem> {
  return {
    state: item.state === 'failed' ? 'error' : item.state,
    message: item.detail ?? '',
    changes: item.changes,
  };
}

/** Merge server items (events or the final answer) into the run. */
function applyItems(run: BulkRun, updates: readonly BulkItemRead[]): BulkRun {
  const byId = new Map(updates.map((item) => [item.instance_id, item]));
  const items = run.items.map((item) => {
    const update = byId.get(item.id);
    return update ? { ...item, ...fromServer(update) } : item;
  });
  return count(run, items);
}

function fromOperation(action: BulkAction, operation: BulkOperationRead): BulkRun {
  const items = operation.items.map((item) => ({
    id: item.instance_id,
    name: item.name,
    state: 'pending' as const,
    message: '',
    ...fromServer(item),
  }));
  return count(
    {
      action,
      items,
      total: items.length,
      done: 0,
      succeeded: 0,
      failed: 0,
      running: true,
      operationId: operation.id,
    },
    items,
  );
}

/**
 * Runs one bulk action at a time and keeps its progress and per-item results: sync and
 * events from the browser, a chunk at a time; the others as a tracked operation on the
 * server, whose results arrive live (`bulk.item`) and whose failed items can be retried.
 */
export function useBulkRunner() {
  const [run, setRun] = useState<BulkRun | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const update = useCallback((change: (current: BulkRun) => BulkRun) => {
    if (mounted.current) setRun((current) => (current ? change(current) : current));
  }, []);

  useRealtimeEvent(EVENT.bulkItem, (event) => {
    update((current) =>
      current.operationId === event.data.operation_id
        ? applyItems(current, [event.data])
        : current,
    );
  });

  const start = useCallback(
    async (
      action: BulkAction,
      targets: readonly BulkTarget[],
      task: BulkTask,
      options: Omit<RunBulkOptions, 'onProgress'> = {},
    ) => {
      setRun({
        action,
        items: targets.map((target) => ({ ...target, state: 'pending', message: '' })),
        total: targets.length,
        done: 0,
        succeeded: 0,
        failed: 0,
        running: true,
      });
      const outcomes = await runBulk(targets, task, {
        ...options,
        onProgress: (chunk) => update((current) => applyOutcomes(current, chunk)),
      });
      update((current) => ({ ...current, running: false }));
      return outcomes;
    },
    [update],
  );

  const execute = useCallback(
    async (action: BulkAction, operationId: number) => {
      try {
        const finished = await runBulkOperation(operationId);
        update((current) => ({ ...applyItems(current, finished.items), running: false }));
      } catch (error) {
        update((current) => ({ ...current, running: false, error }));
      }
      return action;
    },
    [update],
  );

  /** Create a tracked operation over `targets` and run it. */
  const startOperation = useCallback(
    async (action: ServerBulkAction, targets: readonly BulkTarget[], options: BulkOptions = {}) => {
      setRun({
        action,
        items: targets.map((target) => ({ ...target, state: 'pending', message: '' })),
        total: targets.length,
        done: 0,
        succeeded: 0,
        failed: 0,
        running: true,
      });
      let operation: BulkOperationRead;
      try {
        operation = await createBulkOperation(
          action,
          targets.map((target) => target.id),
          options,
        );
      } catch (error) {
        update((current) => ({ ...current, running: false, error }));
        return;
      }
      if (mounted.current) setRun(fromOperation(action, operation));
      await execute(action, operation.id);
    },
    [execute, update],
  );

  /** Run the failed items of the current operation again. */
  const retryFailed = useCallback(async () => {
    if (!run?.operationId || run.running) return;
    const { operationId, action } = run;
    update((current) =>
      count(
        { ...current, running: true, error: undefined },
        current.items.map((item) =>
          item.state === 'error' ? { ...item, state: 'pending', message: '' } : item,
        ),
      ),
    );
    await execute(action, operationId);
  }, [execute, run, update]);

  const reset = useCallback(() => setRun(null), []);

  return { run, start, startOperation, retryFailed, reset };
}

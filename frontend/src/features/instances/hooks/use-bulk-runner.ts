import { useCallback, useEffect, useRef, useState } from 'react';

import {
  type BulkOutcome,
  type BulkTarget,
  type BulkTask,
  runBulk,
  type RunBulkOptions,
} from '../lib/run-bulk';

export type BulkAction = 'sync' | 'restart' | 'events';

export interface BulkItem extends BulkTarget {
  state: 'pending' | 'ok' | 'error';
  message: string;
}

export interface BulkRun {
  action: BulkAction;
  items: BulkItem[];
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  running: boolean;
}

function applyOutcomes(run: BulkRun, outcomes: BulkOutcome[]): BulkRun {
  const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
  let { done, succeeded, failed } = run;
  const items = run.items.map((item) => {
    const outcome = byId.get(item.id);
    if (!outcome || item.state !== 'pending') return item;
    done += 1;
    if (outcome.ok) succeeded += 1;
    else failed += 1;
    return {
      ...item,
      state: outcome.ok ? ('ok' as const) : ('error' as const),
      message: outcome.message,
    };
  });
  return { ...run, items, done, succeeded, failed };
}

/** Runs one bulk action at a time and keeps its progress and per-item results. */
export function useBulkRunner() {
  const [run, setRun] = useState<BulkRun | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

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
        onProgress: (chunk) => {
          if (mounted.current)
            setRun((current) => (current ? applyOutcomes(current, chunk) : current));
        },
      });
      if (mounted.current)
        setRun((current) => (current ? { ...current, running: false } : current));
      return outcomes;
    },
    [],
  );

  const reset = useCallback(() => setRun(null), []);

  return { run, start, reset };
}

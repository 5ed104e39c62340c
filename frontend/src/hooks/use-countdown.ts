import { useCallback, useEffect, useState } from 'react';

interface Countdown {
  deadline: number;
  now: number;
}

export interface UseCountdownResult {
  /** Whole seconds left; 0 when not started or finished. */
  remaining: number;
  start: (seconds: number) => void;
  reset: () => void;
}

/** A seconds countdown (e.g. "try again in N seconds" after a 429), ticking once a second. */
export function useCountdown(): UseCountdownResult {
  const [state, setState] = useState<Countdown | null>(null);

  useEffect(() => {
    if (!state || state.now >= state.deadline) return;
    const timer = window.setTimeout(() => {
      setState((current) => current && { ...current, now: Date.now() });
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [state]);

  const start = useCallback((seconds: number) => {
    const now = Date.now();
    setState({ deadline: now + seconds * 1000, now });
  }, []);
  const reset = useCallback(() => setState(null), []);

  const remaining = state ? Math.max(0, Math.ceil((state.deadline - state.now) / 1000)) : 0;
  return { remaining, start, reset };
}

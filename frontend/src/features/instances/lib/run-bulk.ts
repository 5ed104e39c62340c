export interface BulkTarget {
  id: number;
  name: string;
}

export interface BulkOutcome {
  id: number;
  ok: boolean;
  /** What happened, for the results table (already in the UI language). */
  message: string;
}

export type BulkTask = (chunk: BulkTarget[]) => Promise<BulkOutcome[]>;

export interface RunBulkOptions {
  /** Targets per call (1: one call per instance; more for endpoints that take a list). */
  chunkSize?: number;
  /** Calls in flight at once. */
  concurrency?: number;
  /** Called after each chunk with its outcomes. */
  onProgress?: (outcomes: BulkOutcome[]) => void;
  /** The message of a chunk whose call failed as a whole (e.g. the network). */
  describeError?: (error: unknown) => string;
}

/**
 * Runs `task` over `targets` in chunks, a few at a time, reporting each chunk's outcomes
 * as they arrive. A chunk that throws marks each of its targets failed; the others go on.
 * Every target gets exactly one outcome (a missing one counts as failed).
 */
export async function runBulk(
  targets: readonly BulkTarget[],
  task: BulkTask,
  {
    chunkSize = 1,
    concurrency = 3,
    onProgress,
    describeError = (error) => (error instanceof Error ? error.message : String(error)),
  }: RunBulkOptions = {},
): Promise<BulkOutcome[]> {
  const chunks: BulkTarget[][] = [];
  for (let i = 0; i < targets.length; i += chunkSize) chunks.push(targets.slice(i, i + chunkSize));
  const all: BulkOutcome[] = [];
  let next = 0;

  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next];
      next += 1;
      let outcomes: BulkOutcome[];
      try {
        const answered = await task(chunk);
        outcomes = chunk.map(
          (target) =>
            answered.find((outcome) => outcome.id === target.id) ?? {
              id: target.id,
              ok: false,
              message: describeError(new Error('no result')),
            },
        );
      } catch (error) {
        const message = describeError(error);
        outcomes = chunk.map((target) => ({ id: target.id, ok: false, message }));
      }
      all.push(...outcomes);
      onProgress?.(outcomes);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  return all;
}

// Load shapes shared by the tests and the benchmarks: a bounded worker pool, and a
// SCRIPT FLUSH storm that always stops by itself. Every loop here is bounded in count and
// time, as any load sent at a server of ours must be.

/**
 * Runs `task` up to `count` times with at most `concurrency` in flight; no new task starts
 * after `deadline` (a `Date.now()` value). Resolves to how many were started.
 */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
  deadline = Number.POSITIVE_INFINITY,
): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < count && Date.now() < deadline) await task(started++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return started;
}

/** Whatever can send SCRIPT FLUSH: an ioredis client (5 or 6) connected to one server or node. */
export interface Flusher {
  script(subcommand: "FLUSH"): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
}

export interface StormLimits {
  /** What is flushed: the script cache (SCRIPT FLUSH, the default) or the Functions libraries (FUNCTION FLUSH). */
  flushing?: "scripts" | "functions";
  /** The storm stops past this many SCRIPT FLUSH in all, whatever happens. */
  maxFlushes?: number;
  /** ... and at this `Date.now()` value. */
  deadline?: number;
}

/**
 * Sends SCRIPT FLUSH (or FUNCTION FLUSH) back to back on every one of `flushers` (one per server, or per cluster
 * master) until `work` settles, or a limit is reached. Resolves to how many were sent and
 * whether the deadline cut the storm short.
 */
export async function underFlushStorm(
  flushers: readonly Flusher[],
  work: () => Promise<unknown>,
  { maxFlushes = 100_000, deadline = Date.now() + 120_000, flushing = "scripts" }: StormLimits = {},
): Promise<{ flushes: number; timedOut: boolean }> {
  let done = false;
  let flushes = 0;
  const storm = flushers.map(async (flusher) => {
    while (!done && flushes < maxFlushes && Date.now() < deadline) {
      await (flushing === "functions" ? flusher.call("FUNCTION", "FLUSH") : flusher.script("FLUSH"));
      flushes++;
    }
  });
  try {
    await work();
  } finally {
    done = true;
    await Promise.all(storm);
  }
  return { flushes, timedOut: Date.now() >= deadline };
}

/** `work`, or a rejection once `ms` have passed without its reply: a failover round never hangs. */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The [error, result] pairs of an ioredis pipeline's or transaction's exec(). */
export type ExecResults = [error: Error | null, result: unknown][] | null;

/** Rejects with the first error of a batch's exec() results, so every context fails the same way. */
export function firstError(results: ExecResults): void {
  for (const [error] of results ?? []) if (error) throw error;
}

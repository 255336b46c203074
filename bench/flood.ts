// Safety under a SCRIPT FLUSH flood: while a second connection empties the
// script cache as fast as it can, how many calls fail with NOSCRIPT, and how
// many transactions are left partial (their INCR applied, a script call not),
// for luagen's generated functions (on ioredis 5 and 6 and on node-redis 5),
// ioredis's defineCommand (5 and 6) and node-redis 5's defineScript, directly,
// in pipelines and in transactions.
import type { RedisServer } from "../test/support/redis-server.js";
import {
  defineCommand,
  generated,
  generatedNodeRedis,
  isNoScript,
  nodeRedis,
  noscriptReplies,
  observer,
  type BatchKind,
  type Contender,
  type GeneratedModules,
  type Step,
} from "./clients.js";
import { benchScriptName } from "./synth.js";
import { fmtInt, type BenchResult, type Table, type Target } from "./table.js";
import { pool, underFlushStorm } from "../test/support/load.js";

export interface FloodConfig {
  /** Script calls per cell (context × contender); reported per 10,000. */
  readonly calls: number;
  /** Script calls per pipeline or transaction. */
  readonly batchSize: number;
  readonly directInFlight: number;
  readonly batchesInFlight: number;
  /** A cell stops early (and says so) past this. */
  readonly cellTimeoutMs: number;
  /** The flood stops past this many SCRIPT FLUSH, whatever happens. */
  readonly maxFlushes: number;
}

type Context = "direct" | BatchKind;
const CONTEXTS: readonly Context[] = ["direct", "pipeline", "transaction"];

/** The contenders, each built fresh per cell so no connection carries state from another cell. */
function contenderFactories(server: RedisServer, modules: GeneratedModules): (() => Promise<Contender>)[] {
  return [
    async () => generated(modules.ioredis.module, server, 5),
    async () => generated(modules.ioredis.module, server, 6),
    async () => defineCommand(server, 5),
    async () => defineCommand(server, 6),
    () => generatedNodeRedis(modules.nodeRedis.module, server),
    () => nodeRedis(server),
  ];
}

interface Cell {
  readonly context: Context;
  readonly label: string;
  readonly calls: number;
  readonly flushes: number;
  readonly noscript: number;
  readonly otherErrors: number;
  /** Transactions whose INCR applied while a script call in them failed. */
  readonly partial: number;
  readonly transactions: number;
  /** NOSCRIPT replies the server sent, including those the client retried. */
  readonly serverNoscript: number;
  /** Counter value minus what the successful calls should have added (0: consistent). */
  readonly drift: number;
  readonly timedOut: boolean;
  /** The first error's message, to tell what "other errors" were. */
  readonly firstError?: string;
}

export async function floodBench(
  server: RedisServer,
  modules: GeneratedModules,
  config: FloodConfig,
): Promise<BenchResult> {
  const watch = observer(server);
  const flusher = observer(server);
  const cells: Cell[] = [];
  try {
    for (const context of CONTEXTS) {
      for (const make of contenderFactories(server, modules)) {
        const contender = await make();
        try {
          cells.push(await runCell(context, contender, watch, flusher, config));
        } finally {
          await contender.close().catch(() => undefined);
        }
      }
    }
  } finally {
    watch.disconnect();
    flusher.disconnect();
  }
  return { title: "Under a SCRIPT FLUSH flood", tables: [floodTable(cells, config)], targets: floodTargets(cells) };
}

async function runCell(
  context: Context,
  contender: Contender,
  watch: ReturnType<typeof observer>,
  flusher: ReturnType<typeof observer>,
  config: FloodConfig,
): Promise<Cell> {
  const id = `${context}:${contender.label}`;
  const key = `flood:${id}:hits`;
  const counter = `flood:${id}:incr`;
  const script = benchScriptName("small", 0);
  // Warm this connection up outside the flood, as a long-lived app connection would be.
  await contender.direct(script, `flood:${id}:warm`, 1);
  await watch.del(key, counter);
  await watch.config("RESETSTAT");

  const deadline = Date.now() + config.cellTimeoutMs;
  let noscript = 0;
  let otherErrors = 0;
  let succeeded = 0;
  let partial = 0;
  let transactions = 0;
  let incrApplied = 0;
  let attempted = 0;
  let firstError: string | undefined;
  const count = (error: Error | null) => {
    if (error === null) return void succeeded++;
    if (isNoScript(error)) noscript++;
    else otherErrors++;
    firstError ??= error.message;
  };

  const work = async () => {
    if (context === "direct") {
      await pool(
        config.calls,
        config.directInFlight,
        async () => {
          attempted++;
          await contender.direct(script, key, 1).then(
            () => count(null),
            (error: Error) => count(error),
          );
        },
        deadline,
      );
      return;
    }
    const steps: Step[] = Array.from({ length: config.batchSize }, () => ({ script, key, by: 1 }));
    if (context === "transaction") steps.unshift({ incr: counter });
    await pool(
      Math.ceil(config.calls / config.batchSize),
      config.batchesInFlight,
      async () => {
        attempted += config.batchSize;
        const errors = await contender.batch(context, steps);
        const scriptErrors = context === "transaction" ? errors.slice(1) : errors;
        scriptErrors.forEach(count);
        if (context === "transaction") {
          transactions++;
          if (errors[0] === null) {
            incrApplied++;
            if (scriptErrors.some((e) => e !== null)) partial++;
          }
        }
      },
      deadline,
    );
  };

  const { flushes, timedOut } = await underFlushStorm([flusher], work, { maxFlushes: config.maxFlushes, deadline });
  const hits = Number((await watch.get(key)) ?? 0);
  const incrs = Number((await watch.get(counter)) ?? 0);
  const drift = hits - succeeded + (context === "transaction" ? incrs - incrApplied : 0);
  return {
    context,
    label: contender.label,
    calls: attempted,
    flushes,
    noscript,
    otherErrors,
    partial,
    transactions,
    serverNoscript: await noscriptReplies(watch),
    drift,
    timedOut,
    firstError,
  };
}

const per = (n: number, of: number, scale: number) => (of > 0 ? (n / of) * scale : Number.NaN);

function fmtRate(n: number, of: number, scale: number): string {
  if (of === 0) return "n/a";
  if (n === 0) return "0";
  const rate = per(n, of, scale);
  return `${rate < 10 ? rate.toFixed(1) : fmtInt(rate)} (${fmtInt(n)})`;
}

function floodTable(cells: readonly Cell[], config: FloodConfig): Table {
  return {
    title: "SCRIPT FLUSH flood: failures seen by the caller",
    headers: [
      "context",
      "variant",
      "script calls",
      "SCRIPT FLUSH sent",
      "NOSCRIPT errors / 10k calls (count)",
      "other errors",
      "partial transactions / 1k (count)",
      "NOSCRIPT replies at the server",
      "applied − reported done",
    ],
    rows: cells.map((cell) => [
      cell.context,
      cell.label,
      fmtInt(cell.calls) + (cell.timedOut ? " (timed out)" : ""),
      fmtInt(cell.flushes),
      fmtRate(cell.noscript, cell.calls, 10_000),
      cell.otherErrors === 0 ? "0" : `${fmtInt(cell.otherErrors)} (first: ${(cell.firstError ?? "").slice(0, 60)})`,
      cell.context === "transaction" ? fmtRate(cell.partial, cell.transactions, 1_000) : "–",
      fmtInt(cell.serverNoscript),
      cell.drift === 0 ? "0" : `${cell.drift > 0 ? "+" : ""}${fmtInt(cell.drift)}`,
    ]),
    notes: [
      `Per cell: ${fmtInt(config.calls)} calls of a 1-key INCRBY script on a fresh, warmed connection — direct with ${config.directInFlight} in flight; pipelines of ${config.batchSize} calls and transactions of INCR + ${config.batchSize} calls, ${config.batchesInFlight} batches in flight — while another connection sends SCRIPT FLUSH back to back.`,
      '"Partial": the transaction\'s INCR applied while one of its script calls failed. "NOSCRIPT replies at the server" (INFO errorstats) includes those a client caught and retried with EVAL, invisible to the caller. "Applied − reported done": what the counters hold minus what the calls reported as done; 0 means the caller can trust every reply, a positive number counts calls reported failed that were applied anyway (retrying them would apply them twice).',
      "Contexts for node-redis: pipeline = multi().execAsPipeline() (no MULTI), transaction = multi().exec(). node-redis defineScript sends EVAL for the first call of a script in a multi and EVALSHA after, and execAsPipeline() rejects the whole batch with the first error, so every call of a failed batch counts as failed; luagen's node-redis target sends EVAL for every call of a multi.",
    ],
  };
}

function floodTargets(cells: readonly Cell[]): Target[] {
  const failures = (c: Cell) => c.noscript + c.otherErrors + c.partial;
  const ours = cells.filter((c) => c.label.startsWith("luagen"));
  const theirs = cells.filter((c) => c.label.includes("defineCommand") && c.context === "transaction");
  const ourFailures = ours.reduce((sum, c) => sum + failures(c), 0);
  const ourDrift = ours.some((c) => c.drift !== 0);
  const theirPartial = theirs
    .map((c) => `${c.label}: ${fmtInt(c.partial)} partial of ${fmtInt(c.transactions)}`)
    .join("; ");
  const flushes = ours.reduce((sum, c) => sum + c.flushes, 0);
  const met = ourFailures === 0 && !ourDrift;
  return [
    {
      name: "generated: zero failures under the flood (direct, pipeline, transaction) where defineCommand fails",
      met,
      detail: `luagen: ${fmtInt(ourFailures)} failures${ourDrift ? ", counters inconsistent" : ""} in ${fmtInt(ours.reduce((s, c) => s + c.calls, 0))} calls under ${fmtInt(flushes)} SCRIPT FLUSH; ${theirPartial}`,
    },
  ];
}

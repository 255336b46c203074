// Runtime throughput: what the NOSCRIPT-proof policy costs per call, measured
// side by side in one process against raw EVALSHA and the client's own script
// helper, on ioredis (defineCommand) and on node-redis (defineScript). Variants alternate in rounds (A B C D, B C D A, ...)
// so that drift on a shared machine hits them all alike. Each cell is the
// median of the rounds; each ratio is the median of the per-round ratios (a
// variant against the baseline measured moments before it, in the same round),
// which drift cancels out of far better than a ratio of two medians. Every
// sample starts after a full GC, so no variant pays for another's garbage.
import v8 from "node:v8";
import vm from "node:vm";
import type { RedisServer } from "../test/support/redis-server.js";
import {
  defineCommand,
  generated,
  generatedNodeRedis,
  generatedTyped,
  generatedTypedNodeRedis,
  infoField,
  nodeRedis,
  observer,
  rawEvalsha,
  nodeRedisEvalSha,
  rawFcall,
  rawNodeRedis,
  SCRIPTS,
  type BatchKind,
  type Contender,
  type GeneratedModules,
  type Step,
} from "./clients.js";
import { benchScriptName, VARIANTS, type ScriptSize } from "./synth.js";
import {
  atLeast,
  fmtBytes,
  fmtInt,
  fmtRatio,
  fmtRatioIqr,
  fmtSpread,
  median,
  quantile,
  type BenchResult,
  type Table,
  type Target,
} from "./table.js";
import { pool } from "../test/support/load.js";

export interface RuntimeConfig {
  /** Timed rounds per batch group (one untimed warm-up round comes first)... */
  readonly rounds: number;
  /** ...and per direct-call group, whose samples are short and whose ratios the targets judge. */
  readonly directRounds: number;
  /** Direct calls per variant per round, awaited one at a time. */
  readonly awaitedCalls: number;
  /** Direct calls per variant per round, with `inFlight` outstanding. */
  readonly inFlightCalls: number;
  readonly inFlight: number;
  /** Batches per variant per round (each awaited before the next). */
  readonly batches: number;
  /** Batches sent to measure the bytes the server receives per batch. */
  readonly bytesBatches: number;
  /** Calls queued (in batches built and dropped unsent) per variant per round, for the client-side cost... */
  readonly builtCalls: number;
  /** ...in this many rounds (CPU time needs fewer than throughput). */
  readonly buildRounds: number;
}

const SIZES: readonly { size: ScriptSize; label: string }[] = [
  { size: "small", label: "small (5 lines)" },
  { size: "large", label: "4 KiB" },
];

interface BatchShape {
  readonly id: string;
  readonly label: string;
  readonly kind: BatchKind;
  readonly calls: number;
  /** Calls rotate through the 10 different scripts instead of repeating one. */
  readonly distinct: boolean;
}

const SHAPES: readonly BatchShape[] = [
  { id: "pipeline100", label: "pipeline of 100 calls (same script)", kind: "pipeline", calls: 100, distinct: false },
  { id: "multi100", label: "transaction of 100 calls (same script)", kind: "transaction", calls: 100, distinct: false },
  { id: "multi10", label: "transaction of 10 different scripts", kind: "transaction", calls: 10, distinct: true },
];

/** One timed run of one variant. */
export interface Sample {
  /** Script calls per second. */
  readonly rate: number;
  /** This process's CPU time (user + system) per script call, in µs: the client's own cost. */
  readonly cpuUs: number;
}

/**
 * A full garbage collection, so every sample starts from a clean heap instead of paying
 * for the garbage the variant before it left. `--expose-gc` set at run time (tsx starts
 * node without it); a no-op if V8 refuses.
 */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return () => undefined;
  }
})();

/** Times `calls` script calls made by `run`; CPU is this process's, so it is the client's cost alone. */
export async function sample(calls: number, run: () => Promise<unknown>): Promise<Sample> {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { rate: (calls / ms) * 1000, cpuUs: (used.user + used.system) / calls };
}

/**
 * A warm-up round, then `rounds` rounds of every contender in turn (A B C D, B C D A, ...:
 * the order rotates so no variant always runs first, or always right after the same one).
 * Returns, per contender, one sample per timed round, in round order.
 */
export async function alternate<S extends Sample>(
  contenders: readonly Contender[],
  rounds: number,
  run: (c: Contender) => Promise<S>,
): Promise<Map<Contender, S[]>> {
  const samples = new Map(contenders.map((c) => [c, [] as S[]]));
  for (const contender of contenders) await run(contender);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length];
      samples.get(contender)!.push(await run(contender));
    }
  }
  return samples;
}

/** Per round, `of`'s rate (or CPU) ÷ `base`'s in the same round. */
export function pairedRatios(
  samples: Map<Contender, Sample[]>,
  of: Contender,
  base: Contender,
  measure: keyof Sample = "rate",
): number[] {
  const mine = samples.get(of)!;
  const theirs = samples.get(base)!;
  return mine.map((s, i) => s[measure] / theirs[i][measure]);
}

/** The median of the per-round ratios. */
function pairedRatio(
  samples: Map<Contender, Sample[]>,
  of: Contender,
  base: Contender,
  measure: keyof Sample = "rate",
): number {
  return median(pairedRatios(samples, of, base, measure));
}

export const rates = (samples: readonly Sample[]) => samples.map((s) => s.rate);
export const cpu = (samples: readonly Sample[]) => median(samples.map((s) => s.cpuUs));
export const fmtUs = (us: number) => (Number.isFinite(us) ? `${us < 10 ? us.toFixed(1) : fmtInt(us)} µs` : "n/a");

interface RatioFinding {
  readonly label: string;
  readonly value: number;
  readonly detail: string;
}

/** The target's number (median paired ratio) with what it rests on; `control` is an A/A run of the baseline. */
function finding(
  label: string,
  samples: Map<Contender, Sample[]>,
  subject: Contender,
  baseline: Contender,
  control?: Contender,
): RatioFinding {
  const ratios = pairedRatios(samples, subject, baseline);
  const mine = median(rates(samples.get(subject)!));
  const theirs = median(rates(samples.get(baseline)!));
  const iqr = `${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`;
  const aa = control ? `; A/A control ${fmtRatio(pairedRatio(samples, control, baseline), 3)}` : "";
  return {
    label,
    value: median(ratios),
    detail: `(median of ${ratios.length} per-round ratios, interquartile ${iqr}${aa}; ${fmtInt(mine)} vs ${fmtInt(theirs)} calls/s; client CPU ${fmtUs(cpu(samples.get(subject)!))} vs ${fmtUs(cpu(samples.get(baseline)!))} per call)`,
  };
}

export async function runtimeBench(
  server: RedisServer,
  modules: GeneratedModules,
  config: RuntimeConfig,
): Promise<BenchResult> {
  const watch = observer(server);
  // The floors need their scripts cached; the others cache them themselves in the warm-up round.
  for (const { source } of SCRIPTS.values()) await watch.script("LOAD", source);

  const raw = rawEvalsha(server);
  const ours = generated(modules.ioredis.module, server);
  const typed = generatedTyped(modules.ioredis.module, server);
  const theirs = defineCommand(server);
  const nodeRaw = await rawNodeRedis(server);
  const nodeOurs = await generatedNodeRedis(modules.nodeRedis.module, server);
  const nodeTyped = await generatedTypedNodeRedis(modules.nodeRedis.module, server);
  const nodeTheirs = await nodeRedis(server);
  const nodeOwnEvalSha = await nodeRedisEvalSha(server);
  // --mode functions: the library loaded, so that every variant's call is one FCALL (or EVALSHA).
  await watch.call("FUNCTION", "LOAD", "REPLACE", modules.functions.library.code);
  const fcallRaw = rawFcall(server, modules.functions.library);
  const fcallOurs = generated(modules.functions.module, server, 5, "luagen generated, --mode functions");
  const fcallControl = rawFcall(server, modules.functions.library, "raw FCALL again (A/A control)");
  // The same code as each floor, on its own connection: how far from 1.00× noise alone puts a ratio.
  const control = rawEvalsha(server, "raw EVALSHA again (A/A control)");
  const nodeControl = await rawNodeRedis(server, "raw sendCommand EVALSHA again (A/A control)");
  const all = [
    raw,
    ours,
    typed,
    theirs,
    nodeRaw,
    nodeOurs,
    nodeTyped,
    nodeTheirs,
    nodeOwnEvalSha,
    control,
    nodeControl,
    fcallRaw,
    fcallOurs,
    fcallControl,
  ];
  try {
    const direct = await directTable("ioredis 5", [raw, ours, theirs, control], raw, ours, control, config);
    const nodeDirect = await directTable(
      "node-redis 5",
      [nodeRaw, nodeOurs, nodeOwnEvalSha, nodeTheirs, nodeControl],
      nodeRaw,
      nodeOurs,
      nodeControl,
      config,
      undefined,
      nodeOwnEvalSha,
    );
    const functions = await directTable(
      "ioredis 5, --mode functions",
      [fcallRaw, fcallOurs, raw, fcallControl],
      fcallRaw,
      fcallOurs,
      fcallControl,
      config,
      "All variants run INCRBY on one key through a 1-key, 1-argument script: the functions of the generated library (loaded before), as FCALL, and `raw EVALSHA (floor)` of the table above, the script mode's own floor, for comparison. Batches in `--mode functions` are the script mode's (EVAL, then EVALSHA): the tables below cover them.",
    );
    // --mode functions queues the script mode's EVAL/EVALSHA in batches (docs/functions.md): its rows
    // and raw FCALL's show what that choice costs against FCALL in the same batch.
    const batches = await batchTable(
      "ioredis 5",
      [raw, ours, typed, theirs, fcallOurs, fcallRaw],
      theirs,
      ours,
      watch,
      config,
      typed,
    );
    const nodeBatches = await batchTable(
      "node-redis 5",
      [nodeRaw, nodeOurs, nodeTyped, nodeTheirs],
      nodeTheirs,
      nodeOurs,
      watch,
      config,
      nodeTyped,
    );
    const building = await buildTable([raw, ours, typed, theirs, nodeOurs, nodeTyped, nodeTheirs], theirs, config);
    const targets: Target[] = [
      ...direct.findings.map((f) =>
        atLeast(`generated direct call ≥ 0.97× raw EVALSHA (ioredis 5, ${f.label})`, f.value, 0.97, f.detail),
      ),
      ...nodeDirect.findings.map((f) =>
        atLeast(
          `generated direct call ≥ 0.97× raw sendCommand EVALSHA (node-redis 5, ${f.label})`,
          f.value,
          0.97,
          f.detail,
        ),
      ),
      // Where the rest of the gap lies: the generated function sends through node-redis's own EVALSHA
      // command (keyPrefix, typeMapping, cluster routing as node-redis documents them), whose layer
      // above sendCommand is node-redis's own cost; this is luagen's share alone.
      ...nodeDirect.secondFindings.map((f) =>
        atLeast(
          `generated direct call ≥ 0.95× node-redis's own client.evalSha, the API it calls (node-redis 5, ${f.label})`,
          f.value,
          0.95,
          f.detail,
        ),
      ),
      ...functions.findings.map((f) =>
        atLeast(
          `generated direct call, --mode functions ≥ 0.97× raw FCALL (ioredis 5, ${f.label})`,
          f.value,
          0.97,
          f.detail,
        ),
      ),
      ...batches.findings.map((f) =>
        atLeast(`generated transaction of 100 ≥ 0.97× defineCommand, warm cache (${f.label})`, f.value, 0.97, f.detail),
      ),
      ...[
        { client: "ioredis 5", findings: batches.typedFindings },
        { client: "node-redis 5", findings: nodeBatches.typedFindings },
      ].flatMap(({ client, findings }) =>
        findings.map((f) =>
          atLeast(
            `typed multi() of 100 ≥ 0.97× untyped multi() of 100 with the generated functions (${client}, ${f.label})`,
            f.value,
            0.97,
            f.detail,
          ),
        ),
      ),
    ];
    return {
      title: "Runtime throughput",
      tables: [direct.table, nodeDirect.table, functions.table, batches.table, nodeBatches.table, building],
      targets,
    };
  } finally {
    for (const contender of all) await contender.close().catch(() => undefined);
    watch.disconnect();
  }
}

async function directTable(
  client: string,
  contenders: readonly Contender[],
  baseline: Contender,
  subject: Contender,
  control: Contender,
  config: RuntimeConfig,
  /** What the variants send, when it is not the EVALSHA of a warm script cache. */
  what = "All variants run INCRBY on one key through a 1-key, 1-argument script with a warm cache, so all send EVALSHA.",
  /** A second baseline the subject is also measured against, in the same rounds. */
  second?: Contender,
) {
  const rows: string[][] = [];
  const findings: RatioFinding[] = [];
  const secondFindings: RatioFinding[] = [];
  for (const { size, label: sizeLabel } of SIZES) {
    const name = benchScriptName(size, 0);
    const key = `bench:direct:${size}`;
    for (const [concurrency, calls] of [
      [1, config.awaitedCalls],
      [config.inFlight, config.inFlightCalls],
    ] as const) {
      const samples = await alternate(contenders, config.directRounds, (c) =>
        sample(calls, () => pool(calls, concurrency, () => c.direct(name, key, 1))),
      );
      const inFlight = concurrency === 1 ? "1 (awaited)" : String(concurrency);
      for (const contender of contenders) {
        const mine = samples.get(contender)!;
        rows.push([
          contender.label,
          sizeLabel,
          inFlight,
          fmtSpread(rates(mine)),
          fmtRatioIqr(pairedRatios(samples, contender, baseline)),
          fmtUs(cpu(mine)),
        ]);
      }
      findings.push(
        finding(
          `${sizeLabel}, ${concurrency === 1 ? "awaited" : `${concurrency} in flight`}`,
          samples,
          subject,
          baseline,
          control,
        ),
      );
      if (second !== undefined)
        secondFindings.push(
          finding(
            `${sizeLabel}, ${concurrency === 1 ? "awaited" : `${concurrency} in flight`}`,
            samples,
            subject,
            second,
          ),
        );
    }
  }
  const table: Table = {
    title: `Direct calls on ${client}: calls/s (median of rounds, min–max in brackets)`,
    headers: ["variant", "script", "in flight", "calls/s", `vs ${baseline.label} (IQR)`, "client CPU / call"],
    rows,
    notes: [
      `${config.directRounds} timed rounds after one warm-up round; per round ${fmtInt(config.awaitedCalls)} awaited calls, or ${fmtInt(config.inFlightCalls)} calls with ${config.inFlight} in flight, per variant, variants alternating in rotating order.`,
      "Ratio: median over rounds of (variant ÷ baseline in the same round), the interquartile range of those per-round ratios in brackets. The A/A control runs the floor's own code again: its distance from 1.00× is what noise alone does to a ratio on this machine. Client CPU: this process's user+system time per call (median of rounds), which load from other processes barely moves.",
      `${what} node-redis writes every command queued in one tick with one socket write; ioredis (without \`enableAutoPipelining\`) writes each command on its own, which is why node-redis runs several times faster at 64 in flight. Each client's rows are measured against its own floor.`,
    ],
  };
  return { table, findings, secondFindings };
}

/** The steps of one batch shape, built once and reused by every variant. */
function batchSteps(shape: BatchShape, size: ScriptSize): Step[] {
  const key = `bench:${shape.id}:${size}`;
  return Array.from({ length: shape.calls }, (_, i) => ({
    script: benchScriptName(size, shape.distinct ? i % VARIANTS : 0),
    key,
    by: 1,
  }));
}

/** `count` batches of `steps`, one after the other; any failed step is a bench bug, so it throws. */
export async function runBatches(
  contender: Contender,
  kind: BatchKind,
  steps: readonly Step[],
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const failed = (await contender.batch(kind, steps)).find((e) => e !== null);
    if (failed) throw new Error(`${contender.label}, ${kind}: ${failed.message}`);
  }
}

async function batchTable(
  client: string,
  contenders: readonly Contender[],
  baseline: Contender,
  subject: Contender,
  watch: ReturnType<typeof observer>,
  config: RuntimeConfig,
  /** The typed batch, compared with `subject` (the same calls queued by the generated functions). */
  typed?: Contender,
) {
  const rows: string[][] = [];
  const findings: RatioFinding[] = [];
  const typedFindings: RatioFinding[] = [];
  const infoCost = await infoRequestBytes(watch);
  for (const { size, label: sizeLabel } of SIZES) {
    for (const shape of SHAPES) {
      const steps = batchSteps(shape, size);
      const samples = await alternate(contenders, config.rounds, (c) =>
        sample(config.batches * shape.calls, () => runBatches(c, shape.kind, steps, config.batches)),
      );
      for (const contender of contenders) {
        const bytes = await bytesPerBatch(watch, infoCost, config.bytesBatches, () =>
          runBatches(contender, shape.kind, steps, config.bytesBatches),
        );
        const mine = samples.get(contender)!;
        rows.push([
          contender.batchLabels?.[shape.kind] ?? contender.label,
          sizeLabel,
          shape.label,
          fmtSpread(rates(mine)),
          fmtRatioIqr(pairedRatios(samples, contender, baseline)),
          fmtUs(cpu(mine)),
          fmtBytes(bytes),
          fmtBytes(bytes / shape.calls),
        ]);
      }
      if (shape.id === "multi100") findings.push(finding(sizeLabel, samples, subject, baseline));
      if (shape.id === "multi100" && typed) typedFindings.push(finding(sizeLabel, samples, typed, subject));
    }
  }
  const table: Table = {
    title: `Batches on ${client}: script calls/s (median of rounds, min–max in brackets) and bytes the server received`,
    headers: [
      "variant",
      "script",
      "batch",
      "calls/s",
      `vs ${baseline.label} (IQR)`,
      "client CPU / call",
      "bytes in / batch",
      "bytes in / call",
    ],
    rows,
    notes: [
      `${config.rounds} timed rounds after one warm-up round; per round ${fmtInt(config.batches)} batches per variant, each awaited before the next, variants alternating in rotating order. Warm cache throughout. Ratio and CPU as above.`,
      ...(typed
        ? [
            `${typed.label}: the same calls through the generated index's typed batch (\`multi(client).incr(k).small0(k, 1)...exec()\`), whose exec() resolves to the typed tuple; "${subject.label}" queues them with the generated functions on the client's own batch and reads its untyped replies.`,
          ]
        : []),
      `Bytes: \`INFO stats\` \`total_net_input_bytes\` delta over ${config.bytesBatches} batches, minus the INFO request itself, divided by ${config.bytesBatches}.`,
      "What each sends: luagen on ioredis — pipeline: EVAL every call; transaction: EVAL the first call of each script, EVALSHA after. luagen on node-redis — EVAL every call of a multi(), for exec() and execAsPipeline() alike (which one ends it is unknown while it is queued). ioredis defineCommand — EVAL once per connection, EVALSHA after, everywhere (hence its NOSCRIPT failures under the flood). node-redis defineScript — EVAL the first call of each script in a multi(), EVALSHA after, with or without MULTI (hence its failures in execAsPipeline() under the flood). The floor sends EVALSHA only, with the script loaded beforehand. luagen --mode functions — in batches the same as luagen on ioredis (a batch never depends on the library); raw FCALL — FCALL every call, the library loaded beforehand (which a FUNCTION FLUSH would make fail).",
    ],
  };
  return { table, findings, typedFindings };
}

/**
 * The client's own cost of queuing a batch, with no network and no server in the way:
 * each variant builds the batch and drops it unsent. CPU time per queued call.
 */
async function buildTable(
  contenders: readonly Contender[],
  baseline: Contender,
  config: RuntimeConfig,
): Promise<Table> {
  const rows: string[][] = [];
  const shapes: BatchShape[] = [
    ...SHAPES,
    {
      id: "multi1000",
      label: "transaction of 1,000 calls (same script)",
      kind: "transaction",
      calls: 1000,
      distinct: false,
    },
  ];
  for (const shape of shapes) {
    const steps = batchSteps(shape, "small");
    const batches = Math.max(1, Math.round(config.builtCalls / shape.calls));
    const samples = await alternate(contenders, config.buildRounds, (c) =>
      sample(batches * shape.calls, async () => {
        for (let i = 0; i < batches; i++) c.build(shape.kind, steps);
      }),
    );
    for (const contender of contenders) {
      rows.push([
        contender.batchLabels?.[shape.kind] ?? contender.label,
        shape.label,
        fmtUs(cpu(samples.get(contender)!)),
        fmtRatio(pairedRatio(samples, contender, baseline, "cpuUs")),
      ]);
    }
  }
  return {
    title: "Client-side cost of queuing a batch (built and dropped unsent; no network)",
    headers: ["variant", "batch", "CPU / queued call", `vs ${baseline.label} (lower is cheaper)`],
    rows,
    notes: [
      `${config.buildRounds} timed rounds after one warm-up round; per round ${fmtInt(config.builtCalls)} calls queued per variant, variants alternating in rotating order; median of rounds. This isolates what each library does per call before anything is written (argument checks, command objects, luagen's context detection and EVAL/EVALSHA choice); a cost per call that grows with the batch is a cost per batch that grows quadratically.`,
    ],
  };
}

/** What one `INFO stats` request adds to total_net_input_bytes (subtracted from every delta). */
async function infoRequestBytes(watch: ReturnType<typeof observer>): Promise<number> {
  const a = await infoField(watch, "stats", "total_net_input_bytes");
  const b = await infoField(watch, "stats", "total_net_input_bytes");
  return b - a;
}

async function bytesPerBatch(
  watch: ReturnType<typeof observer>,
  infoCost: number,
  count: number,
  run: () => Promise<void>,
): Promise<number> {
  const before = await infoField(watch, "stats", "total_net_input_bytes");
  await run();
  const after = await infoField(watch, "stats", "total_net_input_bytes");
  return (after - before - infoCost) / count;
}

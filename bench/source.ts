// What carrying the source costs a plain pipeline, by script size, and whether handing the
// client the source as a Buffer encoded once per script (`Transport.source` in the runtime)
// helps: a pipeline of 100 calls of a 130 B, 2 KiB and 8 KiB script against the client's raw
// EVALSHA pipeline, and the client's peak memory for a 1 MiB script in a pipeline of 100.
//
// Before and after run side by side: the generated code is compiled twice, once as shipped and
// once with only the runtime's `source` choice flipped (bench/clients.ts, `flipSource`). For
// node-redis the string is the before (every client was handed the string until the source was
// encoded once) and the Buffer the after; for ioredis the string ships and the Buffer is the
// alternative measured and not taken.
import { spawn } from "node:child_process";
import type { RedisServer } from "../test/support/redis-server.js";
import {
  generated,
  generatedNodeRedis,
  observer,
  rawEvalsha,
  rawNodeRedis,
  SCRIPTS,
  type Contender,
  type GeneratedFor,
  type GeneratedModules,
  type SourceArgument,
} from "./clients.js";
import { alternate, cpu, fmtUs, pairedRatios, rates, runBatches, sample, type Sample } from "./runtime.js";
import { PAYLOADS, type Payload } from "./synth.js";
import { fmtBytes, fmtInt, fmtRatioIqr, fmtSpread, median, type BenchResult, type Table } from "./table.js";

export interface SourceConfig {
  /** Timed rounds per script size (one untimed warm-up round comes first). */
  readonly rounds: number;
  /** Pipelines of `calls` calls per variant per round. */
  readonly batches: number;
  readonly calls: number;
  /** Child processes per variant for the peak-memory table (median reported). */
  readonly rssRuns: number;
}

const TIMED: readonly Payload[] = PAYLOADS.filter((payload) => payload.bytes <= 8 * 1024);
const BIG: Payload = PAYLOADS[PAYLOADS.length - 1];

/** A sample with the server's CPU time per call (INFO cpu, main and background threads). */
interface ServerSample extends Sample {
  readonly serverCpuUs: number;
}

interface Family {
  readonly client: "ioredis" | "node-redis";
  readonly label: string;
  readonly generated: GeneratedFor;
  /** The raw EVALSHA pipeline on this client, on a connection of its own. */
  raw(label?: string): Promise<Contender>;
  /** The generated functions of `module` on this client. */
  ours(module: GeneratedFor["module"], label: string): Promise<Contender>;
}

const word = (source: SourceArgument) => (source === "bytes" ? "Buffer" : "string");

/** "luagen, source as Buffer (shipped)" or "luagen, source as string (before)" / "(not shipped)". */
function variantLabel(family: Family, source: SourceArgument): string {
  const shipped = family.generated.source;
  if (source === shipped) return `luagen, source as ${word(source)} (shipped)`;
  return `luagen, source as ${word(source)} (${shipped === "bytes" ? "before" : "not shipped"})`;
}

const flip = (source: SourceArgument): SourceArgument => (source === "bytes" ? "string" : "bytes");

export async function sourceBench(
  server: RedisServer,
  modules: GeneratedModules,
  config: SourceConfig,
): Promise<BenchResult> {
  const families: Family[] = [
    {
      client: "ioredis",
      label: "ioredis 5",
      generated: modules.ioredis,
      raw: async (label) => rawEvalsha(server, label),
      ours: async (module, label) => generated(module, server, 5, label),
    },
    {
      client: "node-redis",
      label: "node-redis 5 (multi().execAsPipeline())",
      generated: modules.nodeRedis,
      raw: (label) => rawNodeRedis(server, label),
      ours: (module, label) => generatedNodeRedis(module, server, label),
    },
  ];
  const watch = observer(server);
  for (const { source } of SCRIPTS.values()) await watch.script("LOAD", source);
  try {
    const rows: string[][] = [];
    for (const family of families) rows.push(...(await timedRows(family, watch, config)));
    const rss: string[][] = [];
    for (const family of families) rss.push(...(await rssRows(family, server, modules.rssChild, config)));
    return {
      title: "Carrying the source: pipelines by script size",
      tables: [timedTable(rows, config), rssTable(rss, config)],
      targets: [],
    };
  } finally {
    watch.disconnect();
  }
}

async function timedRows(
  family: Family,
  watch: ReturnType<typeof observer>,
  config: SourceConfig,
): Promise<string[][]> {
  const floor = await family.raw(`raw EVALSHA pipeline (floor)`);
  const shipped = family.generated.source;
  const asString = await family.ours(
    shipped === "string" ? family.generated.module : family.generated.flipped,
    variantLabel(family, "string"),
  );
  const asBytes = await family.ours(
    shipped === "bytes" ? family.generated.module : family.generated.flipped,
    variantLabel(family, "bytes"),
  );
  const control = await family.raw("raw EVALSHA pipeline again (A/A control)");
  const contenders = [floor, asString, asBytes, control];
  const rows: string[][] = [];
  try {
    for (const payload of TIMED) {
      const steps = Array.from({ length: config.calls }, () => ({ script: payload.name, key: "bench:source", by: 1 }));
      const calls = config.batches * config.calls;
      const samples = await alternate(contenders, config.rounds, async (c): Promise<ServerSample> => {
        const before = await serverCpuSeconds(watch);
        const timed = await sample(calls, () => runBatches(c, "pipeline", steps, config.batches));
        const after = await serverCpuSeconds(watch);
        return { ...timed, serverCpuUs: ((after - before) * 1e6) / calls };
      });
      for (const contender of contenders) {
        const mine = samples.get(contender)!;
        rows.push([
          family.label,
          contender.label,
          payload.label,
          fmtSpread(rates(mine)),
          fmtRatioIqr(pairedRatios(samples, contender, floor)),
          fmtUs(cpu(mine)),
          fmtUs(median(mine.map((s) => s.serverCpuUs))),
        ]);
      }
    }
  } finally {
    for (const contender of contenders) await contender.close().catch(() => undefined);
  }
  return rows;
}

/** The server's user + system CPU seconds so far (`INFO cpu`). */
async function serverCpuSeconds(watch: ReturnType<typeof observer>): Promise<number> {
  const info = await watch.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return field("used_cpu_user") + field("used_cpu_sys");
}

function timedTable(rows: string[][], config: SourceConfig): Table {
  return {
    title: `Pipelines of ${config.calls} calls by script size: script calls/s (median of rounds, min–max in brackets)`,
    headers: ["client", "variant", "script", "calls/s", "vs the floor (IQR)", "client CPU / call", "server CPU / call"],
    rows,
    notes: [
      `${config.rounds} timed rounds after one warm-up round; per round ${fmtInt(config.batches)} pipelines of ${config.calls} calls of one script per variant, each awaited before the next, variants alternating in rotating order; ratio as in the tables above, against the same client's raw EVALSHA pipeline (the script loaded beforehand) measured in the same round. Server CPU: redis-server's user+system time per call (INFO cpu around each sample).`,
      "Every luagen row sends EVAL with the full source on every call (a plain pipeline always does); the two luagen rows per client run the same generated code and differ only in how the runtime hands the client the source: the string, or a Buffer encoded once per script (bench/clients.ts `flipSource`). For node-redis the string row is the before and the Buffer row the after (shipped); for ioredis the string ships and the Buffer row is the alternative, not taken.",
    ],
  };
}

/** Child processes per variant (in rotating order), each sending one pipeline of the 1 MiB script. */
async function rssRows(family: Family, server: RedisServer, child: string, config: SourceConfig): Promise<string[][]> {
  const { sha1 } = SCRIPTS.get(BIG.name)!;
  const shipped = family.generated.source;
  const fileFor = (source: SourceArgument) =>
    source === shipped ? family.generated.files.module : family.generated.files.flipped;
  const variants = [
    { label: "raw EVALSHA pipeline (floor)", module: "raw" },
    { label: variantLabel(family, "string"), module: fileFor("string") },
    { label: variantLabel(family, "bytes"), module: fileFor("bytes") },
  ];
  const runs = new Map(variants.map((v) => [v, [] as { before: number; peak: number }[]]));
  for (let round = 0; round < config.rssRuns; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(round + i) % variants.length];
      const args = [
        family.client,
        variant.module,
        BIG.name,
        sha1,
        server.host,
        String(server.port),
        String(config.calls),
        "1",
      ];
      runs.get(variant)!.push(await runChild(child, args));
    }
  }
  return variants.map((variant) => {
    const mine = runs.get(variant)!;
    const before = median(mine.map((r) => r.before));
    const peak = median(mine.map((r) => r.peak));
    return [
      family.label,
      variant.label,
      fmtBytes(before),
      fmtSpread(
        mine.map((r) => r.peak),
        fmtBytes,
      ),
      fmtBytes(peak - before),
    ];
  });
}

function runChild(child: string, args: readonly string[]): Promise<{ before: number; peak: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    proc.on("error", reject);
    proc.on("close", (code) => {
      if (code !== 0) return reject(new Error(`rss-child ${args.join(" ")} exited ${code}: ${err}`));
      resolve(JSON.parse(out) as { before: number; peak: number });
    });
  });
}

function rssTable(rows: string[][], config: SourceConfig): Table {
  return {
    title: `Peak client memory: one pipeline of ${config.calls} calls of a ${BIG.label} script`,
    headers: ["client", "variant", "RSS before the pipeline", "peak RSS (min–max)", "peak − before"],
    rows,
    notes: [
      `Each figure is the median of ${config.rssRuns} runs, each in a child process of its own (bench/rss-child.ts, compiled, run by plain \`node\`), so that no variant's peak includes another's: the child connects, imports the generated module, collects garbage, reads its RSS, sends one pipeline and reports getrusage's peak RSS. The floor's pipeline sends EVALSHA (the script loaded beforehand); luagen's sends EVAL with the ${BIG.label} source ${config.calls} times (${fmtBytes(BIG.bytes * config.calls)} on the wire).`,
    ],
  };
}

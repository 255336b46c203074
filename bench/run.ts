// `npm run bench`: every benchmark against a redis-server of its own, tables on
// stdout, and the same tables in BENCHMARKS.md with the machine and the command.
//
// Environment (all optional):
//   BENCH_QUICK=1            a fast smoke run: small counts, trees of 100 and 500 scripts
//   BENCH_ONLY=runtime,source,flood,python,glide,generator   run only these parts
//   BENCH_ROUNDS=n           timed rounds per runtime group (default 21 for direct calls, 11 for batches; quick 3)
//   BENCH_GEN_SIZES=1000,5000   generator tree sizes
//   BENCH_GEN_ROUNDS=n       generator rounds, each over every size (default 3, quick 1), within...
//   BENCH_GEN_BUDGET_S=s     ...a time budget: no round starts past it (default 150 s; one always runs)
//   BENCH_PROFILE=0          skip the generator CPU profiles
//   BENCH_OUT=path           where to write the report
// A full default run writes BENCHMARKS.md at the repository root; a quick or partial
// run writes bench/.tmp/BENCHMARKS.md instead, so a smoke run never replaces real numbers.
// In BENCHMARKS.md only the part between the bench markers is replaced: notes outside stay.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startRedisServer } from "../test/support/redis-server.js";
import { generatedModules, observer, ROOT, TMP } from "./clients.js";
import { floodBench, type FloodConfig } from "./flood.js";
import { generatorBench, type GeneratorConfig } from "./generator.js";
import { glideBench, type GlideConfig } from "./glide.js";
import { pythonBench, type PythonConfig } from "./python.js";
import { runtimeBench, type RuntimeConfig } from "./runtime.js";
import { sourceBench, type SourceConfig } from "./source.js";
import { fmtMs, markdownTable, targetsTable, type BenchResult, type Table } from "./table.js";

const BEGIN = "<!-- bench:begin (written by `npm run bench`; edit outside these markers) -->";
const END = "<!-- bench:end -->";

const env = process.env;
const quick = env.BENCH_QUICK === "1";
const ALL_PARTS = ["runtime", "source", "flood", "python", "glide", "generator"];
const parts = new Set((env.BENCH_ONLY ?? ALL_PARTS.join(",")).split(",").map((s) => s.trim()));
const num = (name: string, fallback: number) =>
  env[name] !== undefined && env[name] !== "" ? Number(env[name]) : fallback;

const runtimeConfig: RuntimeConfig = {
  rounds: num("BENCH_ROUNDS", quick ? 3 : 11),
  directRounds: num("BENCH_ROUNDS", quick ? 3 : 21),
  awaitedCalls: quick ? 300 : 2_000,
  inFlightCalls: quick ? 2_000 : 15_000,
  inFlight: 64,
  batches: quick ? 5 : 60,
  bytesBatches: quick ? 3 : 5,
  builtCalls: quick ? 2_000 : 20_000,
  buildRounds: quick ? 2 : 5,
};

const sourceConfig: SourceConfig = {
  rounds: num("BENCH_ROUNDS", quick ? 3 : 11),
  batches: quick ? 5 : 30,
  calls: 100,
  rssRuns: quick ? 1 : 3,
};

const floodConfig: FloodConfig = {
  calls: quick ? 1_000 : 10_000,
  batchSize: quick ? 20 : 100,
  directInFlight: 16,
  batchesInFlight: 4,
  cellTimeoutMs: 60_000,
  maxFlushes: 2_000_000,
};

const pythonConfig: PythonConfig = {
  rounds: num("BENCH_ROUNDS", quick ? 3 : 15),
  calls: quick ? 500 : 3_000,
  batches: quick ? 5 : 40,
  floodTransactions: quick ? 500 : 3_000,
};

const glideConfig: GlideConfig = {
  rounds: num("BENCH_ROUNDS", quick ? 3 : 15),
  awaitedCalls: quick ? 500 : 3_000,
  calls: quick ? 2_000 : 15_000,
  inFlight: 64,
  batches: quick ? 5 : 40,
  floodBatches: quick ? 500 : 3_000,
};

const generatorConfig: GeneratorConfig = {
  sizes: (env.BENCH_GEN_SIZES ?? (quick ? "100,500" : "1000,5000")).split(",").map(Number),
  rounds: num("BENCH_GEN_ROUNDS", quick ? 1 : 3),
  budgetSeconds: num("BENCH_GEN_BUDGET_S", 150),
  profile: env.BENCH_PROFILE !== "0",
};

function versionOf(pkg: string): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

/** luagen's runtime dependencies as installed, e.g. "fast-glob 3.3.3, luaparse 0.3.1". */
function dependencies(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(pkg.dependencies ?? {})
    .sort()
    .map((name) => `${name} ${versionOf(name)}`)
    .join(", ");
}

function command(): string {
  const vars = Object.keys(env)
    .filter((k) => k.startsWith("BENCH_"))
    .sort()
    .map((k) => `${k}=${env[k]}`);
  return [...vars, "npm run bench"].join(" ");
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const results: BenchResult[] = [];
  let redisVersion = "n/a";

  if (parts.has("runtime") || parts.has("source") || parts.has("flood") || parts.has("python") || parts.has("glide")) {
    process.stderr.write("bench: generating the bench scripts' modules and starting redis-server\n");
    const modules = await generatedModules();
    const server = await startRedisServer();
    try {
      const watch = observer(server);
      redisVersion = /redis_version:(\S+)/.exec(await watch.info("server"))?.[1] ?? "?";
      watch.disconnect();
      if (parts.has("runtime")) {
        process.stderr.write("bench: runtime throughput\n");
        results.push(await timed(() => runtimeBench(server, modules, runtimeConfig)));
      }
      if (parts.has("source")) {
        process.stderr.write("bench: carrying the source, by script size\n");
        results.push(await timed(() => sourceBench(server, modules, sourceConfig)));
      }
      if (parts.has("flood")) {
        process.stderr.write("bench: SCRIPT FLUSH flood\n");
        results.push(await timed(() => floodBench(server, modules, floodConfig)));
      }
      if (parts.has("glide")) {
        process.stderr.write("bench: Valkey GLIDE\n");
        results.push(await timed(() => glideBench(server, glideConfig)));
      }
      if (parts.has("python")) {
        process.stderr.write("bench: the Python target (redis-py)\n");
        results.push(await timed(() => pythonBench(server, pythonConfig)));
      }
    } finally {
      await server.stop();
      rmSync(path.join(TMP, "runtime"), { recursive: true, force: true }); // generated .ts: keep tsc's view of bench/ clean
    }
  }
  if (parts.has("generator")) {
    process.stderr.write("bench: generator at scale\n");
    results.push(await timed(() => generatorBench(generatorConfig)));
  }

  const totalMs = performance.now() - started;
  const machine: Table = {
    title: "Machine and run",
    headers: ["what", "value"],
    rows: [
      ["command", `\`${command()}\``],
      ["date", new Date().toISOString()],
      ["total duration", fmtMs(totalMs)],
      ["CPU", `${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores (${os.availableParallelism()} available)`],
      ["memory", `${Math.round(os.totalmem() / 1024 ** 3)} GiB`],
      ["load average (1 min) before → after", `${loadBefore[0].toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`],
      ["OS", `${os.type()} ${os.release()} ${os.arch()}`],
      ["Node", process.version],
      ["Redis (server)", redisVersion],
      [
        "clients",
        `ioredis ${versionOf("ioredis")}, ioredis ${versionOf("ioredis6")} (as ioredis6), redis (node-redis) ${versionOf("redis")} / @redis/client ${versionOf("@redis/client")}, @valkey/valkey-glide ${versionOf("@valkey/valkey-glide")}`,
      ],
      ["luagen's dependencies", dependencies()],
    ],
  };
  const targets = targetsTable(results.flatMap((r) => r.targets));
  const body = [
    `## Summary`,
    "",
    markdownTable(targets),
    "",
    markdownTable(machine),
    ...results.flatMap((r) => ["", `## ${r.title}`, "", ...r.tables.flatMap((t) => [markdownTable(t), ""])]),
  ].join("\n");

  process.stdout.write(`${body}\n`);
  const out = reportPath();
  writeReport(out, body);
  process.stderr.write(`bench: done in ${fmtMs(totalMs)}; wrote ${path.relative(ROOT, out)}\n`);
}

async function timed(run: () => Promise<BenchResult>): Promise<BenchResult> {
  const start = performance.now();
  const result = await run();
  process.stderr.write(`bench: ${result.title} took ${fmtMs(performance.now() - start)}\n`);
  return { ...result, title: `${result.title} (${fmtMs(performance.now() - start)})` };
}

function reportPath(): string {
  if (env.BENCH_OUT) return path.resolve(env.BENCH_OUT);
  const full =
    !quick &&
    ALL_PARTS.every((part) => parts.has(part)) &&
    !env.BENCH_GEN_SIZES &&
    !env.BENCH_ROUNDS &&
    !env.BENCH_GEN_ROUNDS;
  return full ? path.join(ROOT, "BENCHMARKS.md") : path.join(TMP, "BENCHMARKS.md");
}

/** Replaces what lies between the markers; a new file gets a title and the markers. */
function writeReport(file: string, body: string): void {
  const block = `${BEGIN}\n\n${body}\n${END}`;
  const existing = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  const begin = existing?.indexOf(BEGIN.slice(0, 20)) ?? -1;
  const end = existing?.indexOf(END) ?? -1;
  const text =
    existing !== undefined && begin >= 0 && end > begin
      ? `${existing.slice(0, begin)}${block}${existing.slice(end + END.length)}`
      : `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts). No test asserts a time; these numbers are evidence, not gates.\n\n${block}\n`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

await main();

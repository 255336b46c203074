// Valkey GLIDE (issue 25): the generated function against raw `customCommand(["EVALSHA", ...])`
// and against GLIDE's own `invokeScript`, direct (64 calls in flight) and in an atomic Batch of 100,
// interleaved rounds with an A/A control; and under the SCRIPT FLUSH flood, failed and partial
// atomic batches for the generated function and for a hand-written `customCommand(["EVALSHA"...])`.
// With --mode functions (issue 18): the generated FCALL against raw `customCommand(["FCALL", ...])`,
// and direct calls under FUNCTION FLUSH sent back to back.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Batch, GlideClient, Logger, Script } from "@valkey/valkey-glide";
import { Redis } from "ioredis";
import { generate } from "../src/generate.js";
import { pool, underFlushStorm } from "../test/support/load.js";
import type { RedisServer } from "../test/support/redis-server.js";
import { writeTree } from "../test/support/workspace.js";
import { ROOT, TMP } from "./clients.js";
import { fmtUs } from "./runtime.js";
import { atLeast, fmtInt, fmtRatio, fmtRatioIqr, fmtSpread, median, type BenchResult } from "./table.js";

export interface GlideConfig {
  rounds: number;
  /** Direct calls per round awaited one by one, as a request handler makes them. */
  awaitedCalls: number;
  calls: number;
  inFlight: number;
  batches: number;
  floodBatches: number;
}

const SOURCE = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
type Counter = ((client: GlideClient, key: string, by: number) => Promise<unknown>) &
  ((batch: Batch, key: string, by: number) => Batch);

export async function glideBench(server: RedisServer, config: GlideConfig): Promise<BenchResult> {
  Logger.setLoggerConfig("off");
  const dir = path.join(TMP, "glide");
  writeTree(dir, {
    "package.json": `{ "type": "module" }\n`,
    "lua/counter.lua": `---@key k\n---@arg by integer\n---@return integer\n${SOURCE}\n`,
  });
  const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir, client: "glide" });
  if (result.kind !== "written") throw new Error(`bench: generating the GLIDE module failed (${result.kind})`);
  const functions = await generate({ inputs: ["lua"], out: "fn", cwd: dir, client: "glide", mode: "functions" });
  if (functions.kind !== "written") throw new Error(`bench: generating the GLIDE library failed (${functions.kind})`);
  const urls = compiled(dir, ["gen", "fn"]);
  const { counter, counterScript } = (await import(urls.gen!)) as {
    counter: Counter;
    counterScript: { sha1: string; source: string };
  };
  const fn = (await import(urls.fn!)) as { counter: Counter };
  const { library, loadLibrary } = (await import(urls.fn!.replace(/index\.js$/, "_library.js"))) as {
    library: { name: string };
    loadLibrary(client: GlideClient): Promise<unknown>;
  };
  const client = await GlideClient.createClient({ addresses: [{ host: server.host, port: server.port }] });
  const admin = new Redis({ host: server.host, port: server.port });
  try {
    await admin.script("LOAD", counterScript.source);
    const script = new Script(counterScript.source);
    const raw = () => client.customCommand(["EVALSHA", counterScript.sha1, "1", "k", "1"]);
    const direct = {
      generated: () => counter(client, "k", 1),
      raw,
      control: raw,
      invokeScript: () => client.invokeScript(script, { keys: ["k"], args: ["1"] }),
    };
    const inFlight = (call: () => Promise<unknown>) =>
      pool(config.calls, config.inFlight, async () => void (await call()));
    const directRounds = await interleaved(config.rounds, config.calls, direct, inFlight);
    await loadLibrary(client);
    const rawFcall = () => client.customCommand(["FCALL", `${library.name}_counter`, "1", "k", "1"]);
    const functionRounds = await interleaved(
      config.rounds,
      config.calls,
      { generated: () => fn.counter(client, "k", 1), raw: rawFcall, control: rawFcall },
      inFlight,
    );
    const { invokeScript: _, ...awaitedContenders } = direct;
    const awaitedRounds = await interleaved(config.rounds, config.awaitedCalls, awaitedContenders, async (call) => {
      for (let i = 0; i < config.awaitedCalls; i++) await call();
    });
    const batch = (fill: (batch: Batch) => void) => async () => {
      for (let i = 0; i < config.batches; i++) {
        const b = new Batch(true);
        fill(b);
        await client.exec(b, true);
      }
    };
    const rawBatch = batch((b) => {
      for (let i = 0; i < 100; i++) b.customCommand(["EVALSHA", counterScript.sha1, "1", "k", "1"]);
    });
    const batchRounds = await interleaved(
      config.rounds,
      config.batches * 100,
      {
        generated: batch((b) => {
          for (let i = 0; i < 100; i++) counter(b, "k", 1);
        }),
        raw: rawBatch,
        control: rawBatch,
      },
      (run) => run(),
    );
    const flood = {
      generated: await floodCell(admin, config.floodBatches, (b) => counter(b, "a", 1), client),
      handWritten: await floodCell(
        admin,
        config.floodBatches,
        (b) => b.customCommand(["EVALSHA", counterScript.sha1, "1", "a", "1"]),
        client,
      ),
      generatedDirect: await floodDirect(admin, config.floodBatches, () => counter(client, "d", 1)),
      invokeScript: await floodDirect(admin, config.floodBatches, direct.invokeScript),
      functionsDirect: await floodDirect(admin, config.floodBatches, () => fn.counter(client, "f", 1), "functions"),
    };
    script.release();
    return report(config, directRounds, awaitedRounds, batchRounds, functionRounds, flood);
  } finally {
    client.close();
    admin.disconnect();
  }
}

/**
 * The output folders compiled by tsc, as a user's build would (through tsx, esbuild's keepNames
 * wraps every closure a call creates in `__name`, an Object.defineProperty each, about 1 us per
 * call): each folder's index.js, by folder.
 */
function compiled(dir: string, folders: readonly string[]): Record<string, string> {
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const flags = ["--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext"];
  const out = path.join(dir, "compiled");
  const child = spawnSync(
    process.execPath,
    [
      tsc,
      ...flags,
      "--skipLibCheck",
      "--rootDir",
      dir,
      "--outDir",
      out,
      ...folders.map((f) => path.join(dir, f, "index.ts")),
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`bench: tsc failed on the GLIDE module:\n${child.stdout}${child.stderr}`);
  writeFileSync(path.join(out, "package.json"), '{ "type": "module" }\n');
  return Object.fromEntries(folders.map((f) => [f, pathToFileURL(path.join(out, f, "index.js")).href]));
}

/** Per contender, per round: calls per second, and this process's CPU per call (GLIDE's Rust core runs in it too). */
interface Rounds {
  rate: Record<string, number[]>;
  cpuUs: Record<string, number[]>;
}

/** Calls per second per round for each contender; the order turns every round. */
async function interleaved<Run>(
  rounds: number,
  calls: number,
  contenders: Record<string, Run>,
  measure: (run: Run) => Promise<unknown>,
): Promise<Rounds> {
  const names = Object.keys(contenders);
  const result: Rounds = {
    rate: Object.fromEntries(names.map((name) => [name, []])),
    cpuUs: Object.fromEntries(names.map((name) => [name, []])),
  };
  for (const name of names) await measure(contenders[name]!); // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    for (const name of order) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await measure(contenders[name]!);
      result.rate[name]!.push(calls / ((performance.now() - start) / 1000));
      const used = process.cpuUsage(cpu);
      result.cpuUs[name]!.push((used.user + used.system) / calls);
    }
  }
  return result;
}

interface FloodCell {
  batches: number;
  failed: number;
  partial: number;
  flushes: number;
}

/** Direct calls, one at a time, under SCRIPT FLUSH (or FUNCTION FLUSH) sent back to back: how many failed (none is partial). */
async function floodDirect(
  admin: Redis,
  calls: number,
  call: () => Promise<unknown>,
  flushing: "scripts" | "functions" = "scripts",
): Promise<FloodCell> {
  const flusher = new Redis({ host: admin.options.host, port: admin.options.port });
  let failed = 0;
  const { flushes } = await underFlushStorm(
    [flusher],
    async () => {
      for (let i = 0; i < calls; i++) await call().catch(() => failed++);
    },
    { flushing },
  );
  flusher.disconnect();
  return { batches: calls, failed, partial: 0, flushes };
}

/** Atomic batches of script, INCR, script under SCRIPT FLUSH sent back to back. */
async function floodCell(
  admin: Redis,
  batches: number,
  script: (b: Batch) => void,
  client: GlideClient,
): Promise<FloodCell> {
  const flusher = new Redis({ host: admin.options.host, port: admin.options.port });
  let failed = 0;
  let partial = 0;
  const { flushes } = await underFlushStorm([flusher], async () => {
    for (let i = 0; i < batches; i++) {
      const b = new Batch(true);
      script(b);
      b.incr("other");
      script(b);
      const replies = (await client.exec(b, false)) as unknown[];
      const errors = replies.filter((reply) => reply instanceof Error).length;
      if (errors > 0) failed++;
      if (errors > 0 && errors < replies.length) partial++;
    }
  });
  flusher.disconnect();
  return { batches, failed, partial, flushes };
}

function report(
  config: GlideConfig,
  direct: Rounds,
  awaited: Rounds,
  batch: Rounds,
  functions: Rounds,
  flood: Record<"generated" | "handWritten" | "generatedDirect" | "invokeScript" | "functionsDirect", FloodCell>,
): BenchResult {
  const paired = (rounds: Rounds, of: string) => rounds.rate[of]!.map((value, i) => value / rounds.rate.raw![i]!);
  const cpu = (rounds: Rounds, of: string) => fmtUs(median(rounds.cpuUs[of]!));
  const row = (label: string, rounds: Rounds, of: string) => [
    label,
    fmtSpread(rounds.rate[of]!),
    fmtSpread(rounds.rate.raw!),
    fmtRatioIqr(paired(rounds, of)),
    fmtRatio(median(paired(rounds, "control")), 3),
    `${cpu(rounds, of)} vs ${cpu(rounds, "raw")}`,
  ];
  const cell = (label: string, c: FloodCell) => [
    label,
    fmtInt(c.batches),
    fmtInt(c.failed),
    fmtInt(c.partial),
    fmtInt(c.flushes),
  ];
  const ratio = median(paired(direct, "generated"));
  const functionsRatio = median(paired(functions, "generated"));
  const awaitedRatio = median(paired(awaited, "generated"));
  return {
    title: "Valkey GLIDE",
    tables: [
      {
        title: "Generated function vs raw customCommand EVALSHA (calls/s)",
        headers: ["calls", "contender", "raw EVALSHA", "contender / raw", "A/A control", "client CPU / call"],
        rows: [
          row(`direct, ${fmtInt(config.calls)} (${config.inFlight} in flight): generated`, direct, "generated"),
          row(`direct: GLIDE's invokeScript`, direct, "invokeScript"),
          row(`direct, ${fmtInt(config.awaitedCalls)} awaited one by one: generated`, awaited, "generated"),
          row(`atomic Batch of 100 (${config.batches} per round): generated`, batch, "generated"),
        ],
        notes: [
          `Median of ${config.rounds} interleaved rounds (spread min–max); the ratio the median of per-round ratios (IQR).`,
          "Client CPU: this process's user+system time per call, contender vs raw (median of rounds; GLIDE's Rust core runs in this process), which load from other processes barely moves.",
          "In a Batch the generated calls send EVAL once and EVALSHA after; the raw ones EVALSHA only.",
        ],
      },
      {
        title: "--mode functions: generated function vs raw customCommand FCALL (calls/s)",
        headers: ["calls", "contender", "raw FCALL", "contender / raw", "A/A control", "client CPU / call"],
        rows: [
          row(`direct, ${fmtInt(config.calls)} (${config.inFlight} in flight): generated`, functions, "generated"),
        ],
        notes: [
          "Both send FCALL to the library, loaded before the rounds; the generated call would load it with its call where missing.",
        ],
      },
      {
        title: "SCRIPT FLUSH flood: direct calls, and atomic Batches of script, INCR, script",
        headers: ["caller", "calls or batches", "failed", "partial", "flushes meanwhile"],
        rows: [
          cell("direct: generated function", flood.generatedDirect),
          cell("direct: GLIDE's invokeScript", flood.invokeScript),
          cell("direct, --mode functions, under FUNCTION FLUSH: generated function", flood.functionsDirect),
          cell("atomic Batch: generated function", flood.generated),
          cell('atomic Batch: hand-written customCommand(["EVALSHA", ...])', flood.handWritten),
        ],
        notes: ["Partial: the INCR applied, a script's call failed (GLIDE's Batch has no script method of its own)."],
      },
    ],
    targets: [
      atLeast(
        `GLIDE direct call ≥ 0.97× raw customCommand EVALSHA (${config.inFlight} in flight)`,
        ratio,
        0.97,
        "GLIDE",
      ),
      atLeast("GLIDE direct call ≥ 0.97× raw customCommand EVALSHA (awaited)", awaitedRatio, 0.97, "GLIDE"),
      atLeast(
        `GLIDE --mode functions direct call ≥ 0.97× raw customCommand FCALL (${config.inFlight} in flight)`,
        functionsRatio,
        0.97,
        "GLIDE",
      ),
      {
        name: "GLIDE flood: 0 failed, 0 partial",
        met:
          flood.generated.failed +
            flood.generated.partial +
            flood.generatedDirect.failed +
            flood.functionsDirect.failed ===
          0,
        detail: `direct ${flood.generatedDirect.failed} failed (--mode functions under FUNCTION FLUSH ${flood.functionsDirect.failed}), batches ${flood.generated.failed} failed and ${flood.generated.partial} partial; invokeScript ${flood.invokeScript.failed} failed, hand-written EVALSHA ${flood.handWritten.partial} partial`,
      },
    ],
  };
}

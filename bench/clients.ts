// The contenders the runtime and flood benchmarks compare, behind one small
// interface: raw EVALSHA (the floor) on ioredis and on node-redis, luagen's generated
// functions for each, ioredis's defineCommand (ioredis 5 and 6), and node-redis 5's
// defineScript.
//
// The generated functions are the real thing: bench/.tmp/runtime/lua is run
// through `node bin/luagen.js` (once per client setting), compiled with tsc, and
// each index.js imported.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis as Redis5 } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient, defineScript } from "redis";
import type { RedisServer } from "../test/support/redis-server.js";
import { benchScriptName, benchScriptSource, PAYLOADS, payloadSource, VARIANTS, writeBenchScripts } from "./synth.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TMP = path.join(ROOT, "bench", ".tmp");

/** One step of a batch: a plain INCR (the "other command" of a transaction) or a script call. */
export type Step = { readonly incr: string } | { readonly script: string; readonly key: string; readonly by: number };

/** Per step of a batch, its error, or null when it succeeded. */
export type StepErrors = (Error | null)[];

export interface Contender {
  readonly label: string;
  /** How its batches are built, when the label alone does not say (node-redis). */
  readonly batchLabels?: Readonly<Record<BatchKind, string>>;
  /** One direct call of a bench script (`small0`, `large3`, ...). */
  direct(script: string, key: string, by: number): Promise<unknown>;
  /** The steps as one pipeline (`kind: "pipeline"`) or one MULTI/EXEC (`"transaction"`). */
  batch(kind: BatchKind, steps: readonly Step[]): Promise<StepErrors>;
  /** Builds the same batch and drops it unsent: the client-side cost alone. */
  build(kind: BatchKind, steps: readonly Step[]): void;
  close(): Promise<void>;
}

export type BatchKind = "pipeline" | "transaction";

const withSha1 = (source: string) => ({ source, sha1: createHash("sha1").update(source).digest("hex") });

/** Every bench script by name, with its source and SHA-1. */
export const SCRIPTS: ReadonlyMap<string, { source: string; sha1: string }> = new Map([
  ...(["small", "large"] as const).flatMap((size) =>
    Array.from(
      { length: VARIANTS },
      (_, v) => [benchScriptName(size, v), withSha1(benchScriptSource(size, v))] as const,
    ),
  ),
  ...PAYLOADS.map(({ name, bytes }) => [name, withSha1(payloadSource(bytes))] as const),
]);

// ---------------------------------------------------------------------------
// ioredis, both majors, seen through the few methods used here
// ---------------------------------------------------------------------------

interface IoBatch {
  incr(key: string): IoBatch;
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): IoBatch;
  fcall(name: string, numkeys: number, ...args: (string | number)[]): IoBatch;
  exec(): Promise<[Error | null, unknown][] | null>;
}

interface IoClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  fcall(name: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  pipeline(): IoBatch;
  multi(): IoBatch;
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  quit(): Promise<unknown>;
}

export type IoredisMajor = 5 | 6;

/** A fresh connection; ioredis 6 speaks RESP3 by default, as its users get it. */
export function ioredis(server: RedisServer, major: IoredisMajor = 5): IoClient {
  const options = { host: server.host, port: server.port, maxRetriesPerRequest: 1 };
  return (major === 5 ? new Redis5(options) : new Redis6(options)) as unknown as IoClient;
}

/** Queues the steps on a new ioredis pipeline or multi, `add` queuing the script calls. */
function buildIoBatch(
  client: IoClient,
  kind: BatchKind,
  steps: readonly Step[],
  add: (batch: IoBatch, step: ScriptStep) => void,
): IoBatch {
  const batch = kind === "pipeline" ? client.pipeline() : client.multi();
  for (const step of steps) {
    if ("incr" in step) batch.incr(step.incr);
    else add(batch, step);
  }
  return batch;
}

/** Sends a built ioredis batch; per step, its error or null. */
async function execIoBatch(batch: IoBatch, steps: readonly Step[]): Promise<StepErrors> {
  try {
    const results = (await batch.exec()) ?? [];
    return results.map(([error]) => error);
  } catch (error) {
    return steps.map(() => error as Error); // EXECABORT and the like: nothing applied
  }
}

/** A contender's batch methods on ioredis, given how it queues one script call. */
function ioBatches(
  client: IoClient,
  add: (batch: IoBatch, step: ScriptStep) => void,
): Pick<Contender, "batch" | "build"> {
  return {
    batch: (kind, steps) => execIoBatch(buildIoBatch(client, kind, steps, add), steps),
    build: (kind, steps) => void buildIoBatch(client, kind, steps, add),
  };
}

type ScriptStep = Extract<Step, { script: string }>;

function named(name: string) {
  const script = SCRIPTS.get(name);
  if (!script) throw new Error(`no bench script ${name}`);
  return script;
}

/** Raw `EVALSHA` with the script already loaded: no policy at all, the floor. */
export function rawEvalsha(server: RedisServer, label = "raw EVALSHA (floor)"): Contender {
  const client = ioredis(server);
  return {
    label,
    direct: (script, key, by) => client.evalsha(named(script).sha1, 1, key, by),
    ...ioBatches(client, (batch, s) => void batch.evalsha(named(s.script).sha1, 1, s.key, s.by)),
    close: async () => void (await client.quit()),
  };
}

/** The bench scripts' Functions library, as the generated `_library.ts` describes it (`--mode functions`). */
export interface BenchLibrary {
  readonly name: string;
  readonly code: string;
  readonly functions: Readonly<Record<string, { readonly name: string }>>;
}

/** Raw `FCALL` with the library loaded: no policy at all, the floor of `--mode functions`. */
export function rawFcall(server: RedisServer, library: BenchLibrary, label = "raw FCALL (floor)"): Contender {
  const client = ioredis(server);
  const fn = (script: string) => {
    const found = library.functions[script];
    if (!found) throw new Error(`no function for bench script ${script}`);
    return found.name;
  };
  return {
    label,
    direct: (script, key, by) => client.fcall(fn(script), 1, key, by),
    ...ioBatches(client, (batch, s) => void batch.fcall(fn(s.script), 1, s.key, s.by)),
    close: async () => void (await client.quit()),
  };
}

/** ioredis's own `defineCommand`, one command per bench script. */
export function defineCommand(server: RedisServer, major: IoredisMajor = 5): Contender {
  const client = ioredis(server, major);
  for (const [name, { source }] of SCRIPTS) client.defineCommand(name, { numberOfKeys: 1, lua: source });
  const commands = client as unknown as Record<string, (key: string, by: number) => Promise<unknown>>;
  return {
    label: `ioredis ${major} defineCommand`,
    direct: (script, key, by) => commands[script](key, by),
    ...ioBatches(
      client,
      (batch, s) =>
        void (batch as unknown as Record<string, (key: string, by: number) => unknown>)[s.script](s.key, s.by),
    ),
    close: async () => void (await client.quit()),
  };
}

// ---------------------------------------------------------------------------
// luagen's generated module
// ---------------------------------------------------------------------------

/** A generated function, seen loosely: `(target, counter, by)`. */
type GeneratedFn = (target: unknown, key: string, by: number) => unknown;
export type GeneratedModule = Readonly<Record<string, GeneratedFn>>;

/** How the runtime hands a client the source of an EVAL (`Transport.source` in templates/typescript/runtime.ts). */
export type SourceArgument = "string" | "bytes";

/** The generated code for one `client` setting, as shipped and with the source argument flipped. */
export interface GeneratedFor {
  readonly module: GeneratedModule;
  /** What the shipped runtime hands this client... */
  readonly source: SourceArgument;
  /** ...and the same generated code with only that choice flipped in its runtime. */
  readonly flipped: GeneratedModule;
  /** The compiled index.js of `module` and of `flipped`, for a child process to import. */
  readonly files: { readonly module: string; readonly flipped: string };
}

export interface GeneratedModules {
  readonly ioredis: GeneratedFor;
  readonly nodeRedis: GeneratedFor;
  /** The same scripts generated for ioredis with `--mode functions`, and their library. */
  readonly functions: { readonly module: GeneratedModule; readonly library: BenchLibrary };
  /** bench/rss-child.ts, compiled: one pipeline in a process of its own, for its peak RSS. */
  readonly rssChild: string;
}

const RUNTIME_TRANSPORTS = { ioredis: "IOREDIS", "node-redis": "NODE_REDIS" } as const;

/**
 * Writes the bench scripts, runs the real CLI on them once per client into
 * bench/.tmp/runtime/<client>, copies each output with its runtime's `source` choice flipped
 * (see `flipSource`), compiles everything with `tsc --strict` (as a user's build would: no
 * tsx/esbuild helpers in the timed code) and imports the compiled index.js files.
 */
export async function generatedModules(): Promise<GeneratedModules> {
  const dir = path.join(TMP, "runtime");
  rmSync(dir, { recursive: true, force: true });
  writeBenchScripts(path.join(dir, "lua"));
  const compiledDir = path.join(dir, "compiled");
  const roots: string[] = [path.join(ROOT, "bench", "rss-child.ts")];
  const shipped = {} as Record<keyof typeof RUNTIME_TRANSPORTS, SourceArgument>;
  for (const client of Object.keys(RUNTIME_TRANSPORTS) as (keyof typeof RUNTIME_TRANSPORTS)[]) {
    const out = path.join(dir, client);
    run("luagen", [path.join(ROOT, "bin", "luagen.js"), path.join(dir, "lua"), "--out", out, "--client", client]);
    cpSync(out, `${out}-flipped`, { recursive: true });
    const runtime = path.join(`${out}-flipped`, "runtime.ts");
    const flip = flipSource(readFileSync(runtime, "utf8"), RUNTIME_TRANSPORTS[client]);
    writeFileSync(runtime, flip.text);
    shipped[client] = flip.shipped;
    roots.push(path.join(out, "index.ts"), path.join(`${out}-flipped`, "index.ts"));
  }
  const functionsOut = path.join(dir, "functions");
  const mode = ["--client", "ioredis", "--mode", "functions", "--library", "bench"];
  run("luagen", [path.join(ROOT, "bin", "luagen.js"), path.join(dir, "lua"), "--out", functionsOut, ...mode]);
  roots.push(path.join(functionsOut, "index.ts"), path.join(functionsOut, "_library.ts"));
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const flags = [
    "--strict",
    "--target",
    "ES2022",
    "--module",
    "NodeNext",
    "--moduleResolution",
    "NodeNext",
    "--skipLibCheck",
    "--rootDir",
    path.join(ROOT, "bench"),
    "--outDir",
    compiledDir,
  ];
  run("tsc", [tsc, ...flags, ...roots]);
  writeFileSync(path.join(compiledDir, "package.json"), '{ "type": "module" }\n');
  const compiled = (file: string) => path.join(compiledDir, path.relative(path.join(ROOT, "bench"), file));
  const file = (folder: string) => pathToFileURL(compiled(path.join(dir, folder, "index.js"))).href;
  const load = async (client: keyof typeof RUNTIME_TRANSPORTS): Promise<GeneratedFor> => {
    const files = { module: file(client), flipped: file(`${client}-flipped`) };
    return {
      module: (await import(files.module)) as GeneratedModule,
      source: shipped[client],
      flipped: (await import(files.flipped)) as GeneratedModule,
      files,
    };
  };
  const functionsFile = (name: string) => pathToFileURL(compiled(path.join(functionsOut, name))).href;
  const { library } = (await import(functionsFile("_library.js"))) as { library: BenchLibrary };
  return {
    ioredis: await load("ioredis"),
    nodeRedis: await load("node-redis"),
    functions: { module: (await import(functionsFile("index.js"))) as GeneratedModule, library },
    rssChild: compiled(path.join(ROOT, "bench", "rss-child.js")),
  };
}

/**
 * The runtime with one transport's `source` flipped between "string" and "bytes": for node-redis
 * the "before" of encoding the source once (the string, as every client was handed it before),
 * for ioredis the alternative not taken (a Buffer). Everything else is the shipped runtime, so two
 * rows differ by exactly that choice. Throws when the runtime no longer reads as expected, rather
 * than measuring the same code twice.
 */
function flipSource(runtime: string, transport: string): { text: string; shipped: SourceArgument } {
  const pattern = new RegExp(`(const ${transport}: Transport = \\{\\n  source: )"(string|bytes)"`);
  const match = pattern.exec(runtime);
  if (match === null) throw new Error(`bench: no \`source: "string" | "bytes"\` in the runtime's ${transport}`);
  const shipped = match[2] as SourceArgument;
  return { text: runtime.replace(pattern, `$1"${shipped === "string" ? "bytes" : "string"}"`), shipped };
}

function run(what: string, args: readonly string[]): void {
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (child.status !== 0)
    throw new Error(`${what} failed on the bench scripts (exit ${child.status}):\n${child.stdout}${child.stderr}`);
}

function exported(module: GeneratedModule, name: string): GeneratedFn {
  const f = module[name];
  if (typeof f !== "function") throw new Error(`the generated module exports no ${name}`);
  return f;
}

/** The generated functions on a fresh ioredis connection of the given major. */
export function generated(
  module: GeneratedModule,
  server: RedisServer,
  major: IoredisMajor = 5,
  label = major === 5 ? "luagen generated" : "luagen generated (ioredis 6)",
): Contender {
  const client = ioredis(server, major);
  return {
    label,
    direct: (script, key, by) => exported(module, script)(client, key, by) as Promise<unknown>,
    ...ioBatches(client, (batch, s) => void exported(module, s.script)(batch, s.key, s.by)),
    close: async () => void (await client.quit()),
  };
}

/** A typed batch of the generated index, seen through the calls the bench makes. */
interface TypedChain {
  incr(key: string): TypedChain;
  exec(): Promise<unknown[]>;
  [script: string]: unknown;
}

/**
 * The generated index's typed batches (`multi(client)`, `pipeline(client)`) on a fresh ioredis 5
 * connection; direct calls as `generated`.
 */
export function generatedTyped(module: GeneratedModule, server: RedisServer): Contender {
  const client = ioredis(server);
  return {
    label: "luagen typed multi() / pipeline()",
    direct: (script, key, by) => exported(module, script)(client, key, by) as Promise<unknown>,
    ...typedBatches(module, client),
    close: async () => void (await client.quit()),
  };
}

/** A contender's batch methods through the generated index's typed batches on `client`. A failed batch reports its `BatchError`'s results. */
function typedBatches(module: GeneratedModule, client: object): Pick<Contender, "batch" | "build"> {
  const build = (kind: BatchKind, steps: readonly Step[]): TypedChain => {
    const open = exported(module, kind === "pipeline" ? "pipeline" : "multi") as unknown as (
      client: unknown,
    ) => TypedChain;
    let chain = open(client);
    for (const step of steps) {
      chain =
        "incr" in step
          ? chain.incr(step.incr)
          : (chain[step.script] as (k: string, by: number) => TypedChain)(step.key, step.by);
    }
    return chain;
  };
  return {
    batch: (kind, steps) =>
      build(kind, steps)
        .exec()
        .then(
          (replies) => replies.map(() => null),
          (error: { results?: [Error | null][] }) => error.results?.map(([e]) => e) ?? steps.map(() => error as Error),
        ),
    build: (kind, steps) => void build(kind, steps),
  };
}

// ---------------------------------------------------------------------------
// node-redis 5
// ---------------------------------------------------------------------------

/** `defineScript` for one bench script: one key, one argument, the reply as is. */
function nodeRedisScript(source: string): ReturnType<typeof defineScript> {
  return defineScript({
    SCRIPT: source,
    NUMBER_OF_KEYS: 1,
    parseCommand(parser, key: string, by: number) {
      parser.pushKey(key);
      parser.push(String(by));
    },
    transformReply: (reply: unknown) => reply,
  } as Parameters<typeof defineScript>[0]);
}

interface NodeMulti {
  incr(key: string): NodeMulti;
  addCommand(args: string[]): NodeMulti;
  exec(): Promise<unknown[]>;
  execAsPipeline(): Promise<unknown[]>;
}

interface NodeClient {
  sendCommand(args: string[]): Promise<unknown>;
  multi(): NodeMulti;
  quit(): Promise<unknown>;
}

/** A connected node-redis 5 client (RESP2, its default), with `scripts` defined on it. */
async function nodeRedisClient(
  server: RedisServer,
  scripts: Record<string, ReturnType<typeof defineScript>> = {},
): Promise<NodeClient> {
  const client = createClient({ socket: { host: server.host, port: server.port }, scripts });
  client.on("error", () => undefined); // errors reach the callers; no unhandled 'error' event
  await client.connect();
  return client as unknown as NodeClient;
}

/**
 * A contender's batch methods on node-redis, given how it queues one script call: a "pipeline"
 * is its MULTI-less `multi().execAsPipeline()`, a "transaction" its `multi().exec()`; node-redis
 * builds the multi the same way for both.
 */
function nodeRedisBatches(
  client: NodeClient,
  label: string,
  add: (multi: NodeMulti, step: ScriptStep) => void,
): Pick<Contender, "batch" | "build" | "batchLabels"> {
  const build = (steps: readonly Step[]): NodeMulti => {
    const multi = client.multi();
    for (const step of steps) {
      if ("incr" in step) multi.incr(step.incr);
      else add(multi, step);
    }
    return multi;
  };
  return {
    batchLabels: {
      pipeline: `${label} (multi().execAsPipeline())`,
      transaction: `${label} (multi().exec())`,
    },
    async batch(kind, steps) {
      const multi = build(steps);
      try {
        await (kind === "pipeline" ? multi.execAsPipeline() : multi.exec());
        return steps.map(() => null);
      } catch (error) {
        // MultiErrorReply: the replies, errors among them; anything else failed the whole batch.
        const replies = (error as { replies?: unknown[] }).replies;
        if (!Array.isArray(replies)) return steps.map(() => error as Error);
        return replies.map((reply) => (reply instanceof Error ? reply : null));
      }
    },
    build: (_kind, steps) => void build(steps),
  };
}

/** node-redis's client with every bench script defined through `defineScript`. */
export async function nodeRedis(server: RedisServer): Promise<Contender> {
  const scripts = Object.fromEntries([...SCRIPTS].map(([name, { source }]) => [name, nodeRedisScript(source)]));
  const client = await nodeRedisClient(server, scripts);
  const commands = client as unknown as Record<string, (key: string, by: number) => Promise<unknown>>;
  const label = "node-redis 5 defineScript";
  return {
    label,
    direct: (script, key, by) => commands[script](key, by),
    ...nodeRedisBatches(client, label, (multi, s) => {
      (multi as unknown as Record<string, (key: string, by: number) => NodeMulti>)[s.script](s.key, s.by);
    }),
    close: async () => void (await client.quit()),
  };
}

/** Raw `EVALSHA` through node-redis's `sendCommand` (`addCommand` in a multi), the script already loaded: its floor. */
export async function rawNodeRedis(server: RedisServer, label = "raw sendCommand EVALSHA (floor)"): Promise<Contender> {
  const client = await nodeRedisClient(server);
  const args = (s: { script: string; key: string; by: number }) => [
    "EVALSHA",
    named(s.script).sha1,
    "1",
    s.key,
    String(s.by),
  ];
  return {
    label,
    direct: (script, key, by) => client.sendCommand(args({ script, key, by })),
    ...nodeRedisBatches(client, label, (multi, s) => void multi.addCommand(args(s))),
    close: async () => void (await client.quit()),
  };
}

/**
 * node-redis's own EVALSHA command (`client.evalSha(sha, { keys, arguments })`), the script
 * already loaded: the API the generated functions call, so that the difference between the
 * generated functions and the `sendCommand` floor can be told apart from what node-redis's
 * command layer (argument parsing, reply transformation) costs any caller.
 */
export async function nodeRedisEvalSha(server: RedisServer): Promise<Contender> {
  const client = await nodeRedisClient(server);
  type EvalSha = (sha: string, options: { keys: string[]; arguments: string[] }) => Promise<unknown>;
  const call = (target: object, s: { script: string; key: string; by: number }) =>
    (target as { evalSha: EvalSha }).evalSha(named(s.script).sha1, { keys: [s.key], arguments: [String(s.by)] });
  const label = "node-redis 5 client.evalSha (its own EVALSHA command)";
  return {
    label,
    direct: (script, key, by) => call(client, { script, key, by }),
    ...nodeRedisBatches(client, label, (multi, s) => void call(multi, s)),
    close: async () => void (await client.quit()),
  };
}

/** The functions generated with `--client node-redis`, on a fresh node-redis 5 client. */
export async function generatedNodeRedis(
  module: GeneratedModule,
  server: RedisServer,
  label = "luagen generated (node-redis 5)",
): Promise<Contender> {
  const client = await nodeRedisClient(server);
  return {
    label,
    direct: (script, key, by) => exported(module, script)(client, key, by) as Promise<unknown>,
    ...nodeRedisBatches(client, label, (multi, s) => void exported(module, s.script)(multi, s.key, s.by)),
    close: async () => void (await client.quit()),
  };
}

/** The generated index's typed batches on a fresh node-redis 5 client (RESP2). */
export async function generatedTypedNodeRedis(module: GeneratedModule, server: RedisServer): Promise<Contender> {
  const client = await nodeRedisClient(server);
  const label = "luagen typed multi() / pipeline() (node-redis 5)";
  return {
    label,
    batchLabels: {
      transaction: `${label}: multi(client), MULTI/EXEC`,
      pipeline: `${label}: pipeline(client), the client's commands in one tick`,
    },
    direct: (script, key, by) => exported(module, script)(client, key, by) as Promise<unknown>,
    ...typedBatches(module, client),
    close: async () => void (await client.quit()),
  };
}

// ---------------------------------------------------------------------------
// Watching the server
// ---------------------------------------------------------------------------

/** A side connection for INFO and SCRIPT commands, never timed. */
export function observer(server: RedisServer): Redis5 {
  return new Redis5({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
}

/** A numeric field of `INFO <section>`. */
export async function infoField(redis: Redis5, section: string, field: string): Promise<number> {
  const info = await redis.info(section);
  const match = new RegExp(`^${field}:(\\d+)`, "m").exec(info);
  return match ? Number(match[1]) : 0;
}

/** `errorstat_NOSCRIPT:count=N` (Redis 7+): every NOSCRIPT reply, including those a client retried. */
export async function noscriptReplies(redis: Redis5): Promise<number> {
  const info = await redis.info("errorstats");
  const match = /^errorstat_NOSCRIPT:count=(\d+)/m.exec(info);
  return match ? Number(match[1]) : 0;
}

export const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.includes("NOSCRIPT");

// The contenders the runtime and flood benchmarks compare, behind one small
// interface: raw EVALSHA (the floor), luagen's generated functions, ioredis's
// defineCommand (ioredis 5 and 6), and node-redis 5's defineScript.
//
// The generated functions are the real thing: bench/.tmp/runtime/lua is run
// through `node bin/luagen.js`, compiled with tsc, and the index.js imported.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis as Redis5 } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient, defineScript } from "redis";
import type { RedisServer } from "../test/support/redis-server.js";
import { benchScriptName, benchScriptSource, VARIANTS, writeBenchScripts } from "./synth.js";

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

/** Every bench script by name, with its source and SHA-1. */
export const SCRIPTS: ReadonlyMap<string, { source: string; sha1: string }> = new Map(
  (["small", "large"] as const).flatMap((size) =>
    Array.from({ length: VARIANTS }, (_, v) => {
      const source = benchScriptSource(size, v);
      return [benchScriptName(size, v), { source, sha1: createHash("sha1").update(source).digest("hex") }] as const;
    }),
  ),
);

// ---------------------------------------------------------------------------
// ioredis, both majors, seen through the few methods used here
// ---------------------------------------------------------------------------

interface IoBatch {
  incr(key: string): IoBatch;
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): IoBatch;
  exec(): Promise<[Error | null, unknown][] | null>;
}

interface IoClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
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

/**
 * Writes the bench scripts, runs the real CLI on them into bench/.tmp/runtime/generated,
 * compiles that with `tsc --strict` (as a user's build would: no tsx/esbuild helpers in the
 * timed code) and imports the compiled index.js.
 */
export async function generatedModule(): Promise<GeneratedModule> {
  const dir = path.join(TMP, "runtime");
  rmSync(dir, { recursive: true, force: true });
  writeBenchScripts(path.join(dir, "lua"));
  const generatedDir = path.join(dir, "generated");
  const compiledDir = path.join(dir, "compiled");
  run("luagen", [path.join(ROOT, "bin", "luagen.js"), path.join(dir, "lua"), "--out", generatedDir]);
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
    "--outDir",
    compiledDir,
  ];
  run("tsc", [tsc, ...flags, path.join(generatedDir, "index.ts")]);
  writeFileSync(path.join(compiledDir, "package.json"), '{ "type": "module" }\n');
  return (await import(pathToFileURL(path.join(compiledDir, "index.js")).href)) as GeneratedModule;
}

function run(what: string, args: readonly string[]): void {
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (child.status !== 0)
    throw new Error(`${what} failed on the bench scripts (exit ${child.status}):\n${child.stdout}${child.stderr}`);
}

/** The generated functions on a fresh ioredis connection of the given major. */
export function generated(module: GeneratedModule, server: RedisServer, major: IoredisMajor = 5): Contender {
  const client = ioredis(server, major);
  const fn = (name: string): GeneratedFn => {
    const f = module[name];
    if (typeof f !== "function") throw new Error(`the generated module exports no ${name}`);
    return f;
  };
  return {
    label: major === 5 ? "luagen generated" : "luagen generated (ioredis 6)",
    direct: (script, key, by) => fn(script)(client, key, by) as Promise<unknown>,
    ...ioBatches(client, (batch, s) => void fn(s.script)(batch, s.key, s.by)),
    close: async () => void (await client.quit()),
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
  exec(): Promise<unknown[]>;
  execAsPipeline(): Promise<unknown[]>;
}

/**
 * node-redis's client with every bench script defined. A "pipeline" is its MULTI-less
 * `multi().execAsPipeline()`, a "transaction" its `multi().exec()`.
 */
export async function nodeRedis(server: RedisServer): Promise<Contender> {
  const scripts = Object.fromEntries([...SCRIPTS].map(([name, { source }]) => [name, nodeRedisScript(source)]));
  const client = createClient({ socket: { host: server.host, port: server.port }, scripts });
  client.on("error", () => undefined); // errors reach the callers; no unhandled 'error' event
  await client.connect();
  const commands = client as unknown as Record<string, (key: string, by: number) => Promise<unknown>>;
  /** node-redis builds a multi() the same way for exec() and execAsPipeline(). */
  const build = (steps: readonly Step[]): NodeMulti => {
    const multi = client.multi() as unknown as NodeMulti;
    const scripted = multi as unknown as Record<string, (key: string, by: number) => NodeMulti>;
    for (const step of steps) {
      if ("incr" in step) multi.incr(step.incr);
      else scripted[step.script](step.key, step.by);
    }
    return multi;
  };
  return {
    label: "node-redis 5 defineScript",
    batchLabels: {
      pipeline: "node-redis 5 defineScript (multi().execAsPipeline())",
      transaction: "node-redis 5 defineScript (multi().exec())",
    },
    direct: (script, key, by) => commands[script](key, by),
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

/**
 * The luagen runtime: how a generated function validates its parameters and
 * sends its script, so that it never meets `NOSCRIPT` at a bad moment.
 *
 * | target                          | sent                                                                 |
 * | ------------------------------- | -------------------------------------------------------------------- |
 * | `Redis` / `Cluster` (direct)    | `EVALSHA`; on a `NOSCRIPT` reply, once `EVAL`                         |
 * | `redis.multi()` (transaction)   | first call of a script: `EVAL`; later calls of it: `EVALSHA`         |
 * | `redis.pipeline()`              | always `EVAL`                                                        |
 *
 * A NOSCRIPT reply means the script did not run, so the direct retry cannot
 * apply it twice. EXEC runs atomically, so once a transaction's EVAL has
 * cached a script nothing can flush it before the same transaction's
 * EVALSHA. Between pipelined commands other clients can flush or evict, so a
 * pipeline always carries the source. `SCRIPT EXISTS` / `SCRIPT LOAD` are
 * never used: checking first and sending later is exactly the race.
 *
 * Needs nothing at run time but ioredis 5 or 6, and from it one value:
 * `Command`, whose `getSlot()` is how ioredis itself routes a command in a
 * Cluster (see `clusterSlot`).
 */
import { Command } from "ioredis";

// The descriptor's types, from here to `SourceOrigin`, and `originOf` below are luagen's single
// definition of what a generated module passes: luagen's src/descriptor.ts repeats them
// (this file is copied into projects and must stand alone) and its tests prove them identical.

/** How an argument may be encoded; an `ArgSpec` lists one or more. */
export type ArgKind = "string" | "number" | "integer" | "boolean" | "json";

/** One `@key` tag: `KEYS[i]`, or with `rest` all remaining keys. */
export interface KeySpec {
  readonly name: string;
  readonly rest: boolean;
}

/** One `@arg` tag: `ARGV[i]`, or with `rest` all remaining arguments. */
export interface ArgSpec {
  readonly name: string;
  readonly kinds: readonly ArgKind[];
  /** String literals the argument may be (`"asc"|"desc"`); empty when none. */
  readonly literals: readonly string[];
  readonly optional: boolean;
  readonly rest: boolean;
}

/** Everything the runtime knows about one script; generated, then frozen. */
export interface ScriptDescriptor {
  /** The exported function name, e.g. `incrCapped`; used in error messages. */
  readonly name: string;
  /** The `.lua` file it came from, e.g. `src/lua/incr-capped.lua`. */
  readonly file: string;
  /** The exact Lua source, as sent by EVAL. */
  readonly source: string;
  /** SHA-1 hex of `source`, as sent by EVALSHA. */
  readonly sha1: string;
  /** `KEYS` count, or `null` when a rest key makes it vary per call. */
  readonly numberOfKeys: number | null;
  readonly keys: readonly KeySpec[];
  readonly args: readonly ArgSpec[];
  /**
   * Where the lines of `source` come from, when it was assembled from several files
   * (`---@include`): from line `line` of `source` on, the lines are `file`'s from `fileLine`
   * on, until the next entry. Absent: every line is `file`'s own, one for one.
   */
  readonly origins?: readonly SourceOrigin[];
}

/** One entry of `ScriptDescriptor.origins`. */
export interface SourceOrigin {
  readonly line: number;
  readonly file: string;
  readonly fileLine: number;
}

/**
 * A connection a script can be called on directly: `Redis` or `Cluster`, of
 * ioredis 5 or 6 (in 6 with either reply mapping: `Redis<"legacy">`,
 * `Cluster<"resp3">`). Structural, because ioredis 6 makes both classes
 * generic and ioredis 5 does not, so no one named type fits both. What tells
 * a client from a batch is the reply of `evalsha`: a promise here, the batch
 * itself on a pipeline.
 */
export interface ScriptClient {
  evalsha(...args: [sha1: string, numkeys: number, ...keysAndArgs: Wire[]]): Promise<unknown>;
}

/**
 * A pipeline or a transaction (`redis.pipeline()`, `redis.multi()`, and the
 * same on a `Cluster`), of ioredis 5 or 6: it queues commands and counts
 * them, and `exec()` sends them. Generated functions return the very batch
 * they were given, with its own type, so calls chain.
 */
export interface ScriptBatch {
  readonly length: number;
  evalsha(...args: [sha1: string, numkeys: number, ...keysAndArgs: Wire[]]): unknown;
  exec(): Promise<unknown>;
}

/** What is actually written to the wire for a key or an argument. */
type Wire = string | Buffer;

/** Deep-freezes and returns the descriptor, so no caller can alter what is sent. */
export function defineScript(descriptor: ScriptDescriptor): ScriptDescriptor {
  for (const key of descriptor.keys) Object.freeze(key);
  for (const arg of descriptor.args) {
    Object.freeze(arg.kinds);
    Object.freeze(arg.literals);
    Object.freeze(arg);
  }
  for (const origin of descriptor.origins ?? []) Object.freeze(origin);
  if (descriptor.origins !== undefined) Object.freeze(descriptor.origins);
  Object.freeze(descriptor.keys);
  Object.freeze(descriptor.args);
  return Object.freeze(descriptor);
}

/**
 * Runs `script` on `target` with the policy above.
 *
 * `keys` holds one entry per `KeySpec` (an array for a rest key), `args` one
 * entry per `ArgSpec` (`undefined` for an omitted optional, an array for a rest).
 * Everything is validated and encoded before anything is sent. A bad value is a
 * `TypeError` naming the script and the parameter; so are keys in different hash
 * slots when the target is (or was made from) a `Cluster`. For a client the
 * call returns a promise, so the error rejects it; for a batch it is thrown,
 * and nothing is queued. A target that is neither a client nor a batch (`null`,
 * `{}`) is thrown as a `TypeError` too: nothing tells whether a promise or a
 * batch was expected, and the types already refuse such a call.
 *
 * @returns the reply's promise for a client; the same `target` for a batch,
 * so calls can be chained.
 */
export function runScript(
  script: ScriptDescriptor,
  target: ScriptClient | ScriptBatch,
  keys: readonly unknown[],
  args: readonly unknown[],
): Promise<unknown> | ScriptBatch {
  checkTarget(script, target);
  const context = scriptContext(target);
  // Keys then arguments in one array: the wire form after `numkeys`.
  let wire: Wire[];
  let numKeys: number;
  try {
    wire = encodeKeys(script, keys);
    numKeys = wire.length;
    encodeArgs(script, args, wire);
    checkSlots(script, target, keys, wire, numKeys);
  } catch (error) {
    if (context.kind === "direct") return Promise.reject(error);
    throw error;
  }
  switch (context.kind) {
    case "direct":
      return callDirect(script, target as ScriptClient, numKeys, wire);
    case "pipeline":
      (target as unknown as Evaluator<unknown>).eval(script.source, numKeys, wire);
      return target as ScriptBatch;
    case "transaction":
      return queueInTransaction(script, target as ScriptBatch, context.multiIndex, numKeys, wire);
  }
}

/** Anything that cannot even send a command (`null`, `{}`, a promise) is refused before it is read. */
function checkTarget(script: ScriptDescriptor, target: unknown): void {
  const evalsha = typeof target === "object" && target !== null ? (target as { evalsha?: unknown }).evalsha : undefined;
  if (typeof evalsha !== "function") {
    throw new TypeError(`${script.name}: expected an ioredis client, pipeline or transaction, got ${describe(target)}`);
  }
}

// ---------------------------------------------------------------------------
// Context: the one place that reads ioredis internals
// ---------------------------------------------------------------------------

/** Where a call is going; a transaction also says where its MULTI sits in the queue. */
export type ScriptContext =
  | { readonly kind: "direct" }
  | { readonly kind: "pipeline" }
  | { readonly kind: "transaction"; readonly multiIndex: number };

/**
 * Tells a client from a pipeline from a transaction.
 *
 * ioredis has no public way to ask, so this reads its internals (the same in
 * ioredis 5 and 6); only this section of the file does:
 * - `isPipeline === true` marks a `Pipeline` (both `pipeline()` and `multi()`);
 * - `_transactions > 0` while a `multi()` is open and its `exec()` not yet queued;
 * - `_queue` holds the queued `Command`s; the last one named `multi` starts the
 *   open transaction, so a second `multi()` in the same pipeline is a new one.
 *
 * If those internals ever change shape, a pipeline falls back to "pipeline"
 * (always EVAL), which is safe everywhere, only larger on the wire.
 */
export function scriptContext(target: ScriptClient | ScriptBatch): ScriptContext {
  const internals = target as unknown as { isPipeline?: unknown; _transactions?: unknown; _queue?: unknown };
  if (internals.isPipeline !== true) return DIRECT;
  if (typeof internals._transactions !== "number" || internals._transactions <= 0) return PIPELINE;
  const queue = Array.isArray(internals._queue) ? (internals._queue as unknown[]) : [];
  const multiIndex = lastMulti(target, queue);
  return multiIndex < 0 ? PIPELINE : { kind: "transaction", multiIndex };
}

const DIRECT: ScriptContext = { kind: "direct" };
const PIPELINE: ScriptContext = { kind: "pipeline" };

/** Per pipeline, how much of its queue was searched and the last MULTI found in it (weak, like `transactions`). */
const scanned = new WeakMap<object, { length: number; multiIndex: number }>();

/**
 * The index of the last `multi` command in `queue`, or -1. A queue only grows, so each call
 * searches just what was queued since the previous one: a transaction of n calls costs O(n),
 * not O(n²).
 */
function lastMulti(pipeline: object, queue: readonly unknown[]): number {
  const seen = scanned.get(pipeline);
  const from = seen !== undefined && seen.length <= queue.length ? seen.length : 0;
  let multiIndex = from === 0 ? -1 : seen!.multiIndex;
  for (let i = from; i < queue.length; i++) {
    const name = (queue[i] as { name?: unknown } | null)?.name;
    if (name === "multi" || (typeof name === "string" && name.toLowerCase() === "multi")) multiIndex = i;
  }
  scanned.set(pipeline, { length: queue.length, multiIndex });
  return multiIndex;
}

/**
 * Whether calls on `target` go to a Redis Cluster, and the `keyPrefix` ioredis
 * will put before every key. Reads, the same in ioredis 5 and 6:
 * - `isCluster === true` on a `Cluster` and on a pipeline or transaction made
 *   from one (a `Redis` has `isCluster === false`);
 * - `options.keyPrefix`: public on `Redis` and `Cluster` (a `Cluster` copies
 *   `redisOptions.keyPrefix` there), and a pipeline shares its client's `options`.
 *
 * If those ever change shape, the answer is "not a cluster": no slot guard, and
 * Redis itself refuses keys in different slots (CROSSSLOT), only later and less clearly.
 */
export function clusterTarget(target: ScriptClient | ScriptBatch): { readonly keyPrefix: string | Buffer | undefined } | undefined {
  const internals = target as unknown as { isCluster?: unknown; options?: { keyPrefix?: unknown } | null };
  if (internals.isCluster !== true) return undefined;
  const keyPrefix = internals.options?.keyPrefix;
  return { keyPrefix: typeof keyPrefix === "string" || Buffer.isBuffer(keyPrefix) ? keyPrefix : undefined };
}

/**
 * The hash slot of `key` as ioredis computes it when it routes a command:
 * `Command` (exported by ioredis, documented `@ignore`) applies the client's
 * `keyPrefix` to the key positions of the command, and `getSlot()` hashes its
 * first key with cluster-key-slot, a dependency of ioredis that users' code
 * cannot be sure to resolve itself. Same API in ioredis 5 and 6.
 */
function clusterSlot(key: Wire, keyPrefix: string | Buffer | undefined): number | null {
  const options = keyPrefix === undefined ? {} : { keyPrefix: keyPrefix as string };
  return new Command("get", [key], options).getSlot();
}

// ---------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------

/**
 * The commands the runtime sends, typed loosely enough for ioredis 5 and 6. Keys and
 * arguments go as one array: ioredis flattens it (`args.flat()`) into the command, where
 * spreading it into the call would overflow the stack past ~100,000 elements.
 */
interface Evaluator<R> {
  eval(source: string, numkeys: number, keysAndArgs: Wire[]): R;
  evalsha(sha1: string, numkeys: number, keysAndArgs: Wire[]): R;
  ping(): R;
  discard(): R;
}

/**
 * EVALSHA; on NOSCRIPT (the script did not run) once EVAL. Other errors reach
 * the caller as ioredis raised them, with the script's file and line appended
 * when Redis names a line of it (see `withScriptLocation`).
 */
function callDirect(script: ScriptDescriptor, client: ScriptClient, numKeys: number, wire: Wire[]): Promise<unknown> {
  const redis = client as unknown as Evaluator<Promise<unknown>>;
  // Plain `then` rather than async/await: one promise on top of ioredis's, which is what
  // keeps a direct call within a few percent of a raw `evalsha` (see BENCHMARKS.md).
  const settle = (reply: unknown) => (reply === "QUEUED" ? settleQueued(script, redis) : reply);
  const fail = (error: unknown): never => {
    throw withScriptLocation(script, error);
  };
  return redis.evalsha(script.sha1, numKeys, wire).then(settle, (error: unknown) => {
    if (!isNoScript(error)) fail(error);
    return redis.eval(script.source, numKeys, wire).then(settle, fail);
  });
}

function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && message.startsWith("NOSCRIPT");
}

/**
 * A direct call answered `QUEUED`. Either the script itself replied "QUEUED" (ioredis
 * gives a status and a bulk string alike, so the reply cannot tell), or the connection
 * is inside `multi({ pipeline: false })`, which leaves no trace in ioredis: then our
 * EVALSHA was queued and could fail alone with NOSCRIPT at EXEC while the rest of the
 * transaction applies. PING tells them apart without changing anything when no
 * transaction is open: "PONG" means the reply was the script's own; "QUEUED" means a
 * transaction is open, so DISCARD it (nothing of it runs) and refuse.
 */
async function settleQueued(script: ScriptDescriptor, redis: Evaluator<Promise<unknown>>): Promise<unknown> {
  if ((await redis.ping()) !== "QUEUED") return "QUEUED";
  try {
    await redis.discard();
  } catch (error) {
    const message = (error as { message?: unknown } | null)?.message;
    // Error's `cause` option needs lib ES2022; set it by hand so any target compiles.
    throw Object.assign(
      new Error(
        `${script.name}: luagen cannot run "${script.name}" inside multi({ pipeline: false }), and sending DISCARD failed (${String(message)}); the transaction may still be open. Use redis.multi() (the default) instead.`,
      ),
      { cause: error },
    );
  }
  throw new Error(
    `${script.name}: luagen cannot run "${script.name}" inside multi({ pipeline: false }): the server queued it where NOSCRIPT could fail it alone at EXEC. The transaction was discarded (DISCARD sent), so none of its commands ran. Use redis.multi() (the default) instead.`,
  );
}

/**
 * Per transaction, the scripts already sent in it (by SHA-1, as the server
 * caches them). Weak, so a finished pipeline takes its bookkeeping with it.
 */
const transactions = new WeakMap<object, { multiIndex: number; sent: Set<string>; evalOnly: boolean }>();

/**
 * How many distinct scripts a transaction may EVAL before it stops using
 * EVALSHA altogether. Since Redis 7.4 the scripts sent by EVAL are evicted
 * least recently used first once there are 500 of them, and that happens at
 * each EVAL, also while EXEC runs: an EVALSHA can trust the EVAL earlier in
 * its transaction only while fewer than 500 other scripts were EVALed after
 * it. Below this limit every EVALSHA follows at most 400 distinct EVALs of
 * its own transaction (nothing else runs during EXEC); from the 401st distinct
 * script on, every call carries its source. The margin below 500 is slack,
 * not arithmetic: the rule stays safe if the server's limit moves a little.
 */
const MAX_SCRIPTS_PER_TRANSACTION = 400;

/**
 * First call of a script in this transaction: EVAL (caches it); later calls:
 * EVALSHA; once the transaction has more than MAX_SCRIPTS_PER_TRANSACTION
 * distinct scripts, EVAL for everything.
 */
function queueInTransaction(script: ScriptDescriptor, batch: ScriptBatch, multiIndex: number, numKeys: number, wire: Wire[]): ScriptBatch {
  let state = transactions.get(batch);
  if (state === undefined || state.multiIndex !== multiIndex) {
    state = { multiIndex, sent: new Set(), evalOnly: false }; // a new MULTI in this pipeline: start over
    transactions.set(batch, state);
  }
  const commands = batch as unknown as Evaluator<unknown>;
  if (!state.evalOnly && state.sent.has(script.sha1)) {
    commands.evalsha(script.sha1, numKeys, wire);
    return batch;
  }
  if (!state.evalOnly) {
    if (state.sent.size < MAX_SCRIPTS_PER_TRANSACTION) state.sent.add(script.sha1);
    else {
      state.evalOnly = true;
      state.sent.clear();
    }
  }
  commands.eval(script.source, numKeys, wire);
  return batch;
}

// ---------------------------------------------------------------------------
// Script errors: where in the .lua file
// ---------------------------------------------------------------------------

/**
 * Redis names the line of a failing script as `user_script:LINE` (e.g.
 * `ERR user_script:3: Script attempted to access nonexistent global variable 'x'
 * script: <sha>, on @user_script:3.`). Appends the .lua file and line the
 * caller can open, ` (src/lua/token-bucket.lua:3)`, to that same error object:
 * its class, its other properties and Redis's message stay as ioredis made them.
 */
function withScriptLocation(script: ScriptDescriptor, error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const target = error as { message?: unknown; stack?: unknown };
  const message = target.message;
  if (typeof message !== "string") return error;
  const match = /user_script:(\d+)/.exec(message);
  if (match === null) return error;
  const suffix = ` (${sourceLocation(script, Number(match[1]))})`;
  if (message.endsWith(suffix)) return error;
  try {
    target.message = message + suffix;
    if (typeof target.stack === "string") target.stack = target.stack.replace(message, message + suffix);
  } catch {
    // a frozen error: leave it as it is
  }
  return error;
}

/** `file:line` of line `line` of the source, through `origins` when the source was assembled. */
export function sourceLocation(script: ScriptDescriptor, line: number): string {
  const location = originOf(script.origins ?? [], line) ?? { file: script.file, line };
  return `${location.file}:${location.line}`;
}

/**
 * The file and line that line `line` of an assembled source came from: the last entry starting
 * at or before it, counted on from its `fileLine`; undefined when no entry covers the line.
 */
export function originOf(origins: readonly SourceOrigin[], line: number): { file: string; line: number } | undefined {
  let found: SourceOrigin | undefined;
  for (const origin of origins) {
    if (origin.line > line) break;
    found = origin;
  }
  return found === undefined ? undefined : { file: found.file, line: found.fileLine + (line - found.line) };
}

// ---------------------------------------------------------------------------
// Validation and encoding
// ---------------------------------------------------------------------------

/**
 * On a Cluster every key of one call must hash to one slot (Redis refuses the
 * call with CROSSSLOT otherwise, and inside a transaction only at EXEC). Checked
 * before anything is sent, with the slots ioredis itself computes, keyPrefix
 * included. Zero or one key: nothing to check.
 */
function checkSlots(
  script: ScriptDescriptor,
  target: ScriptClient | ScriptBatch,
  keys: readonly unknown[],
  keysAndArgs: readonly Wire[],
  numKeys: number,
): void {
  if (numKeys < 2) return;
  const cluster = clusterTarget(target);
  if (cluster === undefined) return;
  const wire = keysAndArgs.slice(0, numKeys);
  const slots = wire.map((key) => clusterSlot(key, cluster.keyPrefix));
  if (slots.every((slot) => slot === slots[0])) return;
  const labels = keyLabels(script, keys);
  const shown = (key: Wire) => (typeof key === "string" ? JSON.stringify(key) : `<Buffer ${key.toString("hex")}>`);
  const listed = wire.map((key, i) => `key "${labels[i]}" ${shown(key)} is in slot ${slots[i]}`).join(", ");
  const prefix = cluster.keyPrefix === undefined ? "" : ` (with the client's keyPrefix ${shown(cluster.keyPrefix)})`;
  throw new TypeError(
    `${script.name}: on a Redis Cluster all keys of one call must hash to the same slot, but ${listed}${prefix}. ` +
      `Give them a common hash tag: only the part in braces is hashed, so "{user42}:a" and "{user42}:b" share a slot.`,
  );
}

/** The parameter name of each wire key, as the errors name them (`destinations[1]` for a rest key). */
function keyLabels(script: ScriptDescriptor, keys: readonly unknown[]): string[] {
  return script.keys.flatMap((spec, i) => {
    const value = keys[i];
    return spec.rest && Array.isArray(value) ? value.map((_, j) => `${spec.name}[${j}]`) : [spec.name];
  });
}

// The encoders run on every call: plain loops, and labels for error messages built only on error.

function encodeKeys(script: ScriptDescriptor, keys: readonly unknown[]): Wire[] {
  checkCount(script, "key", keys.length, script.keys.length);
  const wire: Wire[] = [];
  let i = 0;
  for (const spec of script.keys) {
    const value = keys[i++];
    if (!spec.rest) {
      wire.push(encodeKey(script, spec.name, -1, value));
      continue;
    }
    if (!Array.isArray(value)) throw invalid(script, "key", spec.name, "an array of keys", value);
    for (let j = 0; j < value.length; j++) wire.push(encodeKey(script, spec.name, j, value[j]));
  }
  return wire;
}

/** `index` is the position in a rest key's array, or -1. */
function encodeKey(script: ScriptDescriptor, name: string, index: number, value: unknown): Wire {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value;
  throw invalid(script, "key", label(name, index), "a string or Buffer", value);
}

function label(name: string, index: number): string {
  return index < 0 ? name : `${name}[${index}]`;
}

/** Appends the encoded arguments to `wire`. Optional arguments are positional: only trailing ones may be left out. */
function encodeArgs(script: ScriptDescriptor, args: readonly unknown[], wire: Wire[]): void {
  checkCount(script, "argument", args.length, script.args.length);
  let omitted: string | undefined;
  let i = 0;
  for (const spec of script.args) {
    const value = args[i++];
    const empty = value === undefined || (spec.rest && Array.isArray(value) && value.length === 0);
    if (value === undefined && spec.optional) {
      omitted ??= spec.name;
      continue;
    }
    if (omitted !== undefined && !empty) {
      throw new TypeError(
        `${script.name}: argument "${spec.name}" is given but optional argument "${omitted}" before it is undefined; arguments are sent by position, so only trailing ones can be left out`,
      );
    }
    if (!spec.rest) {
      wire.push(encodeArg(script, spec, -1, value));
      continue;
    }
    if (!Array.isArray(value)) throw invalid(script, "argument", spec.name, "an array", value);
    for (let j = 0; j < value.length; j++) wire.push(encodeArg(script, spec, j, value[j]));
  }
}

/** The generated function always passes every parameter; anything else is a hand-written mistake. */
function checkCount(script: ScriptDescriptor, what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new TypeError(`${script.name}: expected ${expected} ${what} entries, got ${actual}`);
  }
}

/**
 * Picks the encoding from the JS type and the declared kinds:
 * a string is itself (if `string` or a listed literal); a number is an
 * integer, else a finite number; a boolean is "1"/"0"; anything else,
 * and any of these the kinds do not cover, is JSON if `json` is allowed.
 */
function encodeArg(script: ScriptDescriptor, spec: ArgSpec, index: number, value: unknown): Wire {
  const kinds = spec.kinds;
  if (typeof value === "string" && (kinds.includes("string") || spec.literals.includes(value))) return value;
  if (typeof value === "number") {
    if (kinds.includes("integer") && Number.isSafeInteger(value)) return String(value);
    if (kinds.includes("number") && Number.isFinite(value)) return String(value);
  }
  if (typeof value === "boolean" && kinds.includes("boolean")) return value ? "1" : "0";
  if (Buffer.isBuffer(value) && kinds.includes("string")) return value;
  if (value !== undefined && kinds.includes("json")) {
    const json = tryStringify(value);
    if (json !== undefined) return json;
  }
  throw invalid(script, "argument", label(spec.name, index), expectation(spec), value);
}

/** JSON.stringify, or undefined where it throws (cycles, BigInt) or yields nothing (functions, symbols). */
function tryStringify(value: unknown): string | undefined {
  try {
    const json: unknown = JSON.stringify(value);
    return typeof json === "string" ? json : undefined;
  } catch {
    return undefined;
  }
}

/** "a safe integer", "one of "asc", "desc"", "a string or JSON-serialisable value", ... */
function expectation(spec: ArgSpec): string {
  const phrases: Record<ArgKind, string> = {
    string: "a string",
    number: "a finite number",
    integer: "a safe integer",
    boolean: "a boolean",
    json: "a JSON-serialisable value",
  };
  const parts = spec.kinds.map((kind) => phrases[kind]);
  if (spec.literals.length > 0) parts.unshift(`one of ${spec.literals.map((l) => JSON.stringify(l)).join(", ")}`);
  return parts.join(" or ");
}

function invalid(script: ScriptDescriptor, what: "key" | "argument", label: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${script.name}: ${what} "${label}" must be ${expected}, got ${describe(value)}`);
}

/** A short, unambiguous rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Buffer.isBuffer(value)) return "a Buffer";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

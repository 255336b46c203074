/**
 * The luagen runtime: how a generated function validates its parameters and
 * sends its script, so that it never meets `NOSCRIPT` at a bad moment.
 *
 * | target                                              | sent                                                  |
 * | --------------------------------------------------- | ----------------------------------------------------- |
 * | a client or cluster (direct)                        | `EVALSHA`; on a `NOSCRIPT` reply, once `EVAL`          |
 * | ioredis/iovalkey `multi()` (transaction)            | first call of a script: `EVAL`; later calls: `EVALSHA` |
 * | ioredis/iovalkey `pipeline()`                       | always `EVAL`                                          |
 * | node-redis `multi()` (`exec()` or `execAsPipeline()`) | always `EVAL`                                        |
 * | a typed transaction on node-redis (`openBatch`)      | first call of a script: `EVAL`; later calls: `EVALSHA` |
 * | a typed pipeline on node-redis (`openBatch`)         | always `EVAL`                                          |
 * | a Valkey GLIDE `Batch`, atomic (MULTI/EXEC)          | first call of a script: `EVAL`; later calls: `EVALSHA` |
 * | a Valkey GLIDE `Batch`, not atomic (a pipeline)      | always `EVAL`                                          |
 *
 * A NOSCRIPT reply means the script did not run, so the direct retry cannot
 * apply it twice. EXEC runs atomically, so once a transaction's EVAL has
 * cached a script nothing can flush it before the same transaction's
 * EVALSHA. Between pipelined commands other clients can flush or evict, so a
 * pipeline always carries the source. A node-redis multi may end as either,
 * and which is unknown while it is queued, so it always carries the source;
 * the multi behind a typed transaction only ever ends in MULTI/EXEC.
 * `SCRIPT EXISTS` / `SCRIPT LOAD` are never used: checking first and sending
 * later is exactly the race.
 *
 * A script that declares `#!lua flags=no-writes` goes as `EVALSHA_RO` / `EVAL_RO`
 * in the same places (the NOSCRIPT retry too), so a client that reads from
 * replicas may run it there.
 *
 * Generated with `--mode functions`, a script is also a function of a Redis
 * Functions library (its descriptor's `library`). A direct call then sends
 * `FCALL` (`FCALL_RO` for no-writes); when the function is not found (the
 * library was flushed, never loaded, or is another release's) it sends
 * MULTI, FUNCTION LOAD, the same FCALL, EXEC: the load and the call run
 * together, so no flush can come between them. The library's name carries a
 * hash of its code, so "already exists" means "this very code": it is never
 * replaced, and two releases' libraries run side by side. Batches send the
 * script as above (EVAL...), so that they never depend on the library and no
 * transaction can end partial because it is missing.
 *
 * The policy (which command, when) is decided in one place, `The policy`
 * below; each client library adds only how a command is sent (`Transports`).
 * Imports nothing: the same file serves ioredis 5 and 6, iovalkey,
 * node-redis 5 and 6 and Valkey GLIDE, and compiles in a project that has
 * only one of them.
 */

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
  /** The flags of the script's `#!lua flags=...` line (`no-writes`, `allow-cross-slot-keys`, ...); absent without one. */
  readonly flags?: readonly string[];
  /** With `--mode functions`: the library that holds the script as a function (under the script's `name`). */
  readonly library?: LibraryDescriptor;
}

/** A Redis Functions library of a folder's scripts (`--mode functions`); generated, then frozen. */
export interface LibraryDescriptor {
  /** `<base>_<version>`: what FUNCTION LOAD registers. */
  readonly name: string;
  /** A hash of the code: a library of other code has another name. */
  readonly version: string;
  /** What FUNCTION LOAD takes. */
  readonly code: string;
  /** By script name: its function's name, and the library line its body starts on (line 1 of the script). */
  readonly functions: Readonly<Record<string, { readonly name: string; readonly line: number }>>;
  /**
   * Valkey GLIDE: makes the transaction a direct call loads the library in, with its call (the
   * runtime imports no client, so `_library.ts` passes GLIDE's `Batch`, as index.ts does for typed
   * batches).
   */
  readonly newBatch?: NewBatch;
}

/** One entry of `ScriptDescriptor.origins`. */
export interface SourceOrigin {
  readonly line: number;
  readonly file: string;
  readonly fileLine: number;
}

// ---------------------------------------------------------------------------
// Targets: what a generated function may be given
// ---------------------------------------------------------------------------

/**
 * An ioredis or iovalkey connection a script can be called on directly: `Redis` or
 * `Cluster`, of ioredis 5 or 6 (in 6 with either reply mapping: `Redis<"legacy">`,
 * `Cluster<"resp3">`) or iovalkey. Structural, because ioredis 6 makes both classes
 * generic and ioredis 5 does not, so no one named type fits both. What tells a
 * client from a batch is the reply of `evalsha`: a promise here, the batch itself
 * on a pipeline.
 */
export interface ScriptClient {
  evalsha(...args: [sha1: string, numkeys: number, ...keysAndArgs: Wire[]]): Promise<unknown>;
}

/**
 * An ioredis or iovalkey pipeline or transaction (`redis.pipeline()`, `redis.multi()`,
 * and the same on a `Cluster`): it queues commands and counts them, and `exec()`
 * sends them. Generated functions return the very batch they were given, with its
 * own type, so calls chain.
 */
export interface ScriptBatch {
  readonly length: number;
  evalsha(...args: [sha1: string, numkeys: number, ...keysAndArgs: Wire[]]): unknown;
  exec(): Promise<unknown>;
}

/** The keys and arguments of node-redis's own EVAL and EVALSHA commands. */
interface NodeRedisScriptOptions {
  keys: Wire[];
  arguments: Wire[];
}

/**
 * A node-redis client or cluster, of node-redis 5 or 6 (`createClient()`,
 * `createClient({ RESP: 3 })`, `createCluster(...)`, with any modules, scripts or
 * functions): its EVALSHA answers with a promise.
 */
export interface NodeRedisClient {
  EVALSHA(sha1: string, options: NodeRedisScriptOptions): Promise<unknown>;
}

/**
 * A node-redis `multi()` of a client or cluster: it queues commands, and runs them
 * with `exec()` (MULTI/EXEC) or `execAsPipeline()`. Generated functions return the
 * very multi they were given, with its own type, so calls chain.
 */
export interface NodeRedisMulti {
  EVAL(script: Wire, options: NodeRedisScriptOptions): unknown;
  execAsPipeline(): Promise<unknown>;
}

/**
 * A Valkey GLIDE client (`GlideClient.createClient(...)`): what the runtime uses of it. It sends
 * any command with `customCommand`, which answers with a promise.
 */
export interface GlideScriptClient {
  customCommand(args: Wire[], options?: object): Promise<unknown>;
  exec(batch: never, raiseOnError: boolean, options?: never): Promise<unknown>;
}

/**
 * A Valkey GLIDE `Batch` (`new Batch(true)`: MULTI/EXEC; `new Batch(false)`: a pipeline), run by
 * the client's `exec(batch, raiseOnError)`. Generated functions return the very batch they were
 * given, so calls chain.
 */
export interface GlideScriptBatch {
  readonly isAtomic: boolean;
  customCommand(args: Wire[]): unknown;
}

/** Everything `runScript` accepts. */
export type ScriptTarget =
  ScriptClient | ScriptBatch | NodeRedisClient | NodeRedisMulti | GlideScriptClient | GlideScriptBatch;

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
  if (descriptor.flags !== undefined) Object.freeze(descriptor.flags);
  if (descriptor.origins !== undefined) Object.freeze(descriptor.origins);
  Object.freeze(descriptor.keys);
  Object.freeze(descriptor.args);
  return Object.freeze(descriptor);
}

/** Deep-freezes and returns a library descriptor. */
export function defineLibrary(library: LibraryDescriptor): LibraryDescriptor {
  for (const fn of Object.values(library.functions)) Object.freeze(fn);
  Object.freeze(library.functions);
  return Object.freeze(library);
}

/**
 * Runs `script` on `target` with the policy above.
 *
 * `keys` holds one entry per `KeySpec` (an array for a rest key), `args` one
 * entry per `ArgSpec` (`undefined` for an omitted optional, an array for a rest).
 * Everything is validated and encoded before anything is sent. A bad value is a
 * `TypeError` naming the script and the parameter; so are keys in different hash
 * slots when the target is (or was made from) a Redis Cluster. For a client the
 * call returns a promise, so the error rejects it; for a batch it is thrown,
 * and nothing is queued. A target that is neither a client nor a batch (`null`,
 * `{}`) is thrown as a `TypeError` too: nothing tells whether a promise or a
 * batch was expected, and the types already refuse such a call.
 *
 * @returns the reply's promise for a client; the same `target` for a batch,
 * so calls can be chained.
 */
export function runScript<Batch extends ScriptBatch | NodeRedisMulti | GlideScriptBatch>(
  script: ScriptDescriptor,
  target: ScriptClient | NodeRedisClient | GlideScriptClient | Batch,
  keys: readonly unknown[],
  args: readonly unknown[],
): Promise<unknown> | Batch {
  const transport = transportOf(script, target);
  const context = transport.context(target);
  let call: EncodedCall;
  try {
    call = encodeCall(script, transport, target, keys, args);
  } catch (error) {
    if (context.kind === "direct") return Promise.reject(error);
    throw error;
  }
  if (context.kind === "direct") return callDirect(script, transport, target, call.numKeys, call.wire);
  const command = forScript(script, queuedCommand(script, target, context));
  transport.queue(target, command, textFor(script, command, transport), call.numKeys, call.wire);
  return target as Batch;
}

/** A call's keys then arguments in one array, the wire form after `numkeys`, and how many are keys. */
interface EncodedCall {
  readonly wire: Wire[];
  readonly numKeys: number;
}

/** Validates and encodes a call for `target`: a `TypeError` naming the script and the parameter when anything is wrong. */
function encodeCall(
  script: ScriptDescriptor,
  transport: Transport,
  target: object,
  keys: readonly unknown[],
  args: readonly unknown[],
): EncodedCall {
  const wire = encodeKeys(script, keys);
  const numKeys = wire.length;
  encodeArgs(script, args, wire);
  const cluster = transport.cluster(target);
  refuseNoCluster(script, cluster);
  checkSlots(script, cluster, keys, wire, numKeys);
  return { wire, numKeys };
}

// ---------------------------------------------------------------------------
// The policy: which command carries a script, and when (the one place that decides)
// ---------------------------------------------------------------------------

/** Where a call is going; a transaction also says where its MULTI sits in the queue. */
export type ScriptContext =
  /** a client or cluster: the reply comes back to the caller */
  | { readonly kind: "direct" }
  /** queued; other clients' commands may run between ours */
  | { readonly kind: "pipeline" }
  /** queued inside MULTI ... EXEC, known to be so while queuing (ioredis, iovalkey) */
  | { readonly kind: "transaction"; readonly multiIndex: number }
  /** queued; ends as MULTI/EXEC or as a pipeline, unknown while queuing (node-redis) */
  | { readonly kind: "multi" };

/** What the policy chooses: a script by its source (EVAL) or by its SHA-1 (EVALSHA). */
export type PolicyCommand = "EVAL" | "EVALSHA";

/**
 * What is sent: the policy's command, or its read-only form for a script that declares
 * `#!lua flags=no-writes` (Redis 7+), which a client may send to a replica.
 */
export type ScriptCommand = EvalCommand | FunctionCommand;

/** A script by its source or SHA-1, read-only or not. */
export type EvalCommand = PolicyCommand | "EVAL_RO" | "EVALSHA_RO";

/** How a direct call reaches a script's function (`--mode functions`): FCALL_RO for a no-writes script. */
export type FunctionCommand = "FCALL" | "FCALL_RO";

/** A direct call sends this first, and on a NOSCRIPT reply (the script did not run) once `DIRECT_RETRY`. */
const DIRECT_FIRST: PolicyCommand = "EVALSHA";
const DIRECT_RETRY: PolicyCommand = "EVAL";

/** The read-only form for a no-writes script, in every context and for the NOSCRIPT retry too. */
function forScript(script: ScriptDescriptor, command: PolicyCommand): EvalCommand {
  return script.flags?.includes("no-writes") ? (`${command}_RO` as const) : command;
}

/**
 * What `command` carries: the SHA-1 for EVALSHA(_RO), the source for EVAL(_RO), as the
 * string or as its UTF-8 bytes, whichever the client sends with less copying (`Transport.source`).
 */
function textFor(script: ScriptDescriptor, command: EvalCommand, transport: Transport): Wire {
  if (command === "EVALSHA" || command === "EVALSHA_RO") return script.sha1;
  return transport.source === "bytes" ? sourceBytes(script) : script.source;
}

/** Each script's source as UTF-8 bytes, encoded on its first EVAL and reused by every later one. */
const encodedSources = new WeakMap<ScriptDescriptor, Buffer>();

function sourceBytes(script: ScriptDescriptor): Buffer {
  let bytes = encodedSources.get(script);
  if (bytes === undefined) {
    bytes = Buffer.from(script.source, "utf8");
    encodedSources.set(script, bytes);
  }
  return bytes;
}

/**
 * The command a queued call sends: EVAL, except in a transaction known as such,
 * where a script already EVALed in it goes as EVALSHA (see `transactionCommand`).
 * A pipeline, and a multi that may end as one, always carry the source.
 */
function queuedCommand(script: ScriptDescriptor, batch: object, context: ScriptContext): PolicyCommand {
  return context.kind === "transaction" ? transactionCommand(script, batch, context.multiIndex) : "EVAL";
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
function transactionCommand(script: ScriptDescriptor, batch: object, multiIndex: number): PolicyCommand {
  let state = transactions.get(batch);
  if (state === undefined || state.multiIndex !== multiIndex) {
    state = { multiIndex, sent: new Set(), evalOnly: false }; // a new MULTI in this pipeline: start over
    transactions.set(batch, state);
  }
  if (state.evalOnly) return "EVAL";
  if (state.sent.has(script.sha1)) return "EVALSHA";
  if (state.sent.size < MAX_SCRIPTS_PER_TRANSACTION) state.sent.add(script.sha1);
  else {
    state.evalOnly = true;
    state.sent.clear();
  }
  return "EVAL";
}

/**
 * DIRECT_FIRST; on NOSCRIPT (the script did not run) once DIRECT_RETRY. Other
 * errors reach the caller as the client raised them, with the script's file and
 * line appended when Redis names a line of it (see `withScriptLocation`).
 */
function callDirect(
  script: ScriptDescriptor,
  transport: Transport,
  target: object,
  numKeys: number,
  wire: Wire[],
): Promise<unknown> {
  if (script.library !== undefined) return callFunction(script, script.library, transport, target, numKeys, wire);
  // Plain `then` rather than async/await: one promise on top of the client's, and one closure
  // on the way that succeeds (two on ioredis), which is what keeps a direct call within a few
  // percent of a raw `evalsha` (see BENCHMARKS.md); the error path builds the rest.
  const settle = settler(script, transport, target);
  return sendBy(script, transport, target, DIRECT_FIRST, numKeys, wire).then(settle, (error: unknown) => {
    if (!isNoScript(error)) throw withScriptLocation(script, error);
    return sendBy(script, transport, target, DIRECT_RETRY, numKeys, wire).then(settle, (failure: unknown) => {
      throw withScriptLocation(script, failure);
    });
  });
}

function sendBy(
  script: ScriptDescriptor,
  transport: Transport,
  target: object,
  policy: PolicyCommand,
  numKeys: number,
  wire: Wire[],
): Promise<unknown> {
  const command = forScript(script, policy);
  return transport.send(target, command, textFor(script, command, transport), numKeys, wire);
}

/** The transport's check of a direct call's reply, where it has one (`then` passes the reply on without). */
function settler(
  script: ScriptDescriptor,
  transport: Transport,
  target: object,
): ((reply: unknown) => unknown) | undefined {
  const settle = transport.settle;
  return settle && ((reply) => settle(script, target, reply));
}

/**
 * FCALL (FCALL_RO for no-writes); when the function is not found, once MULTI, FUNCTION LOAD,
 * FCALL, EXEC (see the table at the top): the reply of that FCALL, or its error.
 */
function callFunction(
  script: ScriptDescriptor,
  library: LibraryDescriptor,
  transport: Transport,
  target: object,
  numKeys: number,
  wire: Wire[],
): Promise<unknown> {
  const command: FunctionCommand = script.flags?.includes("no-writes") ? "FCALL_RO" : "FCALL";
  const name = functionOf(script, library).name;
  // See callDirect on `then`.
  const settle = settler(script, transport, target);
  return transport.send(target, command, name, numKeys, wire).then(settle, (error: unknown) => {
    const fail = (failure: unknown): never => {
      throw withScriptLocation(script, failure);
    };
    if (!isFunctionNotFound(error)) fail(error);
    return loadAndCall(library, transport, target, command, name, numKeys, wire).then(settle, fail);
  });
}

function functionOf(script: ScriptDescriptor, library: LibraryDescriptor): { name: string; line: number } {
  const fn = library.functions[script.name];
  if (fn === undefined) throw new TypeError(`${script.name}: the library ${library.name} has no function for it`);
  return fn;
}

/** MULTI, FUNCTION LOAD, `command`, EXEC: "already exists" from the load means the library is there. */
async function loadAndCall(
  library: LibraryDescriptor,
  transport: Transport,
  target: object,
  command: FunctionCommand,
  name: string,
  numKeys: number,
  wire: Wire[],
): Promise<unknown> {
  const transaction = transport.batches.transaction;
  const multi = transaction.open(target, library.newBatch);
  const queue = transaction.queueing?.(multi) ?? multi;
  transport.queueLoad(queue, library.code);
  transport.queue(queue, command, name, numKeys, wire);
  const run = await transaction.run(multi);
  if (run instanceof TransactionAbortedError) throw run;
  const [loaded, called] = run.results;
  if (loaded?.[0] && !isLibraryThere(loaded[0])) throw loaded[0];
  if (called === undefined)
    throw new Error(`${name}: the transaction that loaded the library gave no reply for the call`);
  if (called[0]) throw called[0];
  return called[1];
}

function isFunctionNotFound(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && FUNCTION_NOT_FOUND.test(message);
}

/** Redis's reply, as ioredis and node-redis give it, and as Valkey GLIDE words it (its `RequestError`). */
const FUNCTION_NOT_FOUND = /^(?:ERR |An error was signalled by the server: - ResponseError: )?Function not found/;

function isLibraryThere(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /Library '[^']*' already exists/.test(message);
}

/** What `loadLibrary` did on each primary it reached. */
export interface LibraryLoad {
  readonly library: string;
  /** Primaries that did not have the library and now do. */
  readonly loaded: number;
  /** Primaries that had it already: nothing was written there. */
  readonly current: number;
}

/**
 * Loads `library` (FUNCTION LOAD, never REPLACE: a library of this name holds this very code) on
 * a client's server, or on every primary of a cluster, where FUNCTION LOAD reaches one node
 * only. A deploy step, and optional: a direct call loads the library where it is missing.
 */
export async function loadLibrary(
  library: LibraryDescriptor,
  client: ScriptClient | NodeRedisClient | GlideScriptClient,
): Promise<LibraryLoad> {
  const transport = transportIfAny(client);
  if (transport === undefined || transport.context(client) !== DIRECT)
    throw new TypeError(
      `loadLibrary: expected an ioredis or iovalkey client or cluster, a node-redis client or cluster, or a Valkey GLIDE client, got ${describe(client)}`,
    );
  const outcomes = await Promise.all(
    (await transport.primaries(client)).map((node) =>
      transport.load(node, library.code).then(
        () => "loaded" as const,
        (error: unknown) => {
          if (isLibraryThere(error)) return "current" as const;
          throw error;
        },
      ),
    ),
  );
  return {
    library: library.name,
    loaded: outcomes.filter((o) => o === "loaded").length,
    current: outcomes.filter((o) => o === "current").length,
  };
}

function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return (
    typeof message === "string" &&
    (message.startsWith("NOSCRIPT") || message.startsWith(GLIDE_NOSCRIPT) || SPENT_ON_NOSCRIPT.test(message))
  );
}

/** How Valkey GLIDE words a NOSCRIPT reply (its `RequestError`'s message). */
const GLIDE_NOSCRIPT = "An error was signalled by the server: - NoScriptError:";

/**
 * ioredis's Cluster counts every error reply against `maxRedirections`, NOSCRIPT included, and
 * once the count is spent (a command redirected through a failover, then meeting the promoted
 * replica's empty cache) rejects with its own error quoting the last reply. That reply still
 * says the script did not run.
 */
const SPENT_ON_NOSCRIPT = /^Too many Cluster redirections\. Last error: (?:ReplyError: )?NOSCRIPT/;

// ---------------------------------------------------------------------------
// Transports: how each client library sends what the policy chose
// ---------------------------------------------------------------------------

/** How one client library is asked where a call goes, and sends or queues a command. */
interface Transport {
  /**
   * How this client takes a script's source: `"bytes"` (a Buffer encoded once per script and
   * handed over as is) where the client writes a Buffer argument to the socket without copying
   * it; `"string"` where it would copy a Buffer into the command anyway (see BENCHMARKS.md).
   */
  readonly source: "string" | "bytes";
  context(target: object): ScriptContext;
  /** On a Redis Cluster: the keyPrefix the client puts before every key; otherwise undefined. */
  cluster(target: object): ClusterTarget | undefined;
  /** Sends `command` with `text` (source or SHA-1); the reply's promise, also for an error thrown while sending. */
  send(target: object, command: ScriptCommand, text: Wire, numKeys: number, wire: Wire[]): Promise<unknown>;
  queue(target: object, command: ScriptCommand, text: Wire, numKeys: number, wire: Wire[]): void;
  /** Queues FUNCTION LOAD `code` in a transaction this transport opened. */
  queueLoad(multi: object, code: string): void;
  /** Sends FUNCTION LOAD `code` to one node. */
  load(node: object, code: string): Promise<unknown>;
  /** The clients of a cluster's primaries; a client alone for a single server. */
  primaries(client: object): Promise<object[]>;
  /** A direct call's reply, checked for what only this client can tell (ioredis: a hidden MULTI); none for the others. */
  settle?(script: ScriptDescriptor, target: object, reply: unknown): unknown;
  /** How this client runs each kind of typed batch. */
  readonly batches: Readonly<Record<BatchKind, BatchTransport>>;
}

/**
 * Makes the client's own batch for a typed batch, where the runtime cannot (it imports no client):
 * index.ts passes it for Valkey GLIDE (`new Batch(atomic)`, or a `ClusterBatch` on a cluster).
 */
export type NewBatch = (client: object, atomic: boolean) => object;

/** How a client opens, fills and runs the batch behind a typed batch (see `openBatch`). */
interface BatchTransport {
  open(client: object, newBatch?: NewBatch): object;
  /** The client's own batch behind what `open` gave, where they differ (GLIDE), for commands the runtime queues itself. */
  queueing?(batch: object): object;
  /** Whether the client's batch has a command `name`. */
  hasCommand(batch: object, name: string): boolean;
  /** Queues one call of the client's command `name`. */
  command(batch: object, name: string, args: unknown[]): void;
  /** Queues one call of `script` with the policy, or throws a `TypeError` and queues nothing. */
  script(batch: object, script: ScriptDescriptor, keys: readonly unknown[], args: readonly unknown[]): void;
  run(batch: object): Promise<BatchRun>;
}

export interface ClusterTarget {
  readonly keyPrefix: string | Buffer | undefined;
}

/**
 * ioredis and iovalkey have lower-case command methods (`evalsha`); node-redis has
 * upper-case ones (`EVALSHA`) and no lower-case `evalsha`. Anything with neither
 * cannot send a command: refused before it is read.
 */
function transportOf(script: ScriptDescriptor, target: unknown): Transport {
  const transport = transportIfAny(target);
  if (transport !== undefined) return transport;
  throw new TypeError(
    `${script.name}: expected an ioredis or iovalkey client, pipeline or transaction, a node-redis client, cluster or multi, or a Valkey GLIDE client or Batch, got ${describe(target)}`,
  );
}

function transportIfAny(target: unknown): Transport | undefined {
  const methods =
    typeof target === "object" && target !== null
      ? (target as { evalsha?: unknown; EVALSHA?: unknown; customCommand?: unknown })
      : {};
  if (typeof methods.evalsha === "function") return IOREDIS;
  if (typeof methods.EVALSHA === "function") return NODE_REDIS;
  if (typeof methods.customCommand === "function") return GLIDE;
  return undefined;
}

/** Where a call on `target` goes (exported for tests and for debugging). */
export function scriptContext(target: ScriptTarget): ScriptContext {
  return (transportIfAny(target) ?? NODE_REDIS).context(target);
}

/** Whether `target` is (or was made from) a Redis Cluster, and its keyPrefix (exported for tests and for debugging). */
export function clusterTarget(target: ScriptTarget): ClusterTarget | undefined {
  return (transportIfAny(target) ?? NODE_REDIS).cluster(target);
}

/** Calls `send` and turns an error it throws into a rejected promise, as a direct call reports every error. */
function sending(send: () => Promise<unknown>): Promise<unknown> {
  try {
    return send();
  } catch (error) {
    return Promise.reject(error);
  }
}

// --- ioredis 5 and 6, iovalkey: the one place that reads their internals ---

/**
 * The methods of the policy's commands. Keys and arguments go as one array: ioredis
 * and iovalkey flatten it (`args.flat()` in `Command`) into the command, where
 * spreading it into the call would overflow the stack past ~100,000 elements.
 */
const IOREDIS_METHODS = {
  EVAL: "eval",
  EVALSHA: "evalsha",
  EVAL_RO: "eval_ro",
  EVALSHA_RO: "evalsha_ro",
  FCALL: "fcall",
  FCALL_RO: "fcall_ro",
} as const satisfies Record<ScriptCommand, string>;

type IORedisCommands<R> = Record<
  (typeof IOREDIS_METHODS)[ScriptCommand],
  (text: Wire, numKeys: number, wire: Wire[]) => R
> & {
  ping(): R;
  discard(): R;
  function(subcommand: "LOAD", code: string): R;
};

/**
 * The source goes as the string: ioredis serialises each command into one string, or, when any
 * argument is a Buffer, copies every part into a new Buffer, and a pipeline then concatenates all
 * commands into one more. A Buffer would be copied twice per call instead of encoded once
 * (measured slower for small scripts and a higher peak for big ones: BENCHMARKS.md).
 */
const IOREDIS: Transport = {
  source: "string",
  context: ioredisContext,
  cluster: ioredisCluster,
  send: (target, command, text, numKeys, wire) =>
    sending(() => (target as IORedisCommands<Promise<unknown>>)[IOREDIS_METHODS[command]](text, numKeys, wire)),
  queue: (target, command, text, numKeys, wire) => {
    (target as IORedisCommands<unknown>)[IOREDIS_METHODS[command]](text, numKeys, wire);
  },
  queueLoad: (multi, code) => void (multi as IORedisCommands<unknown>).function("LOAD", code),
  load: (node, code) => sending(() => (node as IORedisCommands<Promise<unknown>>).function("LOAD", code)),
  primaries: async (client) => {
    const cluster = client as { isCluster?: unknown; nodes?(role: "master"): object[]; ping?(): Promise<unknown> };
    if (cluster.isCluster !== true || typeof cluster.nodes !== "function") return [client];
    // Until its first slot map a Cluster lists its startup nodes as masters, replicas among them;
    // a command through it waits for that map (or fails as the cluster is unreachable).
    await cluster.ping?.();
    return cluster.nodes("master");
  },
  settle: (script, target, reply) =>
    reply === "QUEUED" ? settleQueued(script, target as IORedisCommands<Promise<unknown>>) : reply,
  batches: { transaction: ioredisBatches("multi"), pipeline: ioredisBatches("pipeline") },
};

/**
 * A typed batch on ioredis queues on the client's own `multi()` or `pipeline()`. Each command
 * must add exactly one command to it (its `length`), since the tuple counts one reply per call.
 */
function ioredisBatches(open: "multi" | "pipeline"): BatchTransport {
  return {
    open: (client) => (client as Record<typeof open, () => object>)[open](),
    hasCommand: hasMethod,
    command: (batch, name, args) => {
      const before = (batch as ScriptBatch).length;
      callMethod(batch, name, args);
      queuedOne(batch as ScriptBatch, before, name);
    },
    // runScript queues exactly one command by construction: no count to check (it cost ~0.5 µs a call).
    script: (batch, script, keys, args) => void runScript(script, batch as ScriptBatch, keys, args),
    run: runIORedisBatch,
  };
}

/** Refuses a call that did not add exactly one command to the batch (its length was `before`). */
function queuedOne(batch: ScriptBatch, before: number, method: string): void {
  if (batch.length === before + 1) return;
  throw new TypeError(
    `luagen: "${method}" did not queue exactly one command, so the batch's replies no longer match its calls`,
  );
}

/**
 * ioredis's `exec()` answers `[error, reply]` pairs (`[error]` alone for a failure), `null` when
 * a WATCHed key changed, and rejects with EXECABORT, Redis's refusals in `previousErrors`, when
 * the server refused a queued command.
 */
async function runIORedisBatch(batch: object): Promise<BatchRun> {
  let replies: unknown;
  try {
    replies = await (batch as { exec(): Promise<unknown> }).exec();
  } catch (error) {
    const { message, previousErrors } = (error ?? {}) as { message?: unknown; previousErrors?: unknown };
    if (typeof message !== "string" || !message.startsWith("EXECABORT")) throw error;
    return new TransactionAbortedError("execabort", Array.isArray(previousErrors) ? (previousErrors as Error[]) : []);
  }
  if (replies === null) return new TransactionAbortedError("watch");
  // Already `[null, reply]` or `[error]` (its value undefined): settled as they come, no copy per element.
  return { aborted: false, results: replies as Settled<unknown>[] };
}

/**
 * Tells a client from a pipeline from a transaction.
 *
 * ioredis has no public way to ask, so this reads its internals (the same in
 * ioredis 5 and 6 and in iovalkey 0.4); only this section of the file does:
 * - `isPipeline === true` marks a `Pipeline` (both `pipeline()` and `multi()`);
 * - `_transactions > 0` while a `multi()` is open and its `exec()` not yet queued;
 * - `_queue` holds the queued `Command`s; the last one named `multi` starts the
 *   open transaction, so a second `multi()` in the same pipeline is a new one.
 *
 * If those internals ever change shape, a pipeline falls back to "pipeline"
 * (always EVAL), which is safe everywhere, only larger on the wire.
 */
function ioredisContext(target: object): ScriptContext {
  const internals = target as { isPipeline?: unknown; _transactions?: unknown; _queue?: unknown };
  if (internals.isPipeline !== true) return DIRECT;
  if (typeof internals._transactions !== "number" || internals._transactions <= 0) return PIPELINE;
  const queue = Array.isArray(internals._queue) ? (internals._queue as unknown[]) : [];
  const multiIndex = lastMulti(target, queue);
  return multiIndex < 0 ? PIPELINE : { kind: "transaction", multiIndex };
}

const DIRECT: ScriptContext = { kind: "direct" };
const PIPELINE: ScriptContext = { kind: "pipeline" };
const MULTI: ScriptContext = { kind: "multi" };
/**
 * A batch that holds nothing but its own calls and runs as MULTI/EXEC: a transaction from its first
 * element (node-redis's multi behind a typed transaction, an atomic GLIDE Batch).
 */
const WHOLE_TRANSACTION: ScriptContext = { kind: "transaction", multiIndex: 0 };

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
  let multiIndex = from === 0 || seen === undefined ? -1 : seen.multiIndex;
  for (let i = from; i < queue.length; i++) {
    const name = (queue[i] as { name?: unknown } | null)?.name;
    if (name === "multi" || (typeof name === "string" && name.toLowerCase() === "multi")) multiIndex = i;
  }
  scanned.set(pipeline, { length: queue.length, multiIndex });
  return multiIndex;
}

/**
 * Reads, the same in ioredis 5 and 6 and iovalkey:
 * - `isCluster === true` on a `Cluster` and on a pipeline or transaction made
 *   from one (a `Redis` has `isCluster === false`);
 * - `options.keyPrefix`: public on `Redis` and `Cluster` (a `Cluster` copies
 *   `redisOptions.keyPrefix` there), and a pipeline shares its client's `options`.
 *
 * If those ever change shape, the answer is "not a cluster": no slot guard, and
 * Redis itself refuses keys in different slots (CROSSSLOT), only later and less clearly.
 */
function ioredisCluster(target: object): ClusterTarget | undefined {
  const internals = target as { isCluster?: unknown; options?: { keyPrefix?: unknown } | null };
  if (internals.isCluster !== true) return undefined;
  return { keyPrefix: prefixOrUndefined(internals.options?.keyPrefix) };
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
async function settleQueued(script: ScriptDescriptor, redis: IORedisCommands<Promise<unknown>>): Promise<unknown> {
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

// --- node-redis 5 and 6 ---

/**
 * A direct call on a client goes as the raw command (`sendsRaw`); everything else through
 * node-redis's own EVAL and EVALSHA commands: node-redis applies its `keyPrefix` (v6) to the
 * keys and never to the arguments, and on a cluster routes the command by its first key with
 * the command's read-only flag, as for any command of its own. A multi is told from a client
 * or cluster by `execAsPipeline`.
 */
type NodeRedisCommands<R> = Record<ScriptCommand, (text: Wire, options: NodeRedisScriptOptions) => R>;

/** node-redis's FUNCTION LOAD, on a client, a cluster's node client or a multi. */
type NodeRedisFunctions<R> = { FUNCTION_LOAD(code: string): R };

/**
 * The source goes as bytes, encoded once per script: node-redis hands a Buffer argument to the
 * socket as it is (one corked write per part), where a string is encoded anew on every call.
 */
const NODE_REDIS: Transport = {
  source: "bytes",
  context: nodeRedisContext,
  cluster: nodeRedisCluster,
  send: (target, command, text, numKeys, wire) =>
    sending(() =>
      sendsRaw(target)
        ? target.sendCommand([command, text, String(numKeys), ...wire], target._commandOptions)
        : (target as NodeRedisCommands<Promise<unknown>>)[command](text, nodeRedisOptions(numKeys, wire)),
    ),
  queue: (target, command, text, numKeys, wire) => {
    (target as NodeRedisCommands<unknown>)[command](text, nodeRedisOptions(numKeys, wire));
  },
  queueLoad: (multi, code) => void (multi as NodeRedisFunctions<unknown>).FUNCTION_LOAD(code),
  load: (node, code) => sending(() => (node as NodeRedisFunctions<Promise<unknown>>).FUNCTION_LOAD(code)),
  primaries: async (client) => {
    const cluster = client as { masters?: unknown; nodeClient?(node: unknown): Promise<object> | object };
    if (!Array.isArray(cluster.masters) || typeof cluster.nodeClient !== "function") return [client];
    return Promise.all(cluster.masters.map((master: unknown) => cluster.nodeClient!(master)));
  },
  batches: {
    transaction: {
      open: (client) => {
        const multi = (client as { multi(): object }).multi();
        typedTransactions.add(multi);
        return multi;
      },
      hasCommand: hasMethod,
      command: (multi, name, args) => void callMethod(multi, name, args),
      script: (multi, script, keys, args) => void runScript(script, multi as NodeRedisMulti, keys, args),
      run: (multi) => runNodeRedisTransaction(multi as { exec(): Promise<unknown[]> }),
    },
    pipeline: {
      open: (client): NodeRedisPipeline => ({ client, calls: [] }),
      // Only what the client's multi can queue: a command, not `connect`, `quit`, `subscribe`...
      hasCommand: ({ client }: NodeRedisPipeline, name) => hasMethod(multiOf(client), name) && hasMethod(client, name),
      command: ({ client, calls }: NodeRedisPipeline, name, args) => {
        calls.push(() => callMethod(client, name, args) as Promise<unknown>);
      },
      script: (pipeline, script, keys, args) => {
        const { client, calls } = pipeline as NodeRedisPipeline;
        const { wire, numKeys } = encodeCall(script, NODE_REDIS, client, keys, args);
        const command = forScript(script, queuedCommand(script, pipeline, PIPELINE));
        calls.push(() => NODE_REDIS.send(client, command, textFor(script, command, NODE_REDIS), numKeys, wire));
      },
      run: (pipeline) => runNodeRedisPipeline(pipeline as NodeRedisPipeline),
    },
  },
};

/** A node-redis client's raw command, and the options of the client it was made from (`withTypeMapping`...). */
interface NodeRedisRaw {
  sendCommand(args: Wire[], options: unknown): Promise<unknown>;
  readonly _commandOptions?: unknown;
}

/**
 * Whether a direct call on `target` can go as the raw command (`sendCommand`): on a client, not
 * a cluster or a sentinel (whose `sendCommand` takes the routing first), and not with v6's
 * `keyPrefix`, which only the command methods apply. The command methods parse their options
 * into a new parser and await the reply in an async function of their own: at 64 calls in
 * flight that cost a generated call ~8% of its throughput (BENCHMARKS.md). EVAL, EVALSHA and
 * FCALL have no reply transform, and the client's options (its type mapping) are passed on, so
 * the reply is the same.
 */
function sendsRaw(target: object): target is NodeRedisRaw {
  const client = target as Partial<NodeRedisRaw> & {
    masters?: unknown;
    getSentinelNode?: unknown;
    _keyPrefix?: unknown;
  };
  return (
    typeof client.sendCommand === "function" &&
    client.masters === undefined &&
    client.getSentinelNode === undefined &&
    client._keyPrefix === undefined
  );
}

/**
 * A multi is told from a client or cluster by `execAsPipeline`. While it is queued, nothing says
 * whether it will end as MULTI/EXEC or as a pipeline, so a call on it always carries the source;
 * except in the multi behind a typed transaction, which only ever ends in `exec()`.
 */
function nodeRedisContext(target: object): ScriptContext {
  if (typeof (target as { execAsPipeline?: unknown }).execAsPipeline !== "function") return DIRECT;
  return typedTransactions.has(target) ? WHOLE_TRANSACTION : MULTI;
}

/** The node-redis multis behind typed transactions (`openBatch`), which end in `exec()` alone. */
const typedTransactions = new WeakSet<object>();

/** One multi per client, made once and never run: what tells the client's commands from its other methods. */
const probeMultis = new WeakMap<object, object>();

function multiOf(client: object): object {
  let multi = probeMultis.get(client);
  if (multi === undefined) probeMultis.set(client, (multi = (client as { multi(): object }).multi()));
  return multi;
}

/** Whether `target` has a method `name` that could be a command (not `toString`, `hasOwnProperty`...). */
function hasMethod(target: object, name: string): boolean {
  return !(name in Object.prototype) && typeof (target as Record<string, unknown>)[name] === "function";
}

/** Calls `target[name](...args)`, a method `hasMethod` found. */
function callMethod(target: object, name: string, args: unknown[]): unknown {
  return (target as Record<string, (...args: unknown[]) => unknown>)[name]!(...args);
}

/**
 * A typed pipeline on node-redis: the calls, validated and encoded as they are made, sent at
 * `exec()` as the client's own commands in one tick, which node-redis writes together. Not
 * `multi().execAsPipeline()`, which rejects with the first error and drops every other reply.
 */
interface NodeRedisPipeline {
  readonly client: object;
  readonly calls: (() => Promise<unknown>)[];
}

async function runNodeRedisPipeline({ calls }: NodeRedisPipeline): Promise<BatchRun> {
  const settled = await Promise.allSettled(calls.map((call) => sending(call)));
  const results = settled.map((outcome): Settled<unknown> =>
    outcome.status === "fulfilled" ? [null, outcome.value] : [outcome.reason as Error, undefined],
  );
  return { aborted: false, results };
}

/**
 * node-redis's `exec()` resolves to the replies; rejects with a `MultiErrorReply` (`replies`, the
 * failed ones at `errorIndexes`) when some failed, with a `WatchError` when a WATCHed key changed,
 * and with Redis's own refusal when a command was refused while queuing (the EXEC that follows
 * answers EXECABORT, which node-redis does not show).
 */
async function runNodeRedisTransaction(multi: { exec(): Promise<unknown[]> }): Promise<BatchRun> {
  try {
    const replies = await multi.exec();
    return { aborted: false, results: replies.map((value): Settled<unknown> => [null, value]) };
  } catch (error) {
    const { replies, errorIndexes } = (error ?? {}) as { replies?: unknown; errorIndexes?: unknown };
    if (Array.isArray(replies) && Array.isArray(errorIndexes)) {
      const failed = new Set(errorIndexes as number[]);
      const results = replies.map((reply, i): Settled<unknown> =>
        failed.has(i) ? [reply as Error, undefined] : [null, reply],
      );
      return { aborted: false, results };
    }
    if (isNamed(error, "WatchError")) return new TransactionAbortedError("watch");
    if (isNamed(error, "ErrorReply")) return new TransactionAbortedError("execabort", [error as Error]);
    throw error;
  }
}

/** Whether `error` is an instance of a class named `name` (node-redis's classes, which luagen does not import). */
function isNamed(error: unknown, name: string): boolean {
  for (let proto = Object.getPrototypeOf(error ?? {}); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: unknown } }).constructor?.name === name) return true;
  }
  return false;
}

function nodeRedisOptions(numKeys: number, wire: Wire[]): NodeRedisScriptOptions {
  return { keys: wire.slice(0, numKeys), arguments: wire.slice(numKeys) };
}

/**
 * A cluster (`createCluster`) has a `masters` list, and in v6 a `_keyPrefix` (documented:
 * "the configured key prefix"). A cluster's multi shows neither, so calls on it get no
 * slot guard: Redis refuses keys in different slots itself (CROSSSLOT), which aborts the
 * whole MULTI at `exec()` and fails that call alone under `execAsPipeline()`.
 */
function nodeRedisCluster(target: object): ClusterTarget | undefined {
  const cluster = target as { masters?: unknown; _keyPrefix?: unknown };
  if (!Array.isArray(cluster.masters)) return undefined;
  return { keyPrefix: prefixOrUndefined(cluster._keyPrefix) };
}

function prefixOrUndefined(keyPrefix: unknown): string | Buffer | undefined {
  return (typeof keyPrefix === "string" && keyPrefix !== "") || Buffer.isBuffer(keyPrefix) ? keyPrefix : undefined;
}

// --- Valkey GLIDE ---

/**
 * Everything goes through `customCommand`, GLIDE's one way to send a command it does not wrap
 * (its `invokeScript` sends SCRIPT LOAD on NOSCRIPT, and its batches have no script method). A
 * Batch or ClusterBatch says what it will run as: `isAtomic`, MULTI/EXEC; otherwise a pipeline.
 * On a cluster GLIDE routes EVAL/EVALSHA and FCALL by their first key, and an atomic batch by
 * its first key (FUNCTION LOAD has none: the batch goes where its FCALL's key lives). FUNCTION
 * LOAD for `loadLibrary` goes to each primary by its address.
 */
const GLIDE: Transport = {
  source: "string",
  context: (target) => {
    const atomic = (target as { isAtomic?: unknown }).isAtomic;
    if (typeof atomic !== "boolean") return DIRECT;
    return atomic ? WHOLE_TRANSACTION : PIPELINE;
  },
  cluster: (target) => (isGlideCluster(target) ? GLIDE_CLUSTER : undefined),
  send: (target, command, text, numKeys, wire) =>
    sending(() => (target as GlideScriptClient).customCommand([command, text, String(numKeys), ...wire])),
  queue: (target, command, text, numKeys, wire) => {
    (target as GlideScriptBatch).customCommand([command, text, String(numKeys), ...wire]);
  },
  queueLoad: (batch, code) => void (batch as GlideScriptBatch).customCommand(["FUNCTION", "LOAD", code]),
  load: (node, code) => {
    const { client, route } = node as GlideNode;
    return sending(() => client.customCommand(["FUNCTION", "LOAD", code], route && { route }));
  },
  primaries: async (client): Promise<GlideNode[]> => {
    const glide = client as GlideScriptClient;
    if (!isGlideCluster(client)) return [{ client: glide }];
    // CLUSTER MYID to every primary answers by address ("host:port"): the primaries, as GLIDE sees them.
    const ids = await glide.customCommand(["CLUSTER", "MYID"], { route: "allPrimaries" });
    return addressesOf(ids).map((address) => {
      const colon = address.lastIndexOf(":");
      const route = {
        type: "routeByAddress" as const,
        host: address.slice(0, colon),
        port: Number(address.slice(colon + 1)),
      };
      return { client: glide, route };
    });
  },
  batches: {
    transaction: glideBatches(true),
    pipeline: glideBatches(false),
  },
};

/**
 * A GlideClusterClient has `fcallWithRoute`; a ClusterBatch, unlike a Batch, has no `select` (a
 * cluster has one database). GLIDE has no key prefix.
 */
function isGlideCluster(target: object): boolean {
  const methods = target as { fcallWithRoute?: unknown; select?: unknown; isAtomic?: unknown };
  if (typeof methods.isAtomic === "boolean") return typeof methods.select !== "function";
  return typeof methods.fcallWithRoute === "function";
}

const GLIDE_CLUSTER: ClusterTarget = { keyPrefix: undefined };

/**
 * The addresses of a reply from several nodes: GLIDE 2 gives `{ key: address, value }` entries
 * (its `GlideRecord`), older releases an object by address. Sorted, so nodes are met in one order.
 */
function addressesOf(reply: unknown): string[] {
  const addresses = Array.isArray(reply)
    ? reply.map((entry) => String((entry as { key?: unknown }).key))
    : Object.keys(typeof reply === "object" && reply !== null ? reply : {});
  return addresses.sort();
}

/** One primary for `loadLibrary` on GLIDE: the client, and on a cluster the route to that primary. */
interface GlideNode {
  readonly client: GlideScriptClient;
  readonly route?: { readonly type: "routeByAddress"; readonly host: string; readonly port: number };
}

function glideNotYet(what: string): never {
  throw new TypeError(`${what} is not supported with Valkey GLIDE yet`);
}

/** A typed batch on GLIDE: the client, and the Batch (or ClusterBatch) index.ts made for it. */
interface GlideTyped {
  readonly client: GlideScriptClient;
  readonly batch: GlideScriptBatch;
}

/**
 * Typed batches on GLIDE: atomic for `multi`, not for `pipeline`. A command is one the Batch and
 * the client both have; `exec(batch, false)` gives each failed call's error in its place, and
 * `null` when a WATCHed key changed.
 */
function glideBatches(atomic: boolean): BatchTransport {
  return {
    open: (client, newBatch): GlideTyped => {
      if (newBatch === undefined) return glideNotYet("a typed batch without index.ts's newBatch");
      return { client: client as GlideScriptClient, batch: newBatch(client, atomic) as GlideScriptBatch };
    },
    queueing: (typed) => (typed as GlideTyped).batch,
    hasCommand: (typed, name) =>
      hasMethod((typed as GlideTyped).batch, name) && hasMethod((typed as GlideTyped).client, name),
    command: (typed, name, args) => void callMethod((typed as GlideTyped).batch, name, args),
    script: (typed, script, keys, args) => void runScript(script, (typed as GlideTyped).batch, keys, args),
    run: async (typed) => {
      const { client, batch } = typed as GlideTyped;
      const replies = (await client.exec(batch as never, false)) as unknown[] | null;
      if (replies === null) return new TransactionAbortedError("watch");
      return {
        aborted: false,
        results: replies.map((reply): Settled<unknown> =>
          reply instanceof Error ? [reply, undefined] : [null, reply],
        ),
      };
    },
  };
}

// ---------------------------------------------------------------------------
// Typed batches: several calls as one transaction or pipeline, replies as a typed tuple
// ---------------------------------------------------------------------------

/** One element of a batch that ran: `[null, reply]`, or `[error, undefined]` where Redis answered it with an error. */
export type Settled<T> = readonly [error: null, value: T] | readonly [error: Error, value: undefined];

/** Every element of a batch, settled, in the order they were queued. */
export type SettledReplies<Replies extends readonly unknown[]> = {
  -readonly [I in keyof Replies]: Settled<Replies[I]>;
};

/** What `execSettled()` gives: every element settled, or a transaction of which nothing ran. */
export type BatchOutcome<Replies extends readonly unknown[]> =
  | { readonly aborted: false; readonly results: SettledReplies<Replies> }
  | { readonly aborted: true; readonly error: TransactionAbortedError };

/** A transaction (MULTI ... EXEC, all or nothing) or a plain pipeline. */
export type BatchKind = "transaction" | "pipeline";

/** How a typed batch ends: what every typed batch has besides its commands and scripts. */
export interface BatchControl<Replies extends readonly unknown[]> {
  /** How many calls are queued: the length of the tuple `exec()` gives. */
  readonly length: number;
  /**
   * Sends the batch. Resolves to every reply, in order, typed by each call; rejects with a
   * `BatchError` when any element failed (it carries every element's outcome), and with a
   * `TransactionAbortedError` when a transaction did not run at all (WATCH, EXECABORT).
   */
  exec(): Promise<Replies>;
  /** Sends the batch. Resolves to every element's `[error, value]`, or to the abort of a transaction. */
  execSettled(): Promise<BatchOutcome<Replies>>;
}

/**
 * One or more elements of a batch failed. The others ran (and in a transaction, applied): `results`
 * has every element's outcome, in order; a script's error names its script, `.lua` line and index.
 */
export class BatchError extends Error {
  readonly results: readonly Settled<unknown>[];
  /** The indexes of the elements that failed, ascending. */
  readonly failed: readonly number[];

  constructor(kind: BatchKind, results: readonly Settled<unknown>[]) {
    const failed = results.flatMap(([error], index) => (error === null ? [] : [index]));
    const first = results[failed[0] ?? 0]?.[0];
    super(
      `${failed.length} of ${results.length} elements of the ${kind} failed; the first, at index ${failed[0]}: ${first?.message}`,
    );
    this.name = "BatchError";
    this.results = results;
    this.failed = failed;
  }
}

/**
 * A transaction of which nothing ran: a WATCHed key changed before EXEC (`reason: "watch"`), or
 * Redis refused a queued command, so EXEC answered EXECABORT (`reason: "execabort"`, with Redis's
 * refusals in `errors`).
 */
export class TransactionAbortedError extends Error {
  readonly reason: "watch" | "execabort";
  readonly errors: readonly Error[];

  constructor(reason: "watch" | "execabort", errors: readonly Error[] = []) {
    super(
      reason === "watch"
        ? "The transaction was aborted: a WATCHed key changed before EXEC, so none of its commands ran"
        : `The transaction was aborted with EXECABORT: Redis refused a queued command (${errors.map((e) => e.message).join("; ") || "no reason given"}), so none of its commands ran`,
    );
    this.name = "TransactionAbortedError";
    this.reason = reason;
    this.errors = errors;
  }
}

/**
 * The scripts a typed batch offers as methods, by method name. A method takes the generated
 * function's parameters without its target: the keys (one per `KeySpec`, an array for a rest
 * key), then the arguments.
 */
export type BatchScripts = Readonly<Record<string, ScriptDescriptor>>;

/** What a batch ran: every element settled, or the abort of a transaction. */
type BatchRun = { readonly aborted: false; readonly results: readonly Settled<unknown>[] } | TransactionAbortedError;

/**
 * Methods of the client's batch that a typed batch does not pass on: they end, abandon or
 * restructure the batch, so the tuple `exec()` gives would no longer match the calls.
 */
const NOT_IN_TYPED_BATCH = new Set([
  "then",
  "exec",
  "execBuffer",
  "execAsPipeline",
  "execTyped",
  "execAsPipelineTyped",
  "discard",
  "multi",
  "pipeline",
  "addBatch",
]);

/**
 * A typed batch over `client`: every command method of the client's own batch (each call queues one
 * command), every script of `scripts` as a method, and `BatchControl`. The generated index types it;
 * at run time it is an object over a shared prototype (`batchPrototype`) that notes which element is
 * which script.
 */
export function openBatch<Chain>(
  client: ScriptTarget,
  kind: BatchKind,
  scripts: BatchScripts,
  newBatch?: NewBatch,
): Chain {
  const transport = transportIfAny(client);
  if (transport === undefined || transport.context(client).kind !== "direct") {
    throw new TypeError(
      `luagen: a typed ${kind} is opened on a client (ioredis or iovalkey Redis or Cluster, node-redis client or cluster, Valkey GLIDE client), got ${describe(client)}`,
    );
  }
  const batches = transport.batches[kind];
  const state: BatchState = { batch: batches.open(client, newBatch), kind, batches, elements: [], sent: false };
  const chain = Object.create(batchPrototype(scripts, batches)) as Chained;
  chain[STATE] = state;
  return chain as Chain;
}

/** Where a typed batch keeps its own state; a symbol, so no script or command name can meet it. */
const STATE = Symbol("luagen typed batch");

interface BatchState {
  readonly batch: object;
  readonly kind: BatchKind;
  readonly batches: BatchTransport;
  /** Per element, in order: the script it calls, or undefined for a command of the client. */
  readonly elements: (ScriptDescriptor | undefined)[];
  /** Set by the first `exec()`/`execSettled()`: a batch is sent once, and takes no calls after. */
  sent: boolean;
}

type Chained = { [STATE]: BatchState };

/** One prototype per scripts table and batch transport: the methods are made once, not per batch or call. */
const prototypes = new WeakMap<BatchScripts, Map<BatchTransport, object>>();

/**
 * The methods of a typed batch: `exec`, `execSettled`, `length`, one per script, and behind them a
 * proxy that finds the client's commands by name on first use and defines each on the prototype,
 * so that later calls are plain method calls.
 */
function batchPrototype(scripts: BatchScripts, batches: BatchTransport): object {
  let byTransport = prototypes.get(scripts);
  if (byTransport === undefined) prototypes.set(scripts, (byTransport = new Map()));
  const cached = byTransport.get(batches);
  if (cached !== undefined) return cached;
  const commands = new Proxy(Object.create(null) as object, {
    get(_target, property, receiver: Partial<Chained>) {
      const state = receiver[STATE];
      if (typeof property !== "string" || NOT_IN_TYPED_BATCH.has(property) || state === undefined) return undefined;
      if (!batches.hasCommand(state.batch, property)) return undefined;
      const method = commandMethod(property);
      Object.defineProperty(prototype, property, { value: method, configurable: true, writable: true });
      return method;
    },
  });
  const prototype = Object.create(commands) as object;
  for (const name of Object.keys(scripts)) {
    Object.defineProperty(prototype, name, { value: scriptMethod(scripts[name]!), configurable: true, writable: true });
  }
  Object.defineProperties(prototype, {
    length: {
      get(this: Chained) {
        return this[STATE].elements.length;
      },
    },
    execSettled: {
      value(this: Chained) {
        return runBatch(this[STATE]);
      },
    },
    exec: {
      value(this: Chained) {
        const { kind } = this[STATE];
        return runBatch(this[STATE]).then((outcome) => replies(kind, outcome));
      },
    },
  });
  byTransport.set(batches, prototype);
  return prototype;
}

function scriptMethod(script: ScriptDescriptor) {
  const keyCount = script.keys.length;
  const argCount = script.args.length;
  return function (this: Chained, ...params: unknown[]): Chained {
    const { batch, batches, elements } = unsent(this[STATE], script.name);
    const keys: unknown[] = [];
    for (let i = 0; i < keyCount; i++) keys.push(params[i]);
    // Omitted trailing optionals are `undefined`, as the generated function passes them.
    const args: unknown[] = [];
    for (let i = 0; i < argCount; i++) args.push(params[keyCount + i]);
    batches.script(batch, script, keys, args);
    elements.push(script);
    return this;
  };
}

function commandMethod(name: string) {
  return function (this: Chained, ...args: unknown[]): Chained {
    const { batch, batches, elements } = unsent(this[STATE], name);
    batches.command(batch, name, args);
    elements.push(undefined);
    return this;
  };
}

/**
 * A batch already sent takes no more calls and is not sent again: a node-redis pipeline would
 * resend every call, and a second EXEC of writes would apply them twice.
 */
function unsent(state: BatchState, method: string): BatchState {
  if (!state.sent) return state;
  throw new TypeError(
    `luagen: this typed ${state.kind} was already sent, so "${method}" cannot run in it; open a new one`,
  );
}

/** Sends the batch, and names each failed script's call: its script, its `.lua` line, its index. */
async function runBatch(state: BatchState): Promise<BatchOutcome<unknown[]>> {
  const { batches, batch, kind, elements } = unsent(state, "exec");
  state.sent = true;
  const run = await batches.run(batch);
  if (run instanceof TransactionAbortedError) return { aborted: true, error: run };
  if (run.results.length !== elements.length) {
    throw new Error(`luagen: the ${kind} answered ${run.results.length} replies to ${elements.length} calls`);
  }
  // Only a failed script's element changes (its error gains its place); every other is kept as it is.
  let results = run.results;
  for (let index = 0; index < results.length; index++) {
    const error = results[index]![0];
    const script = elements[index];
    if (error === null || script === undefined) continue;
    if (results === run.results) results = [...run.results];
    (results as Settled<unknown>[])[index] = [withBatchLocation(script, error, index) as Error, undefined];
  }
  return { aborted: false, results: results as SettledReplies<unknown[]> };
}

/** `exec()`'s answer: every reply, or the error that says what failed. */
function replies(kind: BatchKind, outcome: BatchOutcome<unknown[]>): unknown[] {
  if (outcome.aborted) throw outcome.error;
  const values: unknown[] = [];
  for (const [error, value] of outcome.results) {
    if (error !== null) throw new BatchError(kind, outcome.results);
    values.push(value);
  }
  return values;
}

// ---------------------------------------------------------------------------
// Cluster hash slots
// ---------------------------------------------------------------------------

/** CRC16/XMODEM (polynomial 0x1021), the hash of Redis Cluster; one table, built once. */
const CRC16 = ((): Uint16Array => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/**
 * The hash slot of `key` behind `keyPrefix`, as Redis Cluster computes it: CRC16 of the
 * key's bytes modulo 16384, or of only the part between the first `{` and the next `}`
 * when that part is not empty (a hash tag). The prefix is joined as the clients join it,
 * byte for byte.
 */
export function keySlot(key: Wire, keyPrefix?: string | Buffer): number {
  const bytes = keyPrefix === undefined ? Buffer.from(key) : Buffer.concat([Buffer.from(keyPrefix), Buffer.from(key)]);
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (CRC16[((crc >> 8) ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return crc & 0x3fff;
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
  const line = scriptLine(error) ?? functionLine(script, error);
  return line === undefined ? error : withSuffix(error, ` (${sourceLocation(script, line)})`);
}

/**
 * The same for the script at `index` of a batch, where the error alone would not say which call
 * failed: ` (incrCapped at src/lua/incr-capped.lua:7, batch index 2)`, and without a line
 * (`redis.error_reply`) ` (incrCapped in src/lua/incr-capped.lua, batch index 2)`.
 */
function withBatchLocation(script: ScriptDescriptor, error: unknown, index: number): unknown {
  const line = scriptLine(error);
  const where = line === undefined ? `in ${script.file}` : `at ${sourceLocation(script, line)}`;
  return withSuffix(error, ` (${script.name} ${where}, batch index ${index})`);
}

/** The line of the script that Redis names in an error's message, if it names one. */
function scriptLine(error: unknown): number | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  const match = typeof message === "string" ? /user_script:(\d+)/.exec(message) : null;
  return match === null ? undefined : Number(match[1]);
}

/**
 * The line of a script's function that Redis names (`@user_function:LINE`, a line of the library)
 * as a line of the script.
 */
function functionLine(script: ScriptDescriptor, error: unknown): number | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  const match = typeof message === "string" ? /user_function:(\d+)/.exec(message) : null;
  const start = script.library?.functions[script.name]?.line;
  if (match === null || start === undefined) return undefined;
  const line = Number(match[1]) - start + 1;
  return line >= 1 ? line : undefined;
}

/** Appends `suffix` to an error's message (and its stack's copy), once; anything else is left as it is. */
function withSuffix(error: unknown, suffix: string): unknown {
  if (typeof error !== "object" || error === null) return error;
  const target = error as { message?: unknown; stack?: unknown };
  const message = target.message;
  if (typeof message !== "string" || message.endsWith(suffix)) return error;
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
 * A script that declares `#!lua flags=no-cluster` is refused by a Redis Cluster
 * ("Can not run script on cluster, 'no-cluster' flag is set"): say so before sending.
 */
function refuseNoCluster(script: ScriptDescriptor, cluster: ClusterTarget | undefined): void {
  if (cluster === undefined || !script.flags?.includes("no-cluster")) return;
  throw new TypeError(
    `${script.name}: the script declares #!lua flags=no-cluster, and Redis Cluster refuses to run it; call it on a standalone server`,
  );
}

/**
 * On a Cluster every key of one call must hash to one slot (Redis refuses the
 * call with CROSSSLOT otherwise, and inside a transaction only at EXEC). Checked
 * before anything is sent, with the slots Redis computes, behind the client's
 * keyPrefix. Zero or one key: nothing to check.
 */
function checkSlots(
  script: ScriptDescriptor,
  cluster: ClusterTarget | undefined,
  keys: readonly unknown[],
  keysAndArgs: readonly Wire[],
  numKeys: number,
): void {
  if (numKeys < 2 || cluster === undefined) return;
  const wire = keysAndArgs.slice(0, numKeys);
  const slots = wire.map((key) => keySlot(key, cluster.keyPrefix));
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

function invalid(
  script: ScriptDescriptor,
  what: "key" | "argument",
  label: string,
  expected: string,
  value: unknown,
): TypeError {
  return new TypeError(`${script.name}: ${what} "${label}" must be ${expected}, got ${describe(value)}`);
}

/** A short, unambiguous rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string")
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Buffer.isBuffer(value)) return "a Buffer";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

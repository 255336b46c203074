// Helpers for tests that run scripts on a real redis-server: descriptors built
// the way generated code builds them, and two ways to watch the wire
// (MONITOR on a second connection, INFO commandstats deltas).
import { createHash } from "node:crypto";
import { createConnection, type Socket } from "node:net";
import { Redis } from "ioredis";
import {
  defineScript,
  runScript,
  type ArgKind,
  type ArgSpec,
  type KeySpec,
  type ScriptBatch,
  type ScriptClient,
  type ScriptDescriptor,
} from "../../templates/typescript/runtime.js";

/** Where a server listens: a `RedisServer`, or one node of a `RedisCluster`. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Shorthand for an argument: a name plus whatever differs from a required, single `string`. */
export type ArgShorthand = { readonly name: string; readonly kinds?: readonly ArgKind[] } & Partial<
  Omit<ArgSpec, "name" | "kinds">
>;

/**
 * A frozen descriptor, as a generated module would define it.
 * Keys are names; a leading `...` makes a rest key (`"...rest"`).
 */
export function descriptor(
  name: string,
  source: string,
  keys: readonly string[] = [],
  args: readonly ArgShorthand[] = [],
): ScriptDescriptor {
  const keySpecs: KeySpec[] = keys.map((key) =>
    key.startsWith("...") ? { name: key.slice(3), rest: true } : { name: key, rest: false },
  );
  const argSpecs: ArgSpec[] = args.map((arg) => ({
    name: arg.name,
    kinds: arg.kinds ?? ["string"],
    literals: arg.literals ?? [],
    optional: arg.optional ?? false,
    rest: arg.rest ?? false,
  }));
  return defineScript({
    name,
    file: `test/lua/${name}.lua`,
    source,
    sha1: createHash("sha1").update(source).digest("hex"),
    numberOfKeys: keySpecs.some((key) => key.rest) ? null : keySpecs.length,
    keys: keySpecs,
    args: argSpecs,
  });
}

/**
 * A client on a test server; one retry per request, so a dead server fails a test fast.
 * `Client` picks the ioredis major (see support/ioredis.ts); ioredis 5 by default.
 */
export function connect(server: Address, Client: typeof Redis = Redis): Redis {
  return new Client({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
}

/** Per command from INFO commandstats: `calls` and `failed_calls` (errors while running, e.g. NOSCRIPT). */
export async function commandStats(redis: Redis): Promise<Record<string, { calls: number; failed: number }>> {
  const info = await redis.info("commandstats");
  const stats: Record<string, { calls: number; failed: number }> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),.*failed_calls=(\d+)/gm)) {
    stats[match[1]] = { calls: Number(match[2]), failed: Number(match[3]) };
  }
  return stats;
}

/** `calls` per command, e.g. `{ evalsha: 2, "script|flush": 1 }`. */
export async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const stats = await commandStats(redis);
  return Object.fromEntries(Object.entries(stats).map(([name, { calls }]) => [name, calls]));
}

/** One command as MONITOR saw it: the name upper-cased, then its arguments. */
export type SeenCommand = readonly string[];

/**
 * Watches the wire with MONITOR on its own connection. `capture` brackets some
 * work with two ECHO markers sent on `client` and returns what the server ran
 * in between (commands run by scripts, source "lua", are left out). `client`
 * must be connected to the watched server: for a cluster node, a plain
 * connection to that node, since the work is over once its reply is in.
 */
export async function watchWire(server: Address) {
  const seen: { args: string[]; source: string }[] = [];
  const monitor = await openMonitor(server, (entry) => seen.push(entry));
  let markers = 0;

  async function capture(client: Redis, work: () => Promise<unknown>): Promise<SeenCommand[]> {
    const id = `luagen-marker-${process.pid}-${++markers}`;
    await client.echo(`${id}-start`);
    await work();
    await client.echo(`${id}-end`);
    const endSeen = () => seen.some((entry) => entry.args[1] === `${id}-end`);
    const deadline = Date.now() + 5_000;
    while (!endSeen()) {
      if (Date.now() > deadline) throw new Error("MONITOR never showed the end marker");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const start = seen.findIndex((entry) => entry.args[1] === `${id}-start`);
    const end = seen.findIndex((entry) => entry.args[1] === `${id}-end`);
    return seen
      .slice(start + 1, end)
      .filter((entry) => entry.source !== "lua")
      .map((entry) => [entry.args[0].toUpperCase(), ...entry.args.slice(1)]);
  }

  async function close(): Promise<void> {
    monitor.destroy();
  }

  return { capture, close };
}

/**
 * MONITOR on a raw socket. ioredis's own `monitor()` switches to monitoring mode only after the
 * MONITOR reply's callback has run, so a feed line that arrives in the same read as that "+OK"
 * meets an empty command queue: "Command queue state error" (seen under load). Each feed line is
 * `+<time> [<db> <source>] "<command>" "<arg>"...`, with C-style escapes inside the quotes; the
 * source is the client's address, or `lua` for a command a script ran.
 */
async function openMonitor(
  server: Address,
  onEntry: (entry: { args: string[]; source: string }) => void,
): Promise<Socket> {
  const socket = createConnection({ host: server.host, port: server.port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let buffered = "";
  let acknowledged = false;
  const ready = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n")) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!acknowledged) {
          if (line !== "+OK") return reject(new Error(`MONITOR answered ${line}`));
          acknowledged = true;
          resolve();
        } else {
          const entry = parseMonitorLine(line);
          if (entry !== undefined) onEntry(entry);
        }
      }
    });
  });
  socket.on("error", () => undefined); // closed with the test; a lost feed shows as a missing marker
  socket.write("MONITOR\r\n");
  await ready;
  return socket;
}

function parseMonitorLine(line: string): { args: string[]; source: string } | undefined {
  const header = /^\+\S+ \[\d+ ([^\]]+)\] /.exec(line);
  if (header === null) return undefined;
  const args = [...line.slice(header[0].length).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unescapeMonitorArg(m[1]!));
  return { args, source: header[1]! };
}

/** Undoes Redis's sdscatrepr: \\ \" \n \r \t \a \b and \xHH; bytes as latin1, then read as UTF-8. */
function unescapeMonitorArg(text: string): string {
  const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", '"': '"', "\\": "\\" };
  const bytes = text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, code: string) =>
    code.length === 3 ? String.fromCharCode(parseInt(code.slice(1), 16)) : (escapes[code] ?? code),
  );
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** Just the command names, e.g. `["EVALSHA", "EVAL"]`. */
export function names(commands: readonly SeenCommand[]): string[] {
  return commands.map((command) => command[0]);
}

/** runScript on a client, typed as the generated overload for a client is. */
export function call(
  script: ScriptDescriptor,
  client: ScriptClient,
  keys: unknown[],
  args: unknown[],
): Promise<unknown> {
  return runScript(script, client, keys, args) as Promise<unknown>;
}

/** runScript on a pipeline or transaction, typed as the generated overload for a batch is. */
export function queue<Batch extends ScriptBatch>(
  script: ScriptDescriptor,
  batch: Batch,
  keys: unknown[],
  args: unknown[],
): Batch {
  return runScript(script, batch, keys, args) as Batch;
}

/**
 * `pipeline.multi()`: works at run time, but ioredis 5's ChainableCommander
 * type does not declare it.
 */
export function startMulti<Batch extends ScriptBatch>(pipeline: Batch): Batch {
  return (pipeline as unknown as { multi(): Batch }).multi();
}

/** Adds `by` to two counters and returns both: the cluster tests' two-key script. */
export const incrPair = descriptor(
  "incrPair",
  'return {redis.call("INCRBY", KEYS[1], ARGV[1]), redis.call("INCRBY", KEYS[2], ARGV[1])}',
  ["first", "second"],
  [{ name: "by", kinds: ["integer"] }],
);

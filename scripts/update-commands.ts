/**
 * Writes src/lua/commands.json, luagen's Redis command table, from three sources whose licences
 * allow it (luagen is MIT; Redis's own sources are RSALv2/SSPLv1 from 7.4 on, so nothing here
 * reads them):
 *
 * 1. `COMMAND INFO` of a redis-server 7.0 (BSD-3): names, subcommands, arity, flags, key specs.
 *    The script starts its own server on a free loopback port and stops it after.
 * 2. Valkey's `src/commands/*.json` (BSD-3): commands Redis 7.0 lacks, and every reply shape
 *    (`reply_schema`, turned into luagen's ReturnType as a script sees it over RESP2). Only the
 *    derived data is written, never Valkey's files.
 * 3. `@ioredis/commands` (MIT, from node_modules): names, arity, flags and key positions of
 *    commands neither of the others has (HEXPIRE, HGETEX, ...).
 *
 * A command takes its arity, flags and keys from the first source that has it, in that order, and
 * its reply (and the `may_replicate` flag, which 7.0's COMMAND INFO leaves out) from Valkey; every
 * entry records both sources.
 *
 *     npm run update-commands -- --valkey <valkey checkout or bare git dir> [--redis-server <binary>]
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BeginSearch, CommandInfo, CommandSource, FindKeys, KeySpec } from "../src/lua/commands.js";
import type { ReturnType } from "../src/model.js";

const OUT = fileURLToPath(new URL("../src/lua/commands.json", import.meta.url));

/** A flat entry: `CLIENT|KILL` is its own entry; commands.ts nests subcommands when it loads. */
type Entry = Omit<CommandInfo, "subcommands">;

main().catch((error: unknown) => {
  console.error(`update-commands: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const redis = await redisCommands(options.redisServer);
  const valkey = valkeyCommands(options.valkey);
  const ioredis = ioredisCommands();
  const entries = merge([redis, valkey, ioredis], valkey);
  const sources = [redis.source, valkey.source, ioredis.source];
  writeFileSync(OUT, render(sources, entries));
  console.log(
    `update-commands: ${entries.length} entries (${entries.filter((e) => !e.name.includes("|")).length} commands) → ${path.relative(process.cwd(), OUT)}`,
  );
  for (const source of sources)
    console.log(`  ${source.id}: ${entries.filter((e) => e.source === source.id).length} entries`);
}

function parseArgs(argv: string[]): { valkey: string; redisServer: string } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const valkey = value("--valkey");
  if (!valkey) throw new Error("--valkey <path> is required: a Valkey checkout, or a bare git dir of valkey-io/valkey");
  return { valkey, redisServer: value("--redis-server") ?? "redis-server" };
}

interface Source {
  source: CommandSource;
  entries: Map<string, Entry>;
}

// ---------------------------------------------------------------------------------------------
// redis-server 7.0: COMMAND INFO

async function redisCommands(binary: string): Promise<Source> {
  const version = /v=([\d.]+)/.exec(execFileSync(binary, ["--version"], { encoding: "utf8" }))?.[1] ?? "unknown";
  if (!version.startsWith("7.0."))
    throw new Error(`${binary} is ${version}: use a redis-server 7.0 (BSD-3; 7.4 and later are not)`);
  const port = await freePort();
  const server = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  try {
    await waitForPing(port);
    const info = JSON.parse(
      execFileSync("redis-cli", ["-p", String(port), "--json", "COMMAND", "INFO"], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      }),
    );
    const id = `redis-${version}`;
    const entries = new Map<string, Entry>();
    for (const row of info as RedisInfoRow[]) addRedisRow(entries, row, id);
    return { source: { id, description: `redis-server ${version}, COMMAND INFO`, licence: "BSD-3-Clause" }, entries };
  } finally {
    server.kill();
  }
}

/** [name, arity, flags, first, last, step, acl, tips, key specs, subcommands], as redis-cli --json prints it. */
type RedisInfoRow = [
  string,
  number,
  string[],
  number,
  number,
  number,
  string[],
  string[],
  RedisKeySpec[],
  RedisInfoRow[],
];
interface RedisKeySpec {
  flags: string[];
  begin_search: { type: string; spec: { index?: number; keyword?: string; startfrom?: number } };
  find_keys: {
    type: string;
    spec: { lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number };
  };
}

function addRedisRow(entries: Map<string, Entry>, row: RedisInfoRow, source: string): void {
  const [name, arity, flags, , , , , , specs, subcommands] = row;
  entries.set(name.toUpperCase(), {
    name: name.toUpperCase(),
    arity,
    flags: [...flags].sort(),
    keys: specs.map(redisKeySpec),
    source,
  });
  for (const sub of subcommands ?? []) addRedisRow(entries, sub, source);
}

function redisKeySpec(spec: RedisKeySpec): KeySpec {
  const b = spec.begin_search;
  const f = spec.find_keys;
  const begin: BeginSearch =
    b.type === "index"
      ? { index: b.spec.index! }
      : b.type === "keyword"
        ? { keyword: b.spec.keyword!, startfrom: b.spec.startfrom! }
        : { unknown: true };
  const find: FindKeys =
    f.type === "range"
      ? { range: { lastkey: f.spec.lastkey!, step: f.spec.keystep!, limit: f.spec.limit! } }
      : f.type === "keynum"
        ? { keynum: { keynumidx: f.spec.keynumidx!, firstkey: f.spec.firstkey!, step: f.spec.keystep! } }
        : { unknown: true };
  return { begin, find, flags: spec.flags.map((flag) => flag.toLowerCase()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if (
        execFileSync("redis-cli", ["-p", String(port), "PING"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }).trim() === "PONG"
      )
        return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

// ---------------------------------------------------------------------------------------------
// Valkey: src/commands/*.json

interface ValkeyCommand {
  arity: number;
  container?: string;
  command_flags?: string[];
  key_specs?: ValkeyKeySpec[];
  reply_schema?: Schema;
}
interface ValkeyKeySpec {
  flags: string[];
  begin_search: { index?: { pos: number }; keyword?: { keyword: string; startfrom: number } };
  find_keys: {
    range?: { lastkey: number; step: number; limit: number };
    keynum?: { keynumidx: number; firstkey: number; step: number };
  };
}

/** The subset of JSON Schema Valkey's reply_schema uses. */
interface Schema {
  type?: string;
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  items?: Schema | Schema[];
  additionalItems?: Schema | boolean;
  maxItems?: number;
  additionalProperties?: Schema | boolean;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
}

function valkeyCommands(location: string): Source {
  const files = valkeyFiles(location);
  const id = `valkey-${files.commit.slice(0, 12)}`;
  const entries = new Map<string, Entry>();
  for (const text of files.texts) {
    const [[key, command]] = Object.entries(JSON.parse(text) as Record<string, ValkeyCommand>);
    const flags = (command.command_flags ?? []).map((flag) => flag.toLowerCase());
    if (flags.includes("only_sentinel")) continue;
    const name = command.container ? `${command.container}|${key}`.toUpperCase() : key.toUpperCase();
    const entry: Entry = {
      name,
      arity: command.arity,
      flags: flags.sort(),
      keys: (command.key_specs ?? []).map(valkeyKeySpec),
      source: id,
    };
    const reply = replyOf(name, command.reply_schema);
    if (reply) Object.assign(entry, { reply, replySource: id });
    entries.set(name, entry);
  }
  const description = `Valkey src/commands/*.json at commit ${files.commit} (reply_schema, and commands Redis 7.0 lacks)`;
  return { source: { id, description, licence: "BSD-3-Clause (Valkey contributors; Redis Ltd. 2006-2020)" }, entries };
}

/** The JSON texts and commit of a Valkey work tree, or of a bare git dir (read with git show). */
function valkeyFiles(location: string): { commit: string; texts: string[] } {
  const dir = path.join(location, "src", "commands");
  const git = (args: string[]) =>
    execFileSync("git", existsSync(dir) ? ["-C", location, ...args] : ["--git-dir", location, ...args], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
  const commit = git(["rev-parse", "HEAD"]).trim();
  if (existsSync(dir)) {
    const names = readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort();
    return { commit, texts: names.map((name) => readFileSync(path.join(dir, name), "utf8")) };
  }
  const names = git(["ls-tree", "--name-only", "HEAD", "src/commands/"])
    .split("\n")
    .filter((name) => name.endsWith(".json"))
    .sort();
  if (names.length === 0) throw new Error(`${location}: no src/commands/*.json (not a Valkey checkout or git dir)`);
  return { commit, texts: names.map((name) => git(["show", `HEAD:${name}`])) };
}

function valkeyKeySpec(spec: ValkeyKeySpec): KeySpec {
  const b = spec.begin_search;
  const f = spec.find_keys;
  const begin: BeginSearch = b.index ? { index: b.index.pos } : b.keyword ? { ...b.keyword } : { unknown: true };
  const find: FindKeys = f.range
    ? { range: { ...f.range } }
    : f.keynum
      ? { keynum: { ...f.keynum } }
      : { unknown: true };
  return { begin, find, flags: spec.flags.map((flag) => flag.toLowerCase()) };
}

/**
 * Replies the schema gets wrong for RESP2 in ways no general rule can see:
 * - TYPE: the schema says "string", but Redis sends a status (`+string`), which a script sees as
 *   `{ok=...}`; the schema cannot tell the two apart.
 * - WAITAOF: the schema calls the replica count a "number" (a double), but Redis sends two integers
 *   (`addReplyLongLong` twice in Valkey's `waitaofCommand`).
 */
const SCHEMA_FIXES: Record<string, ReturnType> = {
  TYPE: { kind: "status" },
  WAITAOF: { kind: "tuple", elements: [{ kind: "integer" }, { kind: "integer" }] },
};

/**
 * Commands whose RESP3 reply wraps each member and its score (each field and its value) in a
 * 2-item array, which the schema describes, while RESP2 — what a script gets — sends them inline in
 * the enclosing array: `ZRANGE z 0 -1 WITHSCORES` gives `{"a", "1", "b", "2"}` to Lua. Redis decides
 * this per command (`if (withscores && c->resp > 2) addReplyArrayLen(c, 2)` in Valkey's t_zset.c and
 * t_hash.c); ZMPOP and BZMPOP nest the pairs in both protocols and are not listed. ZPOPMIN/ZPOPMAX
 * without a count reply one pair, in RESP2 a flat array (empty when the key is missing).
 */
const RESP2_FLAT_PAIRS = new Set([
  "HRANDFIELD",
  "ZDIFF",
  "ZINTER",
  "ZPOPMAX",
  "ZPOPMIN",
  "ZRANDMEMBER",
  "ZRANGE",
  "ZRANGEBYSCORE",
  "ZREVRANGE",
  "ZREVRANGEBYSCORE",
  "ZUNION",
]);

/**
 * Commands whose RESP3 map reply RESP2 sends as an array of `[key, value]` pairs rather than the
 * flat array every other map becomes (`if (c->resp == 2) addReplyArrayLen(c, 2)` in Valkey's
 * t_stream.c): `XREAD` gives `{{"stream", entries}, ...}`.
 */
const RESP2_PAIR_MAPS = new Set(["XREAD", "XREADGROUP"]);

function replyOf(name: string, schema: Schema | undefined): ReturnType | undefined {
  if (SCHEMA_FIXES[name]) return SCHEMA_FIXES[name];
  if (schema === undefined) return undefined;
  const converted = fromSchema(schema, RESP2_PAIR_MAPS.has(name) ? "pairs" : "flat");
  const reply = RESP2_FLAT_PAIRS.has(name) ? flattenPairs(converted) : converted;
  return reply.kind === "unknown" ? undefined : reply;
}

/**
 * A reply schema as the RESP2 reply a script receives: doubles are bulk strings, maps flat arrays
 * (or arrays of pairs, for the commands that say so), sets arrays.
 */
function fromSchema(schema: Schema, maps: "flat" | "pairs"): ReturnType {
  const convert = (s: Schema) => fromSchema(s, maps);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return union(alternatives.map(convert));
  if (schema.const !== undefined) return typeof schema.const === "number" ? { kind: "integer" } : { kind: "status" };
  switch (schema.type) {
    case "integer":
      return { kind: "integer" };
    case "string":
    case "number": // RESP2 sends a double as a bulk string
      return { kind: "string" };
    case "null":
      return { kind: "nil" };
    case "array": {
      if (!Array.isArray(schema.items))
        return { kind: "array", element: schema.items ? convert(schema.items) : { kind: "unknown" } };
      const elements = schema.items.map(convert);
      // Items past the listed ones (GEOSEARCH's WITHDIST, WITHHASH, WITHCOORD): a length not fixed.
      const more = schema.additionalItems;
      if (typeof more === "object") elements.push(convert(more));
      if (more !== undefined && more !== false) return { kind: "array", element: union(elements) };
      return { kind: "tuple", elements };
    }
    case "object": {
      const values = objectValues(schema).map(convert);
      // RESP2 sends a map as a flat array of keys and values (or, for RESP2_PAIR_MAPS, of pairs).
      if (maps === "pairs")
        return { kind: "array", element: { kind: "tuple", elements: [{ kind: "string" }, union(values)] } };
      return { kind: "array", element: union([{ kind: "string" }, ...values]) };
    }
    default:
      return { kind: "unknown" };
  }
}

function objectValues(schema: Schema): Schema[] {
  const values = [...Object.values(schema.properties ?? {}), ...Object.values(schema.patternProperties ?? {})];
  if (typeof schema.additionalProperties === "object") values.push(schema.additionalProperties);
  return values.length > 0 ? values : [{}];
}

/** RESP2_FLAT_PAIRS: every 2-item array inlined into the array around it; a pair alone is a flat array. */
function flattenPairs(reply: ReturnType): ReturnType {
  const isPair = (t: ReturnType) => t.kind === "tuple" && t.elements.length === 2;
  switch (reply.kind) {
    case "union":
      return union(reply.members.map(flattenPairs));
    case "tuple":
      return isPair(reply) ? { kind: "array", element: union(reply.elements) } : reply;
    case "array":
      return reply.element.kind === "tuple" && isPair(reply.element)
        ? { kind: "array", element: union(reply.element.elements) }
        : reply;
    default:
      return reply;
  }
}

/** Members flattened and deduplicated; one member is itself; an unknown member makes it unknown. */
function union(members: ReturnType[]): ReturnType {
  const flat = members.flatMap((m) => (m.kind === "union" ? m.members : [m]));
  if (flat.some((m) => m.kind === "unknown")) return { kind: "unknown" };
  const unique = [...new Map(flat.map((m) => [JSON.stringify(m), m])).values()];
  return unique.length === 1 ? unique[0] : { kind: "union", members: unique };
}

// ---------------------------------------------------------------------------------------------
// @ioredis/commands

interface IoredisCommand {
  arity: number;
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
}

function ioredisCommands(): Source {
  const require = createRequire(import.meta.url);
  const pkg = require("@ioredis/commands/package.json") as { version: string };
  const table = require("@ioredis/commands/built/commands.json") as Record<string, IoredisCommand>;
  const id = `ioredis-commands-${pkg.version}`;
  const entries = new Map<string, Entry>();
  for (const [name, command] of Object.entries(table)) {
    const upper = name.toUpperCase();
    entries.set(upper, {
      name: upper,
      arity: command.arity,
      flags: [...command.flags].sort(),
      keys: legacyKeys(command),
      source: id,
    });
  }
  return {
    source: { id, description: `@ioredis/commands ${pkg.version}, built/commands.json`, licence: "MIT" },
    entries,
  };
}

/** COMMAND INFO's first/last/step as one range key spec (last counts from the end when negative). */
function legacyKeys(command: IoredisCommand): KeySpec[] {
  if (command.keyStart <= 0) return [];
  const lastkey = command.keyStop < 0 ? command.keyStop : command.keyStop - command.keyStart;
  return [
    { begin: { index: command.keyStart }, find: { range: { lastkey, step: command.step, limit: 0 } }, flags: [] },
  ];
}

// ---------------------------------------------------------------------------------------------

/**
 * Redis 7.0's COMMAND INFO does not print this flag, yet refuses such commands (PUBLISH, PFCOUNT,
 * ...) in a no-writes script as it refuses writes; Valkey's files carry it.
 */
const MAY_REPLICATE = "may_replicate";

/**
 * The first source that has a command gives its metadata, plus Valkey's `may_replicate`; Valkey
 * gives every reply it knows.
 */
function merge(sources: Source[], replies: Source): Entry[] {
  const merged = new Map<string, Entry>();
  for (const { entries } of sources) {
    for (const [name, entry] of entries) {
      if (merged.has(name)) continue;
      const { reply: _reply, replySource: _replySource, ...meta } = entry;
      const replied = replies.entries.get(name);
      if (replied?.flags.includes(MAY_REPLICATE) && !meta.flags.includes(MAY_REPLICATE))
        meta.flags = [...meta.flags, MAY_REPLICATE].sort();
      merged.set(name, replied?.reply ? { ...meta, reply: replied.reply, replySource: replied.replySource } : meta);
    }
  }
  return [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One entry a line, so a regeneration's diff shows which commands changed. */
function render(sources: CommandSource[], entries: Entry[]): string {
  const header = {
    $comment:
      "Generated by `npm run update-commands` (scripts/update-commands.ts). Do not edit. Derived data: see `sources` for each entry's origin and licence.",
    sources,
  };
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, "");
  const lines = entries.map((e) => `    ${JSON.stringify(e.name)}: ${JSON.stringify(e)}`);
  return `${head},\n  "commands": {\n${lines.join(",\n")}\n  }\n}\n`;
}

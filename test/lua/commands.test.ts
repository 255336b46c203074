import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  COMMANDS,
  isModuleCommand,
  lookupCommand,
  nest,
  type CommandInfo,
  type CommandTable,
} from "../../src/lua/commands.js";
import { selectReply } from "../../src/lua/reply-variants.js";
import { ARITY_SINCE, COMMAND_SINCE, SCRIPT_ALLOWED_SINCE, holdsOn } from "../../src/lua/server-facts.js";
import type { ReturnType } from "../../src/model.js";
import { holdOpen } from "../support/fixtures.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { connect } from "../support/script.js";
import { serverSettingOf } from "../support/server-setting.js";

/** Every entry of the shipped table, subcommands included. */
function allEntries(table: CommandTable = COMMANDS): CommandInfo[] {
  return Object.values(table.commands).flatMap((c) => [c, ...Object.values(c.subcommands ?? {})]);
}

describe("lookupCommand", () => {
  it("finds commands case-insensitively", () => {
    expect(lookupCommand("get")?.name).toBe("GET");
    expect(lookupCommand("GeT")?.arity).toBe(2);
  });

  it("addresses subcommands as CONTAINER|SUB, as 'container sub', and through the subcommands map", () => {
    expect(lookupCommand("client|kill")?.name).toBe("CLIENT|KILL");
    expect(lookupCommand("CLIENT KILL")?.name).toBe("CLIENT|KILL");
    expect(lookupCommand("CLIENT")?.subcommands?.KILL?.name).toBe("CLIENT|KILL");
    expect(lookupCommand("CLIENT|NOPE")).toBeUndefined();
    expect(lookupCommand("GET|X")).toBeUndefined();
  });

  it("knows nothing of unknown names, nor of Object.prototype's", () => {
    expect(lookupCommand("HGETT")).toBeUndefined();
    expect(lookupCommand("constructor")).toBeUndefined();
    expect(lookupCommand("toString")).toBeUndefined();
    expect(lookupCommand("")).toBeUndefined();
  });

  it("looks in the table it is given", () => {
    const table: CommandTable = {
      sources: [],
      commands: nest({ "MY.CMD": { name: "MY.CMD", arity: -2, flags: ["write"], keys: [], source: "config" } }),
    };
    expect(lookupCommand("my.cmd", table)?.flags).toEqual(["write"]);
    expect(lookupCommand("GET", table)).toBeUndefined();
  });

  it("treats dotted names as module commands", () => {
    expect(isModuleCommand("JSON.SET")).toBe(true);
    expect(isModuleCommand("ft.search")).toBe(true);
    expect(isModuleCommand("HSET")).toBe(false);
  });
});

describe("the shipped command table", () => {
  it("records for every entry a source the table lists, each with a licence luagen (MIT) may ship", () => {
    const ids = new Set(COMMANDS.sources.map((s) => s.id));
    for (const entry of allEntries()) {
      expect(ids, entry.name).toContain(entry.source);
      if (entry.reply !== undefined) expect(ids, entry.name).toContain(entry.replySource);
    }
    for (const source of COMMANDS.sources) expect(source.licence).toMatch(/^(BSD-3-Clause|MIT)/);
  });

  it("takes Redis's own data only from a 7.0 server (7.4 and later are not BSD-licensed)", () => {
    const redis = COMMANDS.sources.filter((s) => s.id.startsWith("redis-"));
    expect(redis.map((s) => s.id)).toEqual([expect.stringMatching(/^redis-7\.0\.\d+$/)]);
  });

  it("holds the facts the checks rely on", () => {
    expect(lookupCommand("EXPIRE")?.arity).toBe(-3);
    expect(lookupCommand("BLPOP")?.flags).toContain("noscript");
    expect(lookupCommand("EVAL")?.flags).toContain("noscript");
    expect(lookupCommand("SET")?.flags).toContain("write");
    expect(lookupCommand("GET")?.flags).toContain("readonly");
    expect(lookupCommand("GET")?.keys).toEqual([
      { begin: { index: 1 }, find: { range: { lastkey: 0, step: 1, limit: 0 } }, flags: ["ro", "access"] },
    ]);
  });

  it("knows commands newer than Redis 7.0 through @ioredis/commands and Valkey", () => {
    expect(lookupCommand("HEXPIRE")).toMatchObject({ arity: -6, source: expect.stringMatching(/^ioredis-commands-/) });
    expect(lookupCommand("HGETEX")?.flags).toContain("write");
    expect(lookupCommand("WAITAOF")?.source).toMatch(/^valkey-/);
  });

  it("gives reply shapes as a script sees them over RESP2", () => {
    const union = (...kinds: string[]) => ({ kind: "union", members: kinds.map((kind) => ({ kind })) });
    expect(lookupCommand("GET")?.reply).toEqual(union("string", "nil"));
    expect(lookupCommand("INCR")?.reply).toEqual({ kind: "integer" });
    expect(lookupCommand("TYPE")?.reply).toEqual({ kind: "status" });
    expect(lookupCommand("ZSCORE")?.reply).toEqual(union("string", "nil")); // a double is a bulk string in RESP2
    expect(lookupCommand("HGETALL")?.reply).toEqual({ kind: "array", element: { kind: "string" } }); // a map is a flat array
    expect(lookupCommand("HEXPIRE")?.reply).toBeUndefined(); // no source describes it
  });

  it("gives RESP2's flat arrays where RESP3 nests member-score and field-value pairs", () => {
    const strings = { kind: "array", element: { kind: "string" } };
    for (const name of ["ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZUNION", "ZINTER", "ZDIFF", "ZPOPMIN", "ZPOPMAX"])
      expect(lookupCommand(name)?.reply, name).toEqual(strings);
    const one = { kind: "union", members: [{ kind: "nil" }, { kind: "string" }, strings] };
    expect(lookupCommand("ZRANDMEMBER")?.reply).toEqual(one);
    expect(lookupCommand("HRANDFIELD")?.reply).toEqual(one);
    // ZMPOP nests its pairs in RESP2 too (a score is a bulk string there).
    const pair = { kind: "tuple", elements: [{ kind: "string" }, { kind: "string" }] };
    expect(lookupCommand("ZMPOP")?.reply).toEqual({
      kind: "union",
      members: [{ kind: "nil" }, { kind: "tuple", elements: [{ kind: "string" }, { kind: "array", element: pair }] }],
    });
    // XREAD's map is an array of [stream, entries] pairs in RESP2, not a flat array.
    const entries = { kind: "array", element: { kind: "tuple", elements: [{ kind: "string" }, strings] } };
    expect(lookupCommand("XREAD")?.reply).toEqual({
      kind: "union",
      members: [
        { kind: "array", element: { kind: "tuple", elements: [{ kind: "string" }, entries] } },
        { kind: "nil" },
      ],
    });
    // The schema calls WAITAOF's replica count a double; Redis sends an integer.
    expect(lookupCommand("WAITAOF")?.reply).toEqual({
      kind: "tuple",
      elements: [{ kind: "integer" }, { kind: "integer" }],
    });
  });
});

/** What a Lua script sees, classified the way ReturnType names it. */
const CLASSIFY = `
local function kind(v)
  if v == false then return {"nil"} end
  local t = type(v)
  if t == "number" then return {"integer"} end
  if t == "string" then return {"string"} end
  if v.ok ~= nil then return {"status"} end
  local out = {"array"}
  for i = 1, #v do out[#out + 1] = kind(v[i]) end
  return out
end
return kind(redis.call(unpack(ARGV)))`;

/** Whether an observed reply (as CLASSIFY describes it) is one `type` allows. */
function fits(observed: unknown, type: ReturnType): boolean {
  const [kind, ...items] = observed as [string, ...unknown[]];
  switch (type.kind) {
    case "union":
      return type.members.some((m) => fits(observed, m));
    case "unknown":
      return true;
    case "array":
      return kind === "array" && items.every((item) => fits(item, type.element));
    case "tuple":
      return (
        kind === "array" &&
        items.length === type.elements.length &&
        items.every((item, i) => fits(item, type.elements[i]))
      );
    default:
      return kind === type.kind;
  }
}

describe.each(LIVE_SERVERS)("the shipped command table against a live $server", ({ start }) => {
  let server: RedisServer;
  let redis: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(() => (redis = connect(server)));

  it("has the arity and flags COMMAND INFO reports, as the release facts say for this server", async () => {
    const rows = (await redis.call("COMMAND", "INFO")) as unknown[][];
    const live = new Map<string, { arity: number; flags: string[] }>();
    const add = (row: unknown[]) => {
      live.set(String(row[0]).toUpperCase(), { arity: row[1] as number, flags: [...(row[2] as string[])].sort() });
      for (const sub of (row[9] as unknown[][] | undefined) ?? []) add(sub);
    };
    rows.forEach(add);
    const { server } = await serverSettingOf(redis);
    const exact = server.product === "redis" && server.version === "7.0";
    // On redis-server 7.0 every flag; elsewhere those the checks read (other servers add flags
    // such as no_multi that luagen has no use for). may_replicate comes from Valkey: 7.0's COMMAND
    // INFO leaves it out (see the next test).
    const read = (flags: readonly string[]) =>
      flags.filter((f) => f !== "may_replicate" && (exact || ["noscript", "write", "readonly"].includes(f))).sort();
    const problems: string[] = [];
    for (const entry of allEntries()) {
      const added = COMMAND_SINCE[entry.name];
      const has = added === undefined || holdsOn(added, server);
      const seen = live.get(entry.name);
      if (has === false || has === undefined) {
        if (has === false && seen)
          problems.push(`${entry.name}: the facts say ${server.product} ${server.version} lacks it`);
        continue;
      }
      if (!seen) {
        problems.push(`${entry.name}: not on this server`);
        continue;
      }
      if (!entry.source.startsWith("redis-")) {
        // A newer command: its arity (the checks' only use of ioredis's data besides key specs).
        if (entry.arity !== seen.arity) problems.push(`${entry.name}: arity ${entry.arity}, server ${seen.arity}`);
        continue;
      }
      const grown = ARITY_SINCE[entry.name];
      const arity = grown && holdsOn(grown.since, server) ? grown.arity : entry.arity;
      const allowed = SCRIPT_ALLOWED_SINCE[entry.name];
      const flags = allowed && holdsOn(allowed, server) ? entry.flags.filter((f) => f !== "noscript") : entry.flags;
      const expected = { arity, flags: read(flags) };
      const actual = { arity: seen.arity, flags: read(seen.flags) };
      if (JSON.stringify(expected) !== JSON.stringify(actual))
        problems.push(`${entry.name}: ${JSON.stringify(expected)}, server ${JSON.stringify(actual)}`);
    }
    expect(problems).toEqual([]);
    if (exact) expect(allEntries().filter((e) => e.source.startsWith("redis-")).length).toBe(live.size);
  });

  it("marks may_replicate the commands Redis refuses in a no-writes script though they do not write", async () => {
    for (const call of [
      ["PUBLISH", "ch", "x"],
      ["PFCOUNT", "hll"],
    ]) {
      const script = `#!lua flags=no-writes\nreturn redis.call(${call.map((w) => `"${w}"`).join(", ")})`;
      await expect(redis.eval(script, 0)).rejects.toThrow(/Write commands are not allowed from read-only scripts/);
      expect(lookupCommand(call[0])?.flags).toContain("may_replicate");
      expect(lookupCommand(call[0])?.flags).not.toContain("write");
    }
  });

  it("describes the replies a script actually receives", async () => {
    await redis.set("s", "v");
    await redis.hset("h", "f", "1", "g", "2");
    await redis.zadd("z", 1.5, "m", 2, "n");
    await redis.zadd("z2", 1, "m");
    await redis.rpush("l", "a", "b");
    await redis.rpush("l2", "a", "b", "c", "d");
    await redis.sadd("set", "a", "b", "c");
    await redis.xadd("x", "1-1", "f", "v");
    await redis.xgroup("CREATE", "x", "g", "0");
    await redis.geoadd("geo", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania");
    // Each command runs inside EVAL, so what is classified is what Lua gets: RESP2, where RESP3's
    // member-score pairs are inlined (ZRANGE ... WITHSCORES), maps are flat arrays (HGETALL) or
    // arrays of pairs (XREAD), and doubles are bulk strings.
    const calls: string[][] = [
      ["GET", "s"],
      ["GET", "missing"],
      ["SET", "s", "w"],
      ["SET", "s", "x", "NX"],
      ["TYPE", "s"],
      ["INCR", "n"],
      ["HGETALL", "h"],
      ["HGETALL", "missing"],
      ["HGET", "h", "f"],
      ["ZSCORE", "z", "m"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZRANGE", "z", "0", "-1"],
      ["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"],
      ["ZREVRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "2", "WITHSCORES"],
      ["ZRANDMEMBER", "z"],
      ["ZRANDMEMBER", "missing"],
      ["ZUNION", "2", "z", "z2", "WITHSCORES"],
      ["ZINTER", "2", "z", "z2", "WITHSCORES"],
      ["ZDIFF", "2", "z", "z2", "WITHSCORES"],
      ["ZMSCORE", "z", "m", "nope"],
      ["ZINCRBY", "z2", "0.5", "m"],
      ["ZPOPMIN", "missing"],
      ["ZPOPMIN", "z2"],
      ["ZPOPMAX", "z", "2"],
      ["ZADD", "z", "1", "m"],
      ["ZADD", "z", "1", "k"],
      ["ZPOPMIN", "z", "2"],
      ["ZADD", "z", "1", "m", "2", "n"],
      ["ZMPOP", "1", "z", "MIN", "COUNT", "2"],
      ["ZMPOP", "1", "missing", "MIN"],
      ["BZMPOP", "0.01", "1", "missing", "MAX"],
      ["HRANDFIELD", "h", "2", "WITHVALUES"],
      ["HRANDFIELD", "h", "-3"],
      ["HRANDFIELD", "h"],
      ["HRANDFIELD", "missing"],
      ["XRANGE", "x", "-", "+"],
      ["XREVRANGE", "x", "+", "-"],
      ["XREAD", "COUNT", "1", "STREAMS", "x", "0"],
      ["XREAD", "STREAMS", "x", "$"],
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x", ">"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", "0"],
      ["XINFO", "STREAM", "x"],
      ["GEOPOS", "geo", "Palermo", "nowhere"],
      ["GEODIST", "geo", "Palermo", "Catania"],
      ["GEOSEARCH", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"],
      ["GEOSEARCH", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHCOORD", "WITHHASH", "WITHDIST"],
      ["GEORADIUS_RO", "geo", "15", "37", "200", "km", "WITHCOORD"],
      ["LCS", "s", "s", "IDX", "WITHMATCHLEN"],
      ["ZRANK", "z", "m"],
      ["LRANGE", "l", "0", "-1"],
      ["MGET", "s", "missing"],
      ["SCAN", "0"],
      ["ZSCAN", "z", "0"],
      ["HSCAN", "h", "0"],
      ["EXISTS", "s"],
      ["PING"],
      ["HINCRBYFLOAT", "h", "f", "0.5"],
      ["INCRBYFLOAT", "fl", "0.5"],
      ["LPOS", "l", "zz"],
      // Replies whose shape the arguments select (reply-variants.ts): each must fit the selected one.
      ["LPOP", "l2"],
      ["LPOP", "l2", "1"],
      ["LPOP", "missing", "2"],
      ["RPOP", "l2", "2"],
      ["RPOP", "missing"],
      ["SPOP", "set", "1"],
      ["SPOP", "missing", "2"],
      ["SPOP", "set"],
      ["SRANDMEMBER", "set", "2"],
      ["SRANDMEMBER", "missing", "2"],
      ["SRANDMEMBER", "missing"],
      ["ZRANDMEMBER", "z", "2", "WITHSCORES"],
      ["ZRANDMEMBER", "missing"],
      ["HRANDFIELD", "missing", "2"],
      ["SET", "s", "y", "GET"],
      ["SET", "nokey", "y", "EX", "100", "GET"],
      ["SET", "s", "z", "XX"],
      ["SET", "s", "z", "NX", "EX", "5"],
      ["ZADD", "z", "INCR", "2", "m"],
      ["ZADD", "z", "NX", "INCR", "2", "m"],
      ["LPOS", "l", "a", "COUNT", "0"],
      ["LPOS", "l", "zz", "RANK", "1", "COUNT", "2"],
    ];
    // ZRANK ... WITHSCORE is a wrong arity on servers before 7.2.
    if (holdsOn(ARITY_SINCE.ZRANK!.since, (await serverSettingOf(redis)).server))
      calls.push(["ZRANK", "z", "m", "WITHSCORE"], ["ZREVRANK", "missing", "m", "WITHSCORE"]);
    const misfits: string[] = [];
    for (const call of calls) {
      const observed = await redis.eval(CLASSIFY, 0, ...call);
      // A container (XINFO) has no reply of its own: its subcommand (XINFO|STREAM) has.
      const reply = lookupCommand(call[0])?.reply ?? lookupCommand(`${call[0]}|${call[1]}`)?.reply;
      // Every word is a literal here, so where the arguments select a shape it is exactly one.
      const words = call.slice(1).map((w) => w.toUpperCase());
      const selected = reply && selectReply(call[0]!, reply, { words, exact: true });
      const expected = selected?.reply ?? reply;
      if (expected === undefined || selected?.variants !== undefined || !fits(observed, expected))
        misfits.push(`${call.join(" ")} replied ${JSON.stringify(observed)}; luagen says ${JSON.stringify(expected)}`);
    }
    expect(misfits).toEqual([]);
  });
});

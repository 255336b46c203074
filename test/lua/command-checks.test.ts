import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { checkCommandUse } from "../../src/lua/command-checks.js";
import { REDIS_LUA_API, SCRIPT_GLOBALS } from "../../src/lua/redis-api.js";
import { COMMANDS, extendCommands, type CommandTable } from "../../src/lua/commands.js";
import { parseLua } from "../../src/lua/parse.js";
import { parseServer } from "../../src/lua/servers.js";
import { diagnosticAt } from "../../src/origins.js";
import { holdOpen } from "../support/fixtures.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { serverSettingOf } from "../support/server-setting.js";
import { connect } from "../support/script.js";
import { runCli, tempDir, writeTree } from "../support/workspace.js";
import { runLuaStages, source } from "./stages.js";

function check(text: string, table: CommandTable = COMMANDS, server?: string) {
  const file = source(text);
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) throw new Error(parsed.diagnostics[0]?.message);
  return checkCommandUse(
    parsed.chunk,
    parsed.source,
    (code, at, message, hint) => diagnosticAt(code, file.path, undefined, at, message, hint),
    table,
    server === undefined ? undefined : parseServer(server),
  );
}

const onServer = (text: string, server: string) =>
  check(text, COMMANDS, server).diagnostics.map((d) => [d.code, d.severity]);

const codes = (text: string, table?: CommandTable) => check(text, table).diagnostics.map((d) => d.code);

describe("command checks", () => {
  it("suggests the nearest command or subcommand", () => {
    expect(check(`return redis.call("HGETT", KEYS[1])`).diagnostics[0]?.hint).toBe("did you mean HGET?");
    expect(check(`return redis.call("client", "kil")`).diagnostics[0]?.hint).toBe("did you mean CLIENT KILL?");
    expect(check(`return redis.call("XYZZY")`).diagnostics[0]?.hint).toMatch(/"commands" in luagen.config.json/);
  });

  it("points a blocking command at its non-blocking form", () => {
    expect(check(`return redis.call("BRPOPLPUSH", KEYS[1], KEYS[2], 0)`).diagnostics[0]?.hint).toMatch(
      /^on older servers, a script cannot block: use RPOPLPUSH, or send BRPOPLPUSH from the client; set "server"/,
    );
  });

  it("without a server setting, a call Redis 7.2+ and Valkey run is a warning naming the servers, never an error (LG236)", () => {
    for (const call of [
      `redis.call("BLPOP", KEYS[1], 0)`,
      `redis.call("BZPOPMIN", KEYS[1], 0)`,
      `redis.call("WAIT", 1, 0)`,
      `redis.call("ZREVRANK", KEYS[1], ARGV[1], "WITHSCORE")`,
    ]) {
      const { diagnostics } = check(`return ${call}`);
      expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["LG236", "warning"]]);
      expect(diagnostics[0]?.message).toMatch(
        / as called here runs on Redis 7\.2 or later and Valkey 7\.2 or later; other servers (refuse it in scripts|fail a call with 3 arguments)$/,
      );
    }
    // What no server runs stays an error.
    expect(codes(`return redis.call("SUBSCRIBE", "c")`)).toEqual(["LG232"]);
    expect(codes(`return redis.call("ZRANK", KEYS[1])`)).toEqual(["LG231"]);
  });

  it("with a server setting, release-dependent calls follow that server: an error where it refuses, nothing where it runs", () => {
    const blpop = `return redis.call("BLPOP", KEYS[1], 0)`;
    expect(onServer(blpop, "redis-7.0")).toEqual([["LG232", "error"]]);
    for (const server of ["redis-7.2", "redis-8.8", "valkey-7.2", "valkey-9.1"])
      expect(onServer(blpop, server)).toEqual([]);
    const getkeys = `return redis.call("COMMAND", "GETKEYS", "PING")`;
    expect(onServer(getkeys, "redis-7.0")).toEqual([["LG231", "error"]]);
    expect(onServer(getkeys, "valkey-7.2")).toEqual([]);
    const withScore = `return redis.call("ZRANK", KEYS[1], ARGV[1], "WITHSCORE")`;
    expect(onServer(withScore, "redis-7.0")).toEqual([["LG231", "error"]]);
    expect(onServer(withScore, "redis-7.4")).toEqual([]);
    // What no server runs is an error whatever the setting.
    expect(onServer(`return redis.call("SUBSCRIBE", "c")`, "valkey-9.1")).toEqual([["LG232", "error"]]);
  });

  it("a command newer than the server setting is an error naming the release that has it (LG237)", () => {
    const hexpire = `return redis.call("HEXPIRE", KEYS[1], 60, "FIELDS", 1, ARGV[1])`;
    const [missing] = check(hexpire, COMMANDS, "redis-7.2").diagnostics;
    expect(missing?.code).toBe("LG237");
    expect(missing?.message).toBe(
      'HEXPIRE needs Redis 7.4 or later and Valkey 9.0 or later, and the server setting is redis-7.2: Redis fails the call ("Unknown command called from script")',
    );
    expect(onServer(hexpire, "redis-7.4")).toEqual([]);
    expect(onServer(hexpire, "valkey-8.1")).toEqual([["LG237", "error"]]);
    expect(onServer(hexpire, "valkey-9.0")).toEqual([]);
    // A command one product never had, and a subcommand only Valkey has.
    expect(check(`return redis.call("VCARD", KEYS[1])`, COMMANDS, "valkey-9.1").diagnostics[0]?.message).toMatch(
      /^VCARD needs Redis 8\.0 or later \(no Valkey release\), and the server setting is valkey-9\.1: Valkey fails/,
    );
    const slotStats = `return redis.call("CLUSTER", "SLOT-STATS", "SLOTSRANGE", 0, 9)`;
    expect(onServer(slotStats, "redis-8.8")).toEqual([["LG237", "error"]]);
    expect(onServer(slotStats, "valkey-8.0")).toEqual([]);
    // Refused in scripts by every server that has it: LG232 once it exists, LG237 before.
    expect(onServer(`return redis.call("SCRIPT", "SHOW", ARGV[1])`, "valkey-8.0")).toEqual([["LG232", "error"]]);
    expect(onServer(`return redis.call("SCRIPT", "SHOW", ARGV[1])`, "valkey-7.2")).toEqual([["LG237", "error"]]);
  });

  it("a command the config declares is the user's word on their server: no release facts apply to it", () => {
    const table = extendCommands(COMMANDS, { HEXPIRE: { arity: -6, flags: ["write"] } });
    const hexpire = `return redis.call("HEXPIRE", KEYS[1], 60, "FIELDS", 1, ARGV[1])`;
    expect(check(hexpire, table, "redis-7.2").diagnostics).toEqual([]);
    expect(check(hexpire, table).diagnostics).toEqual([]);
    // The shipped table still dates it.
    expect(codes(hexpire)).toEqual(["LG236"]);
  });

  it("without a server setting, a newer command is a warning naming the servers that have it, never an error", () => {
    const { diagnostics } = check(`return redis.call("HGETDEL", KEYS[1], "FIELDS", 1, ARGV[1])`);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["LG236", "warning"]]);
    expect(diagnostics[0]?.message).toMatch(/^HGETDEL runs on Redis 8\.0 or later and Valkey 9\.1 or later; /);
    // What luagen does not know of a release is a warning even with the setting.
    expect(onServer(`return redis.call("XDELEX", KEYS[1], "IDS", 1, ARGV[1])`, "valkey-9.1")).toEqual([
      ["LG236", "warning"],
    ]);
    expect(onServer(`return redis.call("XDELEX", KEYS[1], "IDS", 1, ARGV[1])`, "redis-8.2")).toEqual([]);
  });

  it("checks arity only when every word is visible", () => {
    expect(codes(`return redis.call("EXPIRE", KEYS[1])`)).toEqual(["LG231"]);
    expect(codes(`return redis.call("EXPIRE", unpack(KEYS))`)).toEqual([]);
    expect(codes(`return redis.call("EXPIRE", ...)`)).toEqual([]);
    expect(codes(`return redis.call("EXPIRE", KEYS[1], tonumber(ARGV[1]))`)).toEqual([]);
    // a call before the last gives exactly one value: the count is known, and wrong
    expect(codes(`return redis.call("GET", unpack(KEYS), 5)`)).toEqual(["LG231"]);
    // `a or b` gives one value even when b is a call
    expect(codes(`return redis.call("GET", ARGV[1] or unpack(KEYS))`)).toEqual([]);
    expect(codes(`return redis.call("SET", ARGV[1] or unpack(KEYS))`)).toEqual(["LG231"]);
  });

  it("follows local aliases, and nothing else", () => {
    expect(codes(`local rcall = redis.call\nreturn rcall("HGETT")`)).toEqual(["LG230"]);
    expect(codes(`local a = redis.pcall\nlocal b = a\nreturn b("HGETT")`)).toEqual(["LG230"]);
    expect(codes(`local a = redis.call\na = print\nreturn a("HGETT")`)).toEqual([]);
    expect(codes(`local redis = {call = print}\nreturn redis.call("HGETT")`)).toEqual([]);
  });

  it("never flags module commands or computed names", () => {
    expect(codes(`return redis.call("JSON.SET", KEYS[1], "$", "{}", "extra", "args")`)).toEqual([]);
    expect(codes(`return redis.call(ARGV[1])`)).toEqual([]);
    expect(codes(`return redis.call("HG" .. "ETT")`)).toEqual([]);
  });

  it("returns the shebang's flags, and none without a shebang", () => {
    expect(check(`#!lua flags=no-writes,allow-oom\nreturn 1`).flags).toEqual(["no-writes", "allow-oom"]);
    expect(check(`#!lua\nreturn 1`).flags).toEqual([]);
    expect(check(`return 1`).flags).toBeUndefined();
  });

  it("takes the user's commands from an extended table", () => {
    const script = `return redis.call("HFOO", KEYS[1])`;
    expect(codes(script)).toEqual(["LG230"]);
    expect(codes(script, extendCommands(COMMANDS, { hfoo: {} }))).toEqual([]);
    expect(codes(script, extendCommands(COMMANDS, { HFOO: { arity: 3 } }))).toEqual(["LG231"]);
    expect(codes(`#!lua flags=no-writes\n${script}`, extendCommands(COMMANDS, { HFOO: { flags: ["write"] } }))).toEqual(
      ["LG233"],
    );
  });
});

/**
 * Each script, run by a real server (redis-server 7.0 in CI; any Redis or Valkey first on PATH as
 * redis-server): luagen must report an error exactly when the server refuses the script, with the
 * code that names the server's reason.
 */
const AGAINST_REDIS: [script: string, code: string | undefined, redisSays?: RegExp][] = [
  [`return redis.call("HGETT", KEYS[1])`, "LG230", /Unknown (Redis )?command called from script/],
  [`local rcall = redis.call\nreturn rcall("CLIENT", "KIL")`, "LG230", /Unknown (Redis )?command called from script/],
  [`return redis.call("EXPIRE", KEYS[1])`, "LG231", /Wrong number of args/],
  [`return redis.call("OBJECT", "ENCODING")`, "LG231", /Wrong number of args/],
  [`return redis.call("BLPOP", KEYS[1], 0)`, "LG236", /not allowed from script/],
  [`return redis.call("ZRANK", KEYS[1], ARGV[1], "WITHSCORE")`, "LG236", /Wrong number of args/],
  [`return redis.call("MULTI")`, "LG232", /not allowed from script/],
  [
    `return redis.call("HEXPIRE", KEYS[1], 60, "FIELDS", 1, ARGV[1])`,
    "LG236",
    /Unknown (Redis )?command called from script/,
  ],
  [`return redis.call("WAITAOF", 0, 0, 0)`, "LG236", /Unknown (Redis )?command called from script/],
  [
    `#!lua flags=no-writes\nreturn redis.call("SET", KEYS[1], "v")`,
    "LG233",
    /Write commands are not allowed from read-only scripts/,
  ],
  [
    `#!lua flags=no-writes\nreturn redis.call("PFCOUNT", KEYS[1])`,
    "LG233",
    /Write commands are not allowed from read-only scripts/,
  ],
  [`#!lua flags=no-writes,bogus\nreturn 1`, "LG234", /Unexpected flag in script shebang/],
  [`#!lua flags=no-writes,\nreturn 1`, "LG234", /Unexpected flag in script shebang/],
  [`#!lua name=lib\nreturn 1`, "LG234", /Unknown lua shebang option/],
  [`#! lua\nreturn 1`, "LG234", /Unexpected engine in script shebang/],
  [`local rcall = redis.call\nreturn rcall("SET", KEYS[1], "v")`, undefined],
  [`return redis.call("EXPIRE", unpack(KEYS), 5)`, undefined],
  [`return redis.call("MSET", unpack(ARGV))`, undefined],
  [`return redis.call("object", "encoding", KEYS[1])`, undefined],
  [`#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])`, undefined],
  [`#!lua flags=\nreturn 1`, undefined],
  [`#!lua\nreturn redis.call("SET", KEYS[1], "v")`, undefined],
];

describe.each(LIVE_SERVERS)("command checks agree with a live $server", ({ start }) => {
  let server: RedisServer;
  let redis: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(() => (redis = connect(server)));

  it.each(AGAINST_REDIS)("%s → %s", async (script, code, redisSays) => {
    const { diagnostics } = check(script);
    const errors = diagnostics.filter((d) => d.severity === "error");
    const run = redis.eval(script, 1, "k", "a", "b");
    if (code === undefined) {
      expect(errors).toEqual([]);
      await run;
    } else if (code === "LG236") {
      // Settled at once: the server's answer must not go unhandled while INFO is awaited.
      const settled = run.then(
        () => undefined,
        (error: Error) => error,
      );
      // Without a server setting a warning, never an error: Redis 7.2+ and Valkey run it, Redis 7.0 refuses it.
      expect(errors).toEqual([]);
      expect(diagnostics.map((d) => d.code)).toEqual(["LG236"]);
      // With the setting of the server that runs it here: an error exactly when that server refuses it.
      const setting = (await serverSettingOf(redis)).name;
      const onThisServer = check(script, COMMANDS, setting).diagnostics.map((d) => d.code);
      const refused = await settled;
      if (refused === undefined) expect(onThisServer).toEqual([]);
      else {
        const why = redisSays!.source;
        expect(onThisServer).toEqual([/Wrong number/.test(why) ? "LG231" : /Unknown/.test(why) ? "LG237" : "LG232"]);
        expect(refused.message).toMatch(redisSays!);
      }
    } else {
      expect(errors.map((d) => d.code)).toEqual([code]);
      await expect(run).rejects.toThrow(redisSays);
    }
  });
});

describe("calls of redis.* functions the Lua API does not have (LG238)", () => {
  it("warns at the field, with the nearest function, and never for the API's own or a local redis", () => {
    const found = check(
      [
        "local n = redis.cal('INCR', KEYS[1])",
        "redis.log(redis.LOG_WARNING, redis.sha1hex('x'))",
        "redis.setresp(3)",
        "local function shadowed() local redis = { go = function() return 1 end } return redis.go() end",
        "redis.compute_things()",
        "return n + shadowed()",
      ].join("\n"),
    ).diagnostics;
    expect(found.map((d) => [d.code, d.severity, d.line, d.column, d.hint])).toEqual([
      ["LG238", "warning", 1, 17, "did you mean redis.call?"],
      ["LG238", "warning", 5, 7, undefined],
    ]);
    expect(found[0]?.message).toBe(
      "redis.cal is not a function of Redis's Lua API: the call fails when it runs (\"attempt to call field 'cal' (a nil value)\")",
    );
  });

  it("explains that redis.register_function is for libraries, which --mode functions writes", () => {
    const [found] = check("redis.register_function('f', function() return 1 end)\nreturn 1").diagnostics;
    expect([found?.code, found?.hint]).toEqual([
      "LG238",
      expect.stringContaining("with --mode functions luagen writes"),
    ]);
  });
});

describe("Valkey's global server, the redis object under another name (LG236, LG239)", () => {
  const script = [
    "local n = server.call('INCR', KEYS[1])",
    "server.call('GETT', KEYS[1])",
    "server.cal('PING')",
    "return server.sha1hex(tostring(n))",
  ].join("\n");

  it("checks server.call's commands and server.* fields as redis's, on every server setting", () => {
    for (const server of [undefined, "valkey-7.2", "valkey-8.1", "redis-7.2"]) {
      const found = check(script, COMMANDS, server).diagnostics.filter((d) => d.code !== "LG236" && d.code !== "LG239");
      expect(found.map((d) => [d.code, d.line, d.column, d.hint])).toEqual([
        ["LG230", 2, 13, "did you mean GET?"],
        ["LG238", 3, 8, "did you mean server.call?"],
      ]);
      expect(found[1]?.message).toMatch(/^server\.cal is not a function of Redis's Lua API/);
    }
  });

  it("is fine on Valkey, an error with a Redis setting, a warning without a setting: once a script, at its first use", () => {
    const about = (server?: string) =>
      check(script, COMMANDS, server)
        .diagnostics.filter((d) => d.code === "LG236" || d.code === "LG239")
        .map((d) => [d.code, d.severity, d.line, d.column]);
    expect(about("valkey-7.2")).toEqual([]);
    expect(about("valkey-8.1")).toEqual([]);
    expect(about("redis-8.0")).toEqual([["LG239", "error", 1, 11]]);
    expect(about(undefined)).toEqual([["LG236", "warning", 1, 11]]);
    const [refused] = check(script, COMMANDS, "redis-7.2").diagnostics.filter((d) => d.code === "LG239");
    expect(refused?.message).toBe(
      "server is Valkey's name for the redis object, and the server setting is redis-7.2: Redis has no global server and fails the script (\"Script attempted to access nonexistent global variable 'server'\")",
    );
    const [warned] = check(script).diagnostics.filter((d) => d.code === "LG236");
    expect(warned?.message).toMatch(
      /^server \(Valkey's name for the redis object\) runs on Valkey 7\.2 or later \(no Redis release\)/,
    );
  });

  it("names server.register_function as written in LG238's hint", () => {
    const [found] = check(
      "server.register_function('f', function() return 1 end)\nreturn 1",
      COMMANDS,
      "valkey-8.1",
    ).diagnostics;
    expect([found?.code, found?.hint]).toEqual([
      "LG238",
      expect.stringMatching(/^server\.register_function exists only/),
    ]);
  });

  it("leaves a field or key named server alone: it is no use of the global", () => {
    const fields = "local cfg = { server = 'a' }\nlocal s = cfg.server\nreturn { s, cfg:server(), cfg['server'] }";
    expect(check(fields, COMMANDS, "redis-7.2").diagnostics).toEqual([]);
    expect(check(fields).diagnostics).toEqual([]);
  });

  it("leaves a local named server alone: no diagnostic, and its calls are not commands", () => {
    const local = "local server = { call = function(x) return x end }\nreturn server.call('GTE')";
    expect(check(local, COMMANDS, "redis-7.2").diagnostics).toEqual([]);
    expect(check("return redis.call('GET', KEYS[1])").diagnostics).toEqual([]);
  });

  it("takes the global server a local is set from for what it is: `local server = server` reads it", () => {
    const shadowed = "local server = server\nreturn type(server)";
    const found = check(shadowed, COMMANDS, "redis-7.2").diagnostics.map((d) => [d.code, d.line, d.column]);
    expect(found).toEqual([["LG239", 1, 16]]);
  });
});

describe.each(LIVE_SERVERS)("the redis table luagen knows is a live $server's", ({ start }) => {
  let server: RedisServer;
  let redis: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(() => (redis = connect(server)));

  it("has every field of REDIS_LUA_API, and a call luagen warns about fails there as the message says", async () => {
    const fields = (await redis.eval(
      "local t = {} for k in pairs(redis) do t[#t + 1] = k end return t",
      0,
    )) as string[];
    expect(fields).toEqual(expect.arrayContaining([...REDIS_LUA_API]));
    // Redis 7.0, the server the tests run on, has exactly these; a newer server may add some.
    if ((await serverSettingOf(redis)).name === "redis-7.0") expect(new Set(fields)).toEqual(REDIS_LUA_API);
    await expect(redis.eval("return redis.cal('PING')", 0)).rejects.toThrow(
      "attempt to call field 'cal' (a nil value)",
    );
    await expect(redis.eval("return redis.register_function('f', function() end)", 0)).rejects.toThrow(
      "attempt to call field 'register_function' (a nil value)",
    );
  });

  it("has no global SCRIPT_GLOBALS lacks, and a read of one it lacks fails as LG206 says", async () => {
    const globals = (await redis.eval("local t = {} for k in pairs(_G) do t[#t + 1] = k end return t", 0)) as string[];
    // Any global missing from the set would be a false LG206 on this server.
    expect(SCRIPT_GLOBALS).toEqual(new Set([...SCRIPT_GLOBALS, ...globals]));
    // The two servers the tests run on: Valkey 8.0 has exactly the set; Redis 7.0 lacks five of it.
    const setting = (await serverSettingOf(redis)).name;
    const valkeyOnly = ["getfenv", "newproxy", "os", "server", "setfenv"];
    if (setting === "valkey-8.0") expect(new Set(globals)).toEqual(SCRIPT_GLOBALS);
    if (setting === "redis-7.0")
      expect(new Set(globals)).toEqual(new Set([...SCRIPT_GLOBALS].filter((name) => !valkeyOnly.includes(name))));
    const script = "---@return nil\nprint('hi')\n";
    const { diagnostics } = runLuaStages(source(script));
    expect(diagnostics.map((d) => d.code)).toEqual(["LG206"]);
    const quoted = /\("(.+)"\)$/.exec(diagnostics[0]!.message)![1]!;
    await expect(redis.eval(script, 0)).rejects.toThrow(quoted);
  });

  it("runs a fallback after `or` LG206 lets pass, and fails a local read before its declaration as LG206 says", async () => {
    const fallback =
      "---@return string\nlocal json = cjson or require('cjson')\nlocal b = bit or bit32\nreturn json.encode({ b.band(3, 1) })\n";
    expect(runLuaStages(source(fallback)).diagnostics).toEqual([]);
    expect(await redis.eval(fallback, 0)).toBe("[1]");
    const early =
      "---@return integer\nlocal function total(n) return n + step(n) end\nlocal function step(n) return 1 end\nreturn total(1)\n";
    const { diagnostics } = runLuaStages(source(early));
    expect(diagnostics.map((d) => d.code)).toEqual(["LG206"]);
    const quoted = /\("(.+)"\)$/.exec(diagnostics[0]!.message)![1]!;
    await expect(redis.eval(early, 0)).rejects.toThrow(quoted);
  });

  it("has a global server exactly where luagen says: on Redis a script that reads it fails as LG239 says, on Valkey it runs", async () => {
    const setting = (await serverSettingOf(redis)).name;
    const script = "return server.call('ECHO', 'hi')";
    if (setting.startsWith("valkey-")) {
      // Valkey's server is the redis object under another name, and luagen takes it so there.
      expect(await redis.eval(`${script} .. tostring(rawequal(server, redis))`, 0)).toBe("hitrue");
      expect(check(script, COMMANDS, setting).diagnostics).toEqual([]);
      return;
    }
    expect(check(script, COMMANDS, setting).diagnostics.map((d) => d.code)).toEqual(["LG239"]);
    await expect(redis.eval(script, 0)).rejects.toThrow(
      "Script attempted to access nonexistent global variable 'server'",
    );
    // A field or key named server is no read of the global: it runs (and luagen says nothing).
    const fields = "local cfg = { server = 'a' }\nreturn cfg.server .. cfg['server']";
    expect(await redis.eval(fields, 0)).toBe("aa");
    expect(check(fields, COMMANDS, "redis-7.0").diagnostics).toEqual([]);
  });
});

describe("the config's commands", () => {
  const SCRIPT = `---@key k\n---@return unknown\nreturn redis.call("HFOO", KEYS[1])\n`;

  it("are known to the checks when the config declares them", async () => {
    const dir = tempDir("commands");
    writeTree(dir, { "lua/foo.lua": SCRIPT });
    const unknown = await runCli(["lua", "--out", "gen"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error LG230: unknown Redis command 'HFOO'");
    writeTree(dir, {
      "luagen.config.json": JSON.stringify({
        input: ["lua"],
        out: "gen",
        commands: { HFOO: { arity: -2, flags: ["write"] } },
      }),
    });
    const declared = await runCli([], dir);
    expect(declared.stderr).toBe("");
    expect(declared.code).toBe(0);
  });

  it("is a usage error when malformed", async () => {
    const dir = tempDir("commands");
    writeTree(dir, {
      "lua/foo.lua": SCRIPT,
      "luagen.config.json": JSON.stringify({ input: ["lua"], out: "gen", commands: { HFOO: { arity: "2" } } }),
    });
    const run = await runCli([], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`luagen.config.json: "commands" "HFOO".arity must be a non-zero integer`);
  });
});

describe("whether a script may write", () => {
  const writes = (text: string) => check(text).writes;

  it("is no when every call names a command that only reads", () => {
    expect(
      writes(`local rcall = redis.call\nreturn {rcall("GET", KEYS[1]), redis.pcall("OBJECT", "ENCODING", KEYS[1])}`),
    ).toBe("no");
    expect(writes(`return 1`)).toBe("no");
  });

  it("is yes on a write or a command that may replicate, even through an alias", () => {
    expect(writes(`local rcall = redis.call\nreturn rcall("SET", KEYS[1], "v")`)).toBe("yes");
    expect(writes(`return redis.call("PUBLISH", "ch", "m")`)).toBe("yes");
  });

  it("is unknown when a command is computed or redis.call goes where luagen cannot follow it", () => {
    expect(writes(`return redis.call(ARGV[1], KEYS[1])`)).toBe("unknown");
    expect(writes(`local function run(f) return f("SET", KEYS[1], "v") end\nreturn run(redis.call)`)).toBe("unknown");
    expect(writes(`local t = { call = redis.call }\nreturn t.call("SET", KEYS[1], "v")`)).toBe("unknown");
    expect(
      writes(`local rcall = redis.call\nlocal function run(f) return f("SET", KEYS[1], "v") end\nreturn run(rcall)`),
    ).toBe("unknown");
    expect(
      writes(`local rcall = redis.call\nif ARGV[1] then rcall = redis.pcall end\nreturn rcall("SET", KEYS[1], "v")`),
    ).toBe("unknown");
    expect(writes(`return redis.call("MYMODULE.WRITE", KEYS[1])`)).toBe("unknown");
  });
});

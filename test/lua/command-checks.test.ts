import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { checkCommandUse } from "../../src/lua/command-checks.js";
import { COMMANDS, extendCommands, type CommandTable } from "../../src/lua/commands.js";
import { parseLua } from "../../src/lua/parse.js";
import { diagnosticAt } from "../../src/origins.js";
import { holdOpen } from "../support/fixtures.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { connect } from "../support/script.js";
import { runCli, tempDir, writeTree } from "../support/workspace.js";
import { source } from "./stages.js";

function check(text: string, table: CommandTable = COMMANDS) {
  const file = source(text);
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) throw new Error(parsed.diagnostics[0]?.message);
  return checkCommandUse(
    parsed.chunk,
    parsed.source,
    (code, at, message, hint) => diagnosticAt(code, file.path, undefined, at, message, hint),
    table,
  );
}

const codes = (text: string, table?: CommandTable) => check(text, table).diagnostics.map((d) => d.code);

describe("command checks", () => {
  it("suggests the nearest command or subcommand", () => {
    expect(check(`return redis.call("HGETT", KEYS[1])`).diagnostics[0]?.hint).toBe("did you mean HGET?");
    expect(check(`return redis.call("client", "kil")`).diagnostics[0]?.hint).toBe("did you mean CLIENT KILL?");
    expect(check(`return redis.call("XYZZY")`).diagnostics[0]?.hint).toMatch(/"commands" in luagen.config.json/);
  });

  it("points a blocking command at its non-blocking form", () => {
    expect(check(`return redis.call("BRPOPLPUSH", KEYS[1], KEYS[2], 0)`).diagnostics[0]?.hint).toMatch(
      /^on Redis 7\.0, a script cannot block: use RPOPLPUSH, or send BRPOPLPUSH from the client$/,
    );
  });

  it("a call Redis 7.2+ and Valkey run is a warning naming the servers, never an error (LG236)", () => {
    for (const call of [
      `redis.call("BLPOP", KEYS[1], 0)`,
      `redis.call("BZPOPMIN", KEYS[1], 0)`,
      `redis.call("WAIT", 1, 0)`,
      `redis.call("ZREVRANK", KEYS[1], ARGV[1], "WITHSCORE")`,
    ]) {
      const { diagnostics } = check(`return ${call}`);
      expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["LG236", "warning"]]);
      expect(diagnostics[0]?.message).toMatch(/ as called here runs on Redis 7\.2 or later and Valkey; Redis 7\.0 /);
    }
    // What no server runs stays an error.
    expect(codes(`return redis.call("SUBSCRIBE", "c")`)).toEqual(["LG232"]);
    expect(codes(`return redis.call("ZRANK", KEYS[1])`)).toEqual(["LG231"]);
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
 * Each script, run by a real redis-server 7.0: luagen must report an error exactly when Redis
 * refuses the script, with the code that names Redis's reason.
 */
const AGAINST_REDIS: [script: string, code: string | undefined, redisSays?: RegExp][] = [
  [`return redis.call("HGETT", KEYS[1])`, "LG230", /Unknown Redis command called from script/],
  [`local rcall = redis.call\nreturn rcall("CLIENT", "KIL")`, "LG230", /Unknown Redis command called from script/],
  [`return redis.call("EXPIRE", KEYS[1])`, "LG231", /Wrong number of args/],
  [`return redis.call("OBJECT", "ENCODING")`, "LG231", /Wrong number of args/],
  [`return redis.call("BLPOP", KEYS[1], 0)`, "LG236", /not allowed from script/],
  [`return redis.call("ZRANK", KEYS[1], ARGV[1], "WITHSCORE")`, "LG236", /Wrong number of args/],
  [`return redis.call("MULTI")`, "LG232", /not allowed from script/],
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

describe("command checks agree with redis-server", () => {
  let server: RedisServer;
  let redis: Redis;
  holdOpen(async () => (server = await startRedisServer()));
  holdOpen(() => (redis = connect(server)));

  it.each(AGAINST_REDIS)("%s → %s", async (script, code, redisSays) => {
    const { diagnostics } = check(script);
    const errors = diagnostics.filter((d) => d.severity === "error");
    const run = redis.eval(script, 1, "k", "a", "b");
    if (code === undefined) {
      expect(errors).toEqual([]);
      await run;
    } else if (code === "LG236") {
      // A warning, never an error: Redis 7.2+ and Valkey run it, Redis 7.0 refuses it.
      expect(errors).toEqual([]);
      expect(diagnostics.map((d) => d.code)).toEqual(["LG236"]);
      const settled = run.then(
        () => undefined,
        (error: Error) => error,
      );
      const info = await redis.info("server");
      const version = /redis_version:(\d+)\.(\d+)/.exec(info);
      const before72 = version !== null && Number(version[1]) * 100 + Number(version[2]) < 702;
      const refused = await settled;
      if (before72 && !/server_name:valkey/.test(info)) expect(refused?.message).toMatch(redisSays!);
      else expect(refused).toBeUndefined();
    } else {
      expect(errors.map((d) => d.code)).toEqual([code]);
      await expect(run).rejects.toThrow(redisSays);
    }
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

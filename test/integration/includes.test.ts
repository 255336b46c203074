import path from "node:path";
import { Redis, type ChainableCommander } from "ioredis";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { generate } from "../../src/generate.js";
import { originOf } from "../../src/origins.js";
import type { ScriptDescriptor } from "../../templates/typescript/runtime.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { tempProject, writeTree } from "../support/workspace.js";

// A script whose work happens in included files, so that Redis's errors name lines of the
// assembled source (`user_script:N`) that only the descriptor's origins lead back from.
const FILES = {
  "lua/bump.lua": `#!lua
---Add to a counter and to a total.
---@key counter
---@key total
---@arg by integer
---@return integer  the counter's new value
---@include "includes/add"
---@include "_total"

addToTotal(KEYS[2], ARGV[1])
return add(KEYS[1], ARGV[1])
`,
  "lua/includes/add.lua": `-- Adds to a counter; Redis fails when the key holds no integer.
local function add(key, by)
  return redis.call("INCRBY", key, by)
end
`,
  "lua/_total.lua": `---@include "includes/add"
local function addToTotal(key, by)
  local limit = tonumber(redis.call("GET", key .. ":limit"))
  if limit ~= nil and limit < 0 then
    return limit + nil
  end
  return add(key, by)
end
`,
};

/** The generated function's two overloads. */
type Bump = {
  (target: Redis, counter: string, total: string, by: number): Promise<number>;
  <Batch extends ChainableCommander>(target: Batch, counter: string, total: string, by: number): Batch;
};

describe("a script with includes, run on redis-server", () => {
  let server: RedisServer;
  let redis: Redis;
  let bump: Bump;
  let script: ScriptDescriptor;

  holdOpen(async () => {
    server = await startRedisServer();
    return [server, (redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 }))];
  });
  beforeAll(async () => {
    const dir = tempProject("includes-run");
    writeTree(dir, FILES);
    const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
    expect(result.kind).toBe("written");
    const module = await import(path.join(dir, "gen", "bump.ts"));
    bump = module.bump;
    script = module.bumpScript;
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  /** The `user_script:N` Redis names, and where the origins say line N comes from. */
  async function failure(
    call: Promise<unknown>,
  ): Promise<{ message: string; line: number; origin: ReturnType<typeof originOf> }> {
    const error = (await call.then(
      () => expect.fail("expected the script to fail"),
      (e: unknown) => e,
    )) as Error;
    const line = Number(/user_script:(\d+)/.exec(error.message)?.[1]);
    return { message: error.message, line, origin: originOf(script.origins ?? [], line) };
  }

  it("runs the assembled source: the included functions, each file once", async () => {
    expect(await bump(redis, "c", "t", 2)).toBe(2);
    expect(await bump(redis, "c", "t", 3)).toBe(5);
    expect(await redis.get("t")).toBe("5");
    expect(script.source.match(/local function add\(/g)).toHaveLength(1);
    expect(script.sha1).toBe(await redis.script("LOAD", script.source));
  });

  it("a Redis error raised in an included file maps, through the origins, to that file's line", async () => {
    await redis.set("c", "not a number");
    const { message, line, origin } = await failure(bump(redis, "c", "t", 1));
    expect(message).toMatch(/^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:\d+\./);
    expect(script.source.split("\n")[line - 1]).toBe('  return redis.call("INCRBY", key, by)');
    expect(origin).toEqual({ file: "lua/includes/add.lua", line: 3 });
    // The runtime appends the file and line it found the same way.
    expect(message.endsWith(" (lua/includes/add.lua:3)")).toBe(true);
  });

  it("a Lua error in a partial maps to the partial's line", async () => {
    await redis.set("t:limit", "-1");
    const { message, origin } = await failure(bump(redis, "c", "t", 1));
    expect(message).toMatch(/^ERR user_script:\d+: attempt to perform arithmetic on a nil value/);
    expect(origin).toEqual({ file: "lua/_total.lua", line: 5 });
    expect(message.endsWith(" (lua/_total.lua:5)")).toBe(true);
  });

  it("inside a transaction, the error's user_script line maps the same way", async () => {
    await redis.set("c", "not a number");
    const results = await bump(redis.multi(), "c", "t", 1).set("after", "1").exec();
    const error = results?.[0][0] as Error;
    const line = Number(/user_script:(\d+)/.exec(error.message)?.[1]);
    expect(originOf(script.origins ?? [], line)).toEqual({ file: "lua/includes/add.lua", line: 3 });
    expect(results?.[1]).toEqual([null, "OK"]);
  });
});

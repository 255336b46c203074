// Script errors reach the caller as ioredis reports them: a rejected
// ReplyError for a direct call, the [error] pair in exec() results for a batch.
// On a direct call, when Redis names a line of the script (`user_script:N`),
// the same error also names the .lua file and line. With ioredis 5 and 6.
import { beforeEach, describe, expect, test } from "vitest";
import { ReplyError, type Redis } from "ioredis";
import {
  defineScript,
  sourceLocation,
  type ScriptDescriptor,
  type SourceOrigin,
} from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { call, connect, descriptor, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const failing = descriptor("failing", 'return redis.error_reply("my error")');
const broken = descriptor("broken", 'return redis.call("INCR", KEYS[1])', ["key"]);
const globalRead = descriptor("globalRead", ["local a = 1", "local b = 2", "return x + a + b"].join("\n"));
const RUNTIME_ERROR = /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/;

/** A descriptor whose source was assembled from two files, as `---@include` does. */
function withOrigins(script: ScriptDescriptor, origins: SourceOrigin[]): ScriptDescriptor {
  return defineScript({ ...script, keys: [...script.keys], args: [...script.args], origins });
}

// main.lua line 1, then util.lua lines 10-12 as lines 2-4, then main.lua from its line 3 on.
const assembled = withOrigins(
  descriptor(
    "assembled",
    ["local a = 1", "local function f()", "  return missing.field", "end", "local b = 2", "return f()"].join("\n"),
  ),
  [
    { line: 2, file: "src/lua/lib/util.lua", fileLine: 10 },
    { line: 5, file: "src/lua/assembled.lua", fileLine: 3 },
  ],
);

let server: RedisServer;
holdOpen(async () => (server = await startRedisServer()));

describe("sourceLocation", () => {
  test("without origins: the descriptor's file, same line", () => {
    expect(sourceLocation(broken, 7)).toBe("test/lua/broken.lua:7");
  });

  test("with origins: the entry at or before the line, counted from its fileLine; before the first entry, the file itself", () => {
    const script = { ...broken, file: "src/lua/assembled.lua", origins: assembled.origins };
    expect(sourceLocation(script, 1)).toBe("src/lua/assembled.lua:1");
    expect(sourceLocation(script, 2)).toBe("src/lua/lib/util.lua:10");
    expect(sourceLocation(script, 4)).toBe("src/lua/lib/util.lua:12");
    expect(sourceLocation(script, 5)).toBe("src/lua/assembled.lua:3");
    expect(sourceLocation(script, 6)).toBe("src/lua/assembled.lua:4");
  });
});

describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
  let redis: Redis;
  holdOpen(() => (redis = connect(server, Client)));

  beforeEach(async () => {
    await redis.flushall();
    await redis.set("notanumber-key", "x");
  });

  /** What plain ioredis rejects with for the same script, to compare against. */
  async function plainEvalError(source: string, ...keys: string[]): Promise<Error> {
    return redis.eval(source, keys.length, ...keys).then(
      () => expect.fail("expected the script to fail"),
      (error: Error) => error,
    );
  }

  for (const cache of ["cold", "warm"] as const) {
    test(`direct, ${cache} cache: redis.error_reply rejects with ioredis's ReplyError and Redis's message, untouched`, async () => {
      await redis.script("FLUSH");
      if (cache === "warm") await call(failing, redis, [], []).catch(() => undefined);
      const error = await call(failing, redis, [], []).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplyError);
      expect((error as Error).message).toBe("my error");
      expect((error as Error).message).toBe((await plainEvalError(failing.source)).message);
      // ioredis's own object: it still names the command that failed.
      expect((error as Error & { command: { name: string } }).command.name).toBe(cache === "cold" ? "eval" : "evalsha");
    });

    test(`direct, ${cache} cache: a runtime error keeps ioredis's ReplyError and Redis's message, and names the .lua file and line`, async () => {
      await redis.script("FLUSH");
      if (cache === "warm") await call(broken, redis, ["notanumber-key"], []).catch(() => undefined);
      const error = (await call(broken, redis, ["notanumber-key"], []).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(ReplyError);
      const plain = (await plainEvalError(broken.source, "notanumber-key")).message;
      expect(plain).toMatch(RUNTIME_ERROR);
      expect(error.message).toBe(`${plain} (test/lua/broken.lua:1)`);
      expect(error.stack).toContain(`${plain} (test/lua/broken.lua:1)`);
      expect((error as Error & { command: { name: string } }).command.name).toBe(cache === "cold" ? "eval" : "evalsha");
    });
  }

  test("a nonexistent global on line 3: Redis's user_script:3, and the file's line 3", async () => {
    const error = (await call(globalRead, redis, [], []).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ReplyError);
    expect(error.message).toMatch(
      /^ERR user_script:3: Script attempted to access nonexistent global variable 'x' script: [0-9a-f]{40}, on @user_script:3\. \(test\/lua\/globalRead\.lua:3\)$/,
    );
  });

  test("a source assembled from several files: the line is mapped through the descriptor's origins", async () => {
    const error = (await call(assembled, redis, [], []).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ReplyError);
    expect(error.message).toMatch(
      /user_script:3: .*nonexistent global variable 'missing'.* \(src\/lua\/lib\/util\.lua:11\)$/,
    );
  });

  test("redis.multi(): each script error sits in its own [error] pair and the rest of the transaction applies", async () => {
    await redis.script("FLUSH");
    const transaction = redis.multi().set("before", "1");
    queue(failing, transaction, [], []);
    queue(failing, transaction, [], []); // second call: EVALSHA, still "my error", never NOSCRIPT
    queue(broken, transaction, ["notanumber-key"], []);
    transaction.set("after", "1");
    const results = await transaction.exec();

    expect(results).toHaveLength(5);
    expect(results?.[0]).toEqual([null, "OK"]);
    for (const index of [1, 2]) {
      expect(results?.[index]).toHaveLength(1);
      expect(results?.[index][0]).toBeInstanceOf(ReplyError);
      expect(results?.[index][0]?.message).toBe("my error");
    }
    // Batch results are ioredis's own, unannotated: reaching into them would take more ioredis internals.
    expect(results?.[3][0]).toBeInstanceOf(ReplyError);
    expect(results?.[3][0]?.message).toMatch(RUNTIME_ERROR);
    expect(results?.[4]).toEqual([null, "OK"]);
    expect(await redis.mget("before", "after")).toEqual(["1", "1"]);
  });

  test("redis.pipeline(): the script errors sit in their [error] pairs, the other commands succeed", async () => {
    const pipeline = redis.pipeline().set("before", "1");
    queue(failing, pipeline, [], []);
    queue(broken, pipeline, ["notanumber-key"], []);
    const results = await pipeline.exec();

    expect(results?.[0]).toEqual([null, "OK"]);
    expect(results?.[1][0]).toBeInstanceOf(ReplyError);
    expect(results?.[1][0]?.message).toBe("my error");
    expect(results?.[2][0]).toBeInstanceOf(ReplyError);
    expect(results?.[2][0]?.message).toMatch(RUNTIME_ERROR);
  });

  test("a connection error is not retried as if it were NOSCRIPT", async () => {
    const lonely = connect(server, Client);
    await lonely.quit();
    const error = await call(failing, lonely, [], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Connection is closed/);
  });
});

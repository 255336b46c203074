// Script errors reach the caller exactly as ioredis reports them: a rejected
// ReplyError for a direct call, the [error] pair in exec() results for a batch.
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { ReplyError, type Redis } from "ioredis";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { call, connect, descriptor, queue } from "../support/script.js";

const failing = descriptor("failing", 'return redis.error_reply("my error")');
const broken = descriptor("broken", 'return redis.call("INCR", KEYS[1])', ["key"]);
const RUNTIME_ERROR = /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/;

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = connect(server);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

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
  test(`direct, ${cache} cache: redis.error_reply rejects with ioredis's ReplyError and Redis's message`, async () => {
    await redis.script("FLUSH");
    if (cache === "warm") await call(failing, redis, [], []).catch(() => undefined);
    const error = await call(failing, redis, [], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error).message).toBe("my error");
    expect((error as Error).message).toBe((await plainEvalError(failing.source)).message);
    // ioredis's own object, untouched: it still names the command that failed.
    expect((error as Error & { command: { name: string } }).command.name).toBe(cache === "cold" ? "eval" : "evalsha");
  });

  test(`direct, ${cache} cache: a runtime error rejects with ioredis's ReplyError and Redis's message`, async () => {
    await redis.script("FLUSH");
    if (cache === "warm") await call(broken, redis, ["notanumber-key"], []).catch(() => undefined);
    const error = await call(broken, redis, ["notanumber-key"], []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error).message).toMatch(RUNTIME_ERROR);
    expect((error as Error).message).toBe((await plainEvalError(broken.source, "notanumber-key")).message);
  });
}

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
  const lonely = connect(server);
  await lonely.quit();
  const error = await call(failing, lonely, [], []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/Connection is closed/);
});

// What runScript actually sends, as MONITOR on a second connection sees it,
// cross-checked with INFO commandstats: never SCRIPT EXISTS / SCRIPT LOAD.
// Each test runs with ioredis 5, ioredis 6 and iovalkey, on redis-server and on Valkey 8.
import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { defineScript, type ScriptBatch } from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { type RedisServer } from "../support/redis-server.js";
import { call, commandCalls, connect, descriptor, names, queue, startMulti } from "../support/script.js";
import { holdOpen, useWatchedServer, type Wire } from "../support/fixtures.js";
import { LIVE_SERVERS } from "../support/live-servers.js";

const incr = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);
const get = descriptor("getKey", 'return redis.call("GET", KEYS[1])', ["key"]);

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  let admin: Redis; // the test's own checks, outside the wire being watched
  let wire: Wire;
  useWatchedServer((fixture) => ({ server, admin, wire } = fixture), start);

  function incrOn(client: Redis, by: number): Promise<unknown> {
    return call(incr, client, ["counter"], [by]);
  }

  function queueIncr<Batch extends ScriptBatch>(batch: Batch, by: number): Batch {
    return queue(incr, batch, ["counter"], [by]);
  }

  describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
    let redis: Redis;
    holdOpen(() => (redis = connect(server, Client)));

    test("direct, cold cache: EVALSHA, NOSCRIPT, then EVAL once", async () => {
      const seen = await wire.capture(redis, async () => {
        expect(await incrOn(redis, 5)).toBe(5);
      });
      expect(seen).toEqual([
        ["EVALSHA", incr.sha1, "1", "counter", "5"],
        ["EVAL", incr.source, "1", "counter", "5"],
      ]);
      expect(await commandCalls(admin)).toMatchObject({ evalsha: 1, eval: 1 });
    });

    test("direct, warm cache: EVALSHA only", async () => {
      await incrOn(redis, 1);
      const seen = await wire.capture(redis, async () => {
        expect(await incrOn(redis, 2)).toBe(3);
        expect(await incrOn(redis, 3)).toBe(6);
      });
      expect(names(seen)).toEqual(["EVALSHA", "EVALSHA"]);
    });

    test("a transaction calling one script twice: EVAL, then EVALSHA", async () => {
      const seen = await wire.capture(redis, async () => {
        const results = await queueIncr(queueIncr(redis.multi(), 1), 10).exec();
        expect(results).toEqual([
          [null, 1],
          [null, 11],
        ]);
      });
      expect(seen).toEqual([
        ["MULTI"],
        ["EVAL", incr.source, "1", "counter", "1"],
        ["EVALSHA", incr.sha1, "1", "counter", "10"],
        ["EXEC"],
      ]);
    });

    test("a transaction calling two different scripts: two EVALs", async () => {
      await redis.set("key", "v");
      const seen = await wire.capture(redis, async () => {
        const transaction = redis.multi();
        queue(get, queueIncr(transaction, 1), ["key"], []);
        expect(await transaction.exec()).toEqual([
          [null, 1],
          [null, "v"],
        ]);
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "EVAL", "EXEC"]);
    });

    test("a plain pipeline always sends EVAL, even for repeats", async () => {
      await incrOn(redis, 1); // warm: the pipeline must not rely on it anyway
      const seen = await wire.capture(redis, async () => {
        const results = await queueIncr(queueIncr(queueIncr(redis.pipeline(), 1), 1), 1).exec();
        expect(results).toEqual([
          [null, 2],
          [null, 3],
          [null, 4],
        ]);
      });
      expect(names(seen)).toEqual(["EVAL", "EVAL", "EVAL"]);
    });

    test("pipeline().multi(): EVAL outside, EVAL then EVALSHA inside, and a second MULTI starts over", async () => {
      const seen = await wire.capture(redis, async () => {
        const pipeline = redis.pipeline();
        queueIncr(pipeline, 1);
        queueIncr(queueIncr(startMulti(pipeline), 1), 1);
        void pipeline.exec(); // queues EXEC only
        queueIncr(pipeline, 1);
        queueIncr(queueIncr(startMulti(pipeline), 1), 1);
        void pipeline.exec();
        expect(await pipeline.exec()).toEqual([
          [null, 1],
          [null, "OK"],
          [null, "QUEUED"],
          [null, "QUEUED"],
          [null, [2, 3]],
          [null, 4],
          [null, "OK"],
          [null, "QUEUED"],
          [null, "QUEUED"],
          [null, [5, 6]],
        ]);
      });
      expect(names(seen)).toEqual([
        "EVAL",
        "MULTI",
        "EVAL",
        "EVALSHA",
        "EXEC",
        "EVAL",
        "MULTI",
        "EVAL",
        "EVALSHA",
        "EXEC",
      ]);
      expect(await admin.get("counter")).toBe("6");
    });

    test("separate transactions each start with EVAL, even on a warm cache", async () => {
      await incrOn(redis, 1);
      const seen = await wire.capture(redis, async () => {
        await queueIncr(redis.multi(), 1).exec();
        await queueIncr(redis.multi(), 1).exec();
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "EXEC", "MULTI", "EVAL", "EXEC"]);
    });
  });

  /** A no-writes script goes as EVALSHA_RO / EVAL_RO wherever the policy sends EVALSHA / EVAL. */
  const readOnly = (() => {
    const source = '#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])';
    const plain = descriptor("readKey", source, ["key"]);
    return defineScript({ ...plain, flags: ["no-writes"] });
  })();

  describe.each(IOREDIS)("$name, a no-writes script", ({ Redis: Client }) => {
    let redis: Redis;
    holdOpen(() => (redis = connect(server, Client)));

    test("direct, cold cache: EVALSHA_RO, NOSCRIPT, then EVAL_RO (the retry stays read-only)", async () => {
      await admin.set("key", "v");
      const seen = await wire.capture(redis, async () => {
        expect(await call(readOnly, redis, ["key"], [])).toBe("v");
      });
      expect(names(seen)).toEqual(["EVALSHA_RO", "EVAL_RO"]);
      expect(seen[0]).toEqual(["EVALSHA_RO", readOnly.sha1, "1", "key"]);
      expect(await commandCalls(admin)).toMatchObject({ evalsha_ro: 1, eval_ro: 1 });
    });

    test("a transaction: EVAL_RO, then EVALSHA_RO; a pipeline: EVAL_RO", async () => {
      await admin.set("key", "v");
      const seen = await wire.capture(redis, async () => {
        expect(await queue(readOnly, queue(readOnly, redis.multi(), ["key"], []), ["key"], []).exec()).toEqual([
          [null, "v"],
          [null, "v"],
        ]);
        expect(await queue(readOnly, redis.pipeline(), ["key"], []).exec()).toEqual([[null, "v"]]);
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL_RO", "EVALSHA_RO", "EXEC", "EVAL_RO"]);
    });
  });
});

// A restart empties the script cache (and, without persistence, the data).
// Restarted between calls and between batches, and between building a batch and
// sending it, every later direct call, pipeline and transaction succeeds and no
// NOSCRIPT reaches the caller. With ioredis 5, ioredis 6 and iovalkey, on redis-server and
// on Valkey 8.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { sleep } from "../support/redis-process.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { call, commandStats, descriptor, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const incr = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);
const get = descriptor("getKey", 'return redis.call("GET", KEYS[1])', ["key"]);

const RESTARTS = 2;
const RECONNECT_TIMEOUT_MS = 10_000;

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  holdOpen(async () => (server = await start()));

  /** Restarts the server and waits until `clients` have reconnected (they retry on their own). */
  async function restart(...clients: Redis[]): Promise<void> {
    await server.restart();
    const deadline = Date.now() + RECONNECT_TIMEOUT_MS;
    while (clients.some((client) => client.status !== "ready")) {
      if (Date.now() > deadline)
        throw new Error(`clients did not reconnect: ${clients.map((c) => c.status).join(", ")}`);
      await sleep(10);
    }
  }

  describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
    let redis: Redis;
    let checker: Redis;

    beforeAll(async () => {
      // Reconnect every 20 ms (ioredis's default backs off by 50 ms a try): the restarts stay quick.
      const options = { host: server.host, port: server.port, maxRetriesPerRequest: 1, retryStrategy: () => 20 };
      redis = new Client(options);
      checker = new Redis(options);
      for (const client of [redis, checker]) client.on("error", () => undefined); // ECONNREFUSED while the server restarts
      await Promise.all([redis.ping(), checker.ping()]);
    });

    afterAll(() => {
      redis?.disconnect();
      checker?.disconnect();
    });

    beforeEach(async () => {
      await checker.flushall();
      await checker.config("RESETSTAT");
    });

    test("restarted between calls and between batches: direct calls, pipelines and transactions all succeed", async () => {
      for (let round = 0; round < RESTARTS; round++) {
        expect(await call(incr, redis, ["counter"], [1])).toBe(1); // warms the cache...
        await restart(redis, checker); // ...which the restart empties, with the data

        expect(await call(incr, redis, ["counter"], [2])).toBe(2);
        expect(await call(incr, redis, ["counter"], [3])).toBe(5);
        const stats = await commandStats(checker);
        expect(stats.evalsha).toEqual({ calls: 2, failed: 1 }); // the first EVALSHA met the empty cache
        expect(stats.eval).toEqual({ calls: 1, failed: 0 }); // and was retried once, with EVAL

        await restart(redis, checker);
        const pipeline = queue(incr, queue(incr, redis.pipeline(), ["counter"], [1]), ["counter"], [1]);
        expect(await queue(get, pipeline, ["counter"], []).exec()).toEqual([
          [null, 1],
          [null, 2],
          [null, "2"],
        ]);

        await restart(redis, checker);
        const transaction = queue(
          incr,
          queue(incr, redis.multi().set("other", "x"), ["counter"], [10]),
          ["counter"],
          [10],
        );
        expect(await queue(get, transaction, ["counter"], []).exec()).toEqual([
          [null, "OK"],
          [null, 10],
          [null, 20],
          [null, "20"],
        ]);
        await checker.flushall(); // the next round starts from nothing, as the first did
        await checker.config("RESETSTAT");
      }
    });

    test("a batch built before a restart and sent after it still succeeds", async () => {
      await call(incr, redis, ["counter"], [1]); // a warm cache the batches must not rely on
      const pipeline = queue(
        get,
        queue(incr, queue(incr, redis.pipeline(), ["counter"], [1]), ["counter"], [1]),
        ["counter"],
        [],
      );
      const transaction = queue(get, queue(incr, queue(incr, redis.multi(), ["tx"], [1]), ["tx"], [1]), ["tx"], []);
      await restart(redis, checker);

      expect(await pipeline.exec()).toEqual([
        [null, 1],
        [null, 2],
        [null, "2"],
      ]);
      expect(await transaction.exec()).toEqual([
        [null, 1],
        [null, 2],
        [null, "2"],
      ]);
      const stats = await commandStats(checker);
      expect(stats.evalsha?.failed ?? 0).toBe(0); // only the transaction's second call used EVALSHA, after its EVAL
    });
  });
});

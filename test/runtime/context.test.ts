// Which context runScript sees for each kind of target, and the one context
// it cannot see: multi({ pipeline: false }). With ioredis 5 and with ioredis 6.
import { beforeEach, describe as group, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { clusterTarget, scriptContext } from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { call, connect, descriptor, startMulti, watchWire } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

let server: RedisServer;
holdOpen(async () => (server = await startRedisServer()));

group.each(IOREDIS)("$name", ({ Redis: Client, Cluster }) => {
  let redis: Redis;
  holdOpen(() => (redis = connect(server, Client)));

  beforeEach(async () => {
    await redis.flushall();
  });

  group("clusterTarget", () => {
    test("a Redis client and its batches are not a cluster", () => {
      expect(clusterTarget(redis)).toBeUndefined();
      expect(clusterTarget(redis.pipeline())).toBeUndefined();
      expect(clusterTarget(redis.multi())).toBeUndefined();
    });

    test("a Cluster and its batches are, with the keyPrefix from either place ioredis takes it", () => {
      // lazyConnect: never connects, so no cluster is needed to ask.
      const plain = new Cluster([{ host: "127.0.0.1", port: server.port }], { lazyConnect: true });
      const top = new Cluster([], { lazyConnect: true, keyPrefix: "top:" });
      const nested = new Cluster([], { lazyConnect: true, redisOptions: { keyPrefix: "nested:" } });
      expect(clusterTarget(plain)).toEqual({ keyPrefix: undefined });
      expect(clusterTarget(plain.pipeline())).toEqual({ keyPrefix: undefined });
      expect(clusterTarget(top.multi())).toEqual({ keyPrefix: "top:" });
      expect(clusterTarget(nested)).toEqual({ keyPrefix: "nested:" });
      expect(clusterTarget(nested.pipeline())).toEqual({ keyPrefix: "nested:" });
    });
  });

  group("scriptContext", () => {
    test("a Redis client is direct", () => {
      expect(scriptContext(redis)).toEqual({ kind: "direct" });
    });

    test("redis.pipeline() is a plain pipeline", () => {
      expect(scriptContext(redis.pipeline())).toEqual({ kind: "pipeline" });
    });

    test("redis.multi() is a transaction whose MULTI is queued first", () => {
      expect(scriptContext(redis.multi())).toEqual({ kind: "transaction", multiIndex: 0 });
    });

    test("redis.pipeline().multi() is a transaction starting where multi() was called", () => {
      expect(scriptContext(startMulti(redis.pipeline()))).toEqual({ kind: "transaction", multiIndex: 0 });
      expect(scriptContext(startMulti(redis.pipeline().get("a")))).toEqual({ kind: "transaction", multiIndex: 1 });
    });

    test("after exec() queues EXEC in a pipeline, the pipeline is plain again; a new multi() is a new transaction", () => {
      const pipeline = startMulti(redis.pipeline()).get("a");
      void pipeline.exec(); // inside a pipeline this only queues EXEC
      expect(scriptContext(pipeline)).toEqual({ kind: "pipeline" });
      startMulti(pipeline);
      expect(scriptContext(pipeline)).toEqual({ kind: "transaction", multiIndex: 3 });
    });

    test("redis.multi() after exec() is no longer a transaction", async () => {
      const transaction = redis.multi().get("a");
      await transaction.exec();
      expect(scriptContext(transaction)).toEqual({ kind: "pipeline" });
    });
  });

  group("multi({ pipeline: false })", () => {
    const incr = descriptor("incrKey", 'return redis.call("INCR", KEYS[1])', ["counter"]);

    test("is refused with a clear error, after DISCARD, so nothing of the transaction runs", async () => {
      await redis.multi({ pipeline: false });
      expect(await redis.set("set-in-transaction", "1")).toBe("QUEUED");

      const attempt = call(incr, redis, ["counter"], []);
      await expect(attempt).rejects.toThrow('incrKey: luagen cannot run "incrKey" inside multi({ pipeline: false })');
      await expect(attempt).rejects.toThrow(/transaction was discarded.*Use redis\.multi\(\) \(the default\) instead/);

      // The DISCARD went out: there is no transaction left to EXEC, and nothing applied.
      await expect(redis.exec()).rejects.toThrow("EXEC without MULTI");
      expect(await redis.get("set-in-transaction")).toBeNull();
      expect(await redis.get("counter")).toBeNull();
    });

    test.each([
      ["a bulk string", 'return "QUEUED"'],
      ["a status", 'return {ok="QUEUED"}'],
    ])(
      "a script whose own reply is QUEUED (%s) is not mistaken for a transaction, and no DISCARD is sent",
      async (_title, source) => {
        const queued = descriptor("jobState", source);
        expect(await call(queued, redis, [], [])).toBe("QUEUED"); // cold: EVALSHA, NOSCRIPT, EVAL
        const wire = await watchWire(server);
        try {
          const seen = await wire.capture(redis, async () => {
            expect(await call(queued, redis, [], [])).toBe("QUEUED");
          });
          // ioredis gives the status and the bulk string alike, so the reply is checked
          // with a PING, which changes nothing outside a transaction; never with DISCARD.
          expect(seen).toEqual([["EVALSHA", queued.sha1, "0"], ["PING"]]);
        } finally {
          await wire.close();
        }
        expect(await redis.set("after", "1")).toBe("OK");
      },
    );
  });
});

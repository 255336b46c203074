// node-redis 5 and 6 on a Redis Cluster of 3 masters and 3 replicas (createCluster): a
// direct call goes to the master that owns its keys' slot (node-redis routes it by its first
// key): EVALSHA, then one EVAL after a flush; a multi queues EVAL there, whether it ends as
// exec() or execAsPipeline(); keys in different slots are a TypeError before anything is
// sent; and a SCRIPT FLUSH storm on every master fails nothing.
import calculateSlot from "cluster-key-slot";
import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { NODE_REDIS, callOn, queueOn, type NodeRedisConnection } from "../support/node-redis.js";
import { pool, underFlushStorm } from "../support/load.js";
import { type RedisCluster } from "../support/redis-cluster.js";
import { commandStats, descriptor, incrPair, names } from "../support/script.js";
import { holdOpen, useWatchedCluster, type Wire } from "../support/fixtures.js";

const TAG = "{user42}";
const KEYS = [`${TAG}:a`, `${TAG}:b`];
const SLOT = calculateSlot(TAG);

const hit = descriptor("hit", 'return redis.call("INCR", KEYS[1])', ["key"]);

let cluster: RedisCluster;
let owner: Redis;
let wire: Wire;
useWatchedCluster(SLOT, (fixture) => ({ cluster, owner, wire } = fixture));

/** What node-redis sends on its own to a node it (re)connects to or asks for the slot map. */
const HOUSEKEEPING = new Set(["CLUSTER", "INFO", "HELLO", "CLIENT", "READONLY", "PING", "COMMAND"]);

async function seenOnOwner(work: () => Promise<unknown>) {
  return (await wire.capture(owner, work)).filter(([name]) => !HOUSEKEEPING.has(name));
}

/** EVAL and EVALSHA calls per node since the last RESETSTAT, only the nodes that had any. */
async function scriptCallsPerNode(): Promise<Record<number, number>> {
  const perNode: Record<number, number> = {};
  for (const { port, admin } of cluster.live()) {
    const stats = await commandStats(admin);
    const calls = (stats.eval?.calls ?? 0) + (stats.evalsha?.calls ?? 0);
    if (calls > 0) perNode[port] = calls;
  }
  return perNode;
}

describe.each(NODE_REDIS)("$name", (nodeRedis) => {
  let client: NodeRedisConnection;
  holdOpen(async () => (client = await nodeRedis.cluster(cluster.startupNodes)));

  test("direct: EVALSHA, NOSCRIPT, one EVAL on the owner of the slot, and nowhere else", async () => {
    const seen = await seenOnOwner(async () => {
      expect(await callOn(incrPair, client, KEYS, [5])).toEqual([5, 5]);
      expect(await callOn(incrPair, client, KEYS, [1])).toEqual([6, 6]);
    });
    expect(names(seen)).toEqual(["EVALSHA", "EVAL", "EVALSHA"]);
    expect(Object.keys(await scriptCallsPerNode())).toEqual([String(owner.options.port)]);
  });

  test("a multi: EVAL every time on the owner, for exec() and for execAsPipeline()", async () => {
    const seen = await seenOnOwner(async () => {
      expect(await queueOn(incrPair, queueOn(incrPair, client.multi(), KEYS, [1]), KEYS, [1]).exec()).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect(await queueOn(incrPair, queueOn(incrPair, client.multi(), KEYS, [1]), KEYS, [1]).execAsPipeline()).toEqual(
        [
          [3, 3],
          [4, 4],
        ],
      );
    });
    expect(names(seen)).toEqual(["MULTI", "EVAL", "EVAL", "EXEC", "EVAL", "EVAL"]);
  });

  test("keys in different slots: a TypeError naming each key and slot, rejected, nothing sent", async () => {
    const crossSlot = ["user42:a", "user42:b"];
    await expect(callOn(incrPair, client, crossSlot, [1])).rejects.toThrowError(
      new TypeError(
        `incrPair: on a Redis Cluster all keys of one call must hash to the same slot, but ` +
          `key "first" "user42:a" is in slot ${calculateSlot("user42:a")}, key "second" "user42:b" is in slot ${calculateSlot("user42:b")}. ` +
          `Give them a common hash tag: only the part in braces is hashed, so "{user42}:a" and "{user42}:b" share a slot.`,
      ),
    );
    expect(await scriptCallsPerNode()).toEqual({});
  });

  test("a SCRIPT FLUSH storm on every master fails no direct call and no multi", async () => {
    const masters = (await cluster.shards()).map((shard) => cluster.admin(shard.port));
    const keys = ["{a}", "{b}", "{c}", "{d}", "{e}", "{f}"].map((tag) => `${tag}:hits`);
    const failures: unknown[] = [];
    const { flushes } = await underFlushStorm(masters, () =>
      Promise.all([
        pool(1_200, 20, async (i) => {
          await callOn(hit, client, [keys[i % keys.length]], []).catch((error: unknown) => void failures.push(error));
        }),
        pool(200, 10, async (i) => {
          const key = keys[i % keys.length];
          await queueOn(hit, queueOn(hit, client.multi(), [key], []), [key], [])
            .exec()
            .catch((error: unknown) => void failures.push(error));
        }),
        pool(200, 10, async (i) => {
          const key = keys[i % keys.length];
          await queueOn(hit, queueOn(hit, client.multi(), [key], []), [key], [])
            .execAsPipeline()
            .catch((error: unknown) => void failures.push(error));
        }),
      ]),
    );
    console.info(
      `node-redis cluster flood (${nodeRedis.name}): ${flushes} SCRIPT FLUSH over ${masters.length} masters, ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
    expect(flushes).toBeGreaterThan(10);
    let total = 0;
    for (const key of keys) total += Number(await client.sendCommand(key, false, ["GET", key]));
    expect(total).toBe(1_200 + 200 * 2 + 200 * 2);
  });
});

// keyPrefix is new in node-redis 6.
describe.each(NODE_REDIS.filter((nodeRedis) => nodeRedis.major === 6))("$name", (nodeRedis) => {
  test("the slot guard uses the slots behind the cluster's keyPrefix (v6)", async () => {
    const tagged = await nodeRedis.cluster(cluster.startupNodes, { keyPrefix: "{tenant}:" });
    try {
      // "a" and "b" differ, but behind "{tenant}:" both hash "tenant": allowed, and Redis agrees.
      expect(await callOn(incrPair, tagged, ["a", "b"], [1])).toEqual([1, 1]);
    } finally {
      tagged.destroy();
    }
  });
});

// The flood of test/runtime/flood.test.ts on a real Redis Cluster: while SCRIPT FLUSH is sent
// back to back to every master, direct calls, cluster.pipeline() and cluster.multi() all
// succeed, with no NOSCRIPT and no partial transaction. Keys carry one hash tag per context so
// each batch stays in one slot, and the three contexts land on different masters. With ioredis
// 5 and 6. (A file of its own: the other cluster tests assert that no SCRIPT command ever
// reaches a node.)
import calculateSlot from "cluster-key-slot";
import { describe, expect, test } from "vitest";
import type { Cluster } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { pool, underFlushStorm } from "../support/load.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { call, commandStats, descriptor, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const DIRECT_CALLS = 1_000;
const PIPELINES = 100;
const PIPELINE_SIZE = 10;
const TRANSACTIONS = 100;
const CONCURRENCY = 20;

const hit = descriptor("hit", 'return redis.call("INCR", KEYS[1])', ["key"]);

let cluster: RedisCluster;
holdOpen(async () => (cluster = await startRedisCluster()));

describe.each(IOREDIS)("$name", ({ Cluster: ClusterClient }) => {
  let client: Cluster;
  holdOpen(
    () => (client = new ClusterClient([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } })),
  );

  test("direct calls, pipelines and transactions all succeed while every master's script cache is flushed", async () => {
    const masters = (await cluster.shards()).map((shard) => cluster.admin(shard.port));
    for (const master of masters) {
      await master.flushall();
      await master.config("RESETSTAT");
    }
    // One hash tag per context, chosen so the three contexts' keys sit on three different masters.
    const tags = await tagsOnDistinctMasters(["direct", "pipelined", "tx"]);
    const key = (context: string, name: string) => `{${tags[context]}}:${name}`;
    const failures: unknown[] = [];
    let committed = 0;

    const { flushes } = await underFlushStorm(masters, async () => {
      await Promise.all([
        pool(DIRECT_CALLS, CONCURRENCY, async () => {
          await call(hit, client, [key("direct", "hits")], []).catch((error) => void failures.push(error));
        }),
        pool(PIPELINES, CONCURRENCY, async () => {
          const pipeline = client.pipeline();
          for (let i = 0; i < PIPELINE_SIZE; i++) queue(hit, pipeline, [key("pipelined", "hits")], []);
          for (const [error] of (await pipeline.exec()) ?? []) if (error) failures.push(error);
        }),
        pool(TRANSACTIONS, CONCURRENCY, async () => {
          const transaction = client.multi().incr(key("tx", "counter"));
          queue(hit, queue(hit, transaction, [key("tx", "hits")], []), [key("tx", "hits")], []);
          const results = (await transaction.exec().catch((error) => void failures.push(error))) ?? [];
          const errors = results.filter(([error]) => error).map(([error]) => error);
          failures.push(...errors);
          if (results.length === 3 && errors.length === 0) committed++;
        }),
      ]);
    });

    const noscriptReplies = (await Promise.all(masters.map(commandStats))).reduce(
      (sum, stats) => sum + (stats.evalsha?.failed ?? 0),
      0,
    );
    console.info(
      `cluster flood: ${flushes} SCRIPT FLUSH over ${masters.length} masters, ${noscriptReplies} NOSCRIPT replies absorbed`,
    );
    expect(failures).toEqual([]);
    expect(flushes).toBeGreaterThan(10 * masters.length);
    expect(noscriptReplies).toBeGreaterThan(0); // the storm really emptied the caches under direct calls
    expect(await client.get(key("direct", "hits"))).toBe(String(DIRECT_CALLS));
    expect(await client.get(key("pipelined", "hits"))).toBe(String(PIPELINES * PIPELINE_SIZE));
    expect(await client.get(key("tx", "counter"))).toBe(String(TRANSACTIONS));
    expect(await client.get(key("tx", "hits"))).toBe(String(TRANSACTIONS * 2));
    expect(committed).toBe(TRANSACTIONS);
  });
});

/** A hash tag per name, each served by a different master (three masters, three names). */
async function tagsOnDistinctMasters(names: readonly string[]): Promise<Record<string, string>> {
  const shards = await cluster.shards();
  const masterOf = (tag: string) =>
    shards.find((s) => s.slots.some(([from, to]) => calculateSlot(tag) >= from && calculateSlot(tag) <= to))?.port;
  const used = new Set<number | undefined>();
  const tags: Record<string, string> = {};
  for (const name of names) {
    let n = 0;
    while (used.has(masterOf(`${name}${n}`))) n++;
    tags[name] = `${name}${n}`;
    used.add(masterOf(tags[name]));
  }
  return tags;
}

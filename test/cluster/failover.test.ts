// A master of the cluster stops; its replica, whose script cache is empty (since
// Redis 7.0 scripts are not replicated), is promoted. Once the promotion is
// observed and ioredis has refreshed its slot map, every call of every context
// succeeds and NOSCRIPT never reaches the caller; before that, only the errors
// listed in TOLERATED_WHILE_DOWN are accepted. Both ioredis majors run on one
// cluster: each stops the master of a different shard.
import calculateSlot from "cluster-key-slot";
import { describe, expect, test } from "vitest";
import type { Cluster } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { sleep } from "../support/redis-process.js";
import { startRedisCluster, type ClusterShard, type RedisCluster } from "../support/redis-cluster.js";
import { call, commandStats, descriptor, incrPair, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";
import { firstError, within } from "../support/load.js";

const getPair = descriptor("getPair", 'return redis.call("MGET", KEYS[1], KEYS[2])', ["first", "second"]);

/**
 * What ioredis may raise for a call while the slot's master is stopped and its
 * replica not yet promoted. Each means "no node can serve this slot right now";
 * none means the script cache misled the call:
 * - "Connection is closed": the command was written to, or queued on, the
 *   stopped master's connection;
 * - "Too many Cluster redirections": ioredis retried the command (after MOVED,
 *   CLUSTERDOWN or a closed connection) `maxRedirections` times, all during the outage;
 * - "CLUSTERDOWN": a live node answered for the slot after the cluster flagged the
 *   master as failed and before the replica took over;
 * - "Failed to refresh slots cache" (ClusterAllFailedError): a slot-map refresh
 *   found no node to answer it, or asked the stopped one;
 * - "Reached the max retries per request limit" (MaxRetriesPerRequestError) and
 *   "ECONNREFUSED": the connection to the stopped master gave up, or was refused;
 * - "EXECABORT": a transaction whose MULTI or queued command met one of the above.
 * NOSCRIPT is never tolerated, and nothing is once the promotion is observed.
 */
const TOLERATED_WHILE_DOWN =
  /Connection is closed|Too many Cluster redirections|CLUSTERDOWN|Failed to refresh slots cache|max retries per request|ECONNREFUSED|EXECABORT/;
const PROMOTION_TIMEOUT_MS = 30_000;
const ROUND_TIMEOUT_MS = 10_000;
const ROUNDS_AFTER = 10;

let cluster: RedisCluster;
holdOpen(async () => (cluster = await startRedisCluster()));

/** A hash tag whose slot the shard serves. */
function tagServedBy(shard: ClusterShard, name: string): string {
  for (let i = 0; i < 100_000; i++) {
    const slot = calculateSlot(`${name}-${i}`);
    if (shard.slots.some(([from, to]) => from <= slot && slot <= to)) return `{${name}-${i}}`;
  }
  throw new Error(`no tag of ${name} hashes to the shard of ${shard.port}`);
}

describe.each(IOREDIS)("$name", ({ Cluster: ClusterClient, major }) => {
  test("a master stops: after its replica's promotion every direct call, pipeline and transaction succeeds", async () => {
    const victim = (await cluster.shards()).find((shard) => shard.replicaPorts.length > 0);
    if (victim === undefined) throw new Error("no shard with a replica left to fail over");
    const [replicaPort] = victim.replicaPorts;
    const tag = tagServedBy(victim, `failover${major}`);
    const keys = [`${tag}:a`, `${tag}:b`];
    const client: Cluster = new ClusterClient([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
    client.on("error", () => undefined); // node errors during the outage; each call reports its own
    try {
      // Both scripts cached on the master; its replica has neither (scripts are not replicated).
      expect(await call(incrPair, client, keys, [1])).toEqual([1, 1]);
      expect(await call(getPair, client, keys, [])).toEqual(["1", "1"]);
      expect(await call(getPair, client, keys, [])).toEqual(["1", "1"]);
      const replica = cluster.admin(replicaPort);
      await replica.config("RESETSTAT");

      // Until the promotion is observed, a call may fail with a tolerated error; a call started after, never.
      let promoted = false;
      const whileDown: unknown[] = [];
      const afterPromotion: unknown[] = [];

      /** One call of each context, one after the other; failures are filed by when the call started. */
      const round = async (): Promise<void> => {
        const attempt = async (work: () => Promise<unknown>) => {
          const failures = promoted ? afterPromotion : whileDown;
          await within(ROUND_TIMEOUT_MS, work()).catch((error: unknown) => void failures.push(error));
        };
        await attempt(() => call(incrPair, client, keys, [1]));
        await attempt(() => queue(incrPair, client.pipeline(), keys, [1]).exec().then(firstError));
        await attempt(() =>
          queue(incrPair, queue(incrPair, client.multi(), keys, [1]), keys, [1])
            .exec()
            .then(firstError),
        );
      };

      await cluster.nodes.find((node) => node.port === victim.port)!.stop();
      const promotion = cluster.waitUntilMasterOf(calculateSlot(tag), replicaPort, PROMOTION_TIMEOUT_MS).then(() => {
        promoted = true;
      });
      let rounds = 0;
      while (!promoted) {
        await round();
        rounds++;
        await Promise.race([promotion, sleep(50)]); // rethrows if the promotion never came
      }
      expect(whileDown.map(String).filter((message) => message.includes("NOSCRIPT"))).toEqual([]);
      expect(whileDown.map(String).filter((message) => !TOLERATED_WHILE_DOWN.test(message))).toEqual([]);
      expect(afterPromotion).toEqual([]);

      // ioredis refreshes its slot map on its own (on MOVED, on errors, periodically); ask, and wait until it has.
      const refreshDeadline = Date.now() + PROMOTION_TIMEOUT_MS;
      while (!client.nodes("master").some((node) => node.options.port === replicaPort)) {
        if (Date.now() > refreshDeadline) throw new Error("ioredis never learned about the promoted master");
        client.refreshSlotsCache();
        await sleep(50);
      }

      // From here on, everything succeeds. getPair was not called during the outage, so the
      // new master meets it with an empty cache: EVALSHA, NOSCRIPT, one EVAL, invisible to the caller.
      const before = (await replica.get(keys[0])) as string;
      expect(await call(getPair, client, keys, [])).toEqual([before, before]);
      const stats = await commandStats(replica);
      expect(stats.evalsha?.failed ?? 0).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < ROUNDS_AFTER; i++) await round();
      expect(afterPromotion).toEqual([]);
      const pipeline = queue(getPair, queue(incrPair, client.pipeline(), keys, [1]), keys, []);
      expect(await pipeline.exec()).toEqual([
        [null, [Number(before) + 4 * ROUNDS_AFTER + 1, Number(before) + 4 * ROUNDS_AFTER + 1]],
        [null, [String(Number(before) + 4 * ROUNDS_AFTER + 1), String(Number(before) + 4 * ROUNDS_AFTER + 1)]],
      ]);
      console.info(
        `failover (${major}): ${rounds} rounds while down, ${whileDown.length} tolerated errors ` +
          `(${[...new Set(whileDown.map((error) => String(error).slice(0, 60)))].join("; ") || "none"}); ` +
          `${stats.evalsha?.failed ?? 0} NOSCRIPT replies on the promoted master, none reached the caller`,
      );
      expect(Object.keys(await commandStats(replica)).filter((name) => name.startsWith("script"))).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});

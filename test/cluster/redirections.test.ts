// ioredis's Cluster counts every error reply of a command against `maxRedirections`, NOSCRIPT
// included, and once the count is spent it rejects with its own error that only quotes the
// last one: "Too many Cluster redirections. Last error: ReplyError: NOSCRIPT ...". That happens
// during a failover (the command was redirected while the cluster settled and then met the
// promoted replica's empty cache) and, deterministically, with `maxRedirections: 0`. It is
// still a NOSCRIPT: the script did not run, and the direct call's one EVAL must follow.
import { describe, expect, test } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { IOREDIS } from "../support/ioredis.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { call, commandStats, descriptor } from "../support/script.js";

const TAG = "{redirections}";
const incr = descriptor("incr", 'return redis.call("INCR", KEYS[1])', ["counter"]);

let cluster: RedisCluster;
holdOpen(async () => (cluster = await startRedisCluster()));

describe.each(IOREDIS)("$name", ({ Cluster: ClusterClient, major }) => {
  test("a NOSCRIPT that spent the redirection budget still falls back to one EVAL", async () => {
    const key = `${TAG}:${major}`;
    const client = new ClusterClient([...cluster.startupNodes], { maxRedirections: 0 });
    try {
      await client.set(key, "0");
      for (const { admin } of cluster.live()) {
        await admin.script("FLUSH");
        await admin.config("RESETSTAT");
      }
      // What ioredis itself reports for an EVALSHA of an uncached script under this budget:
      await expect(client.evalsha(incr.sha1, 1, key)).rejects.toThrow(
        /Too many Cluster redirections\. Last error: .*NOSCRIPT/,
      );
      expect(await call(incr, client, [key], [])).toBe(1);
      const stats = await Promise.all(cluster.live().map(({ admin }) => commandStats(admin)));
      expect(stats.reduce((sum, s) => sum + (s.eval?.calls ?? 0), 0)).toBe(1);
      expect(stats.reduce((sum, s) => sum + (s.evalsha?.failed ?? 0), 0)).toBe(2);
    } finally {
      client.disconnect();
    }
  });
});

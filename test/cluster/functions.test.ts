// --mode functions on a real cluster (3 masters, 3 replicas) of redis-server and of Valkey 8:
// loadLibrary reaches every master and replication brings the library to every replica; direct
// calls on keys of every master succeed while FUNCTION FLUSH is sent back to back to every master.
// With ioredis 5's Cluster and node-redis 5's and 6's clusters. (A cluster of its own: it flushes
// every master's libraries.)
import path from "node:path";
import calculateSlot from "cluster-key-slot";
import { Cluster } from "ioredis";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deploy } from "../../src/deploy.js";
import type { Io } from "../../src/report.js";
import { holdOpen } from "../support/fixtures.js";
import { generatedFunctions, type Generated } from "../support/library.js";
import { pool, underFlushStorm } from "../support/load.js";
import { NODE_REDIS } from "../support/node-redis.js";
import { sleep } from "../support/redis-process.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisCluster } from "../support/redis-cluster.js";
import { commandStats } from "../support/script.js";

const CALLS = 600;

describe.each(LIVE_SERVERS)("on a live $server cluster", ({ startCluster }) => {
  let cluster: RedisCluster;
  holdOpen(async () => (cluster = await startCluster()));

  /** One hash tag per master, so the calls reach all three. */
  async function tagPerMaster(): Promise<string[]> {
    const shards = await cluster.shards();
    const tags = new Map<number, string>();
    for (let i = 0; tags.size < shards.length && i < 10_000; i++) {
      const tag = `t${i}`;
      const shard = shards.find((s) =>
        s.slots.some(([from, to]) => calculateSlot(tag) >= from && calculateSlot(tag) <= to),
      );
      if (shard && !tags.has(shard.port)) tags.set(shard.port, tag);
    }
    return [...tags.values()];
  }

  /** The libraries a node holds, by name. */
  async function librariesOn(port: number): Promise<string[]> {
    const list = (await cluster.admin(port).call("FUNCTION", "LIST")) as unknown[][];
    return list.map((entry) => String(entry[1])).sort();
  }

  describe.each([
    { name: "ioredis Cluster", client: "ioredis" as const, nodeRedis: undefined },
    // node-redis 5 and 6 (RESP2): their clusters route and list masters alike, but are two packages.
    { name: `${NODE_REDIS[0]!.name} cluster`, client: "node-redis" as const, nodeRedis: NODE_REDIS[0]! },
    { name: `${NODE_REDIS[2]!.name} cluster`, client: "node-redis" as const, nodeRedis: NODE_REDIS[2]! },
  ])("$name", ({ client, nodeRedis }) => {
    let target: unknown;
    let code: Generated;
    holdOpen(async () => {
      if (client === "ioredis") {
        const ioredis = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
        target = ioredis;
        return ioredis;
      }
      const connected = await nodeRedis!.cluster(cluster.startupNodes);
      target = connected;
      return connected;
    });
    beforeAll(async () => {
      code = await generatedFunctions(client);
    });
    beforeEach(async () => {
      for (const { admin } of cluster.live()) {
        if ((await admin.call("ROLE").then((role) => (role as unknown[])[0])) !== "master") continue;
        await admin.call("FUNCTION", "FLUSH");
        await admin.flushall();
        await admin.config("RESETSTAT");
      }
    });

    it("loadLibrary loads the library on every master, then finds it everywhere; replicas get it by replication", async () => {
      const masters = (await cluster.shards()).map((shard) => shard.port);
      expect(await code.loadLibrary(target)).toEqual({ library: code.library.name, loaded: 3, current: 0 });
      expect(await code.loadLibrary(target)).toEqual({ library: code.library.name, loaded: 0, current: 3 });
      for (const port of masters) expect(await librariesOn(port)).toEqual([code.library.name]);
      const replicas = (await cluster.shards()).flatMap((shard) => shard.replicaPorts);
      for (const port of replicas) {
        for (let i = 0; i < 40 && (await librariesOn(port)).length === 0; i++) await sleep(50);
        expect(await librariesOn(port)).toEqual([code.library.name]);
      }
    });

    it("no direct call fails, on any master, while every master's libraries are flushed back to back", async () => {
      const masters = (await cluster.shards()).map((shard) => cluster.admin(shard.port));
      const tags = await tagPerMaster();
      expect(tags).toHaveLength(3);
      const failures: unknown[] = [];
      const { flushes } = await underFlushStorm(
        masters,
        () =>
          pool(CALLS, 20, async (i) => {
            await code.counter(target, `{${tags[i % 3]}}:hits`).catch((error: unknown) => void failures.push(error));
          }),
        { flushing: "functions" },
      );
      expect(failures).toEqual([]);
      expect(flushes).toBeGreaterThan(10 * masters.length);
      let total = 0;
      for (const tag of tags) {
        const shard = await cluster.shardOf(calculateSlot(tag));
        total += Number(await cluster.admin(shard.port).get(`{${tag}}:hits`));
      }
      expect(total).toBe(CALLS);
      const missed = (await Promise.all(masters.map(commandStats))).reduce((sum, s) => sum + (s.fcall?.failed ?? 0), 0);
      expect(missed).toBeGreaterThan(0); // the storm really emptied masters under the calls
    });
  });

  describe("luagen deploy on a cluster", () => {
    it("loads the library on every master, named as CLUSTER NODES names them", async () => {
      const code = await generatedFunctions("ioredis");
      const masters = (await cluster.shards()).map((shard) => shard.port).sort((a, b) => a - b);
      for (const port of masters)
        await cluster
          .admin(port)
          .call("FUNCTION", "DELETE", code.library.name)
          .catch(() => 0);
      const lines: string[] = [];
      const io = {
        stdout: (line: string) => void lines.push(line),
        stderr: (line: string) => void lines.push(line),
        cwd: code.dir,
      };
      const args = ["--url", `redis://127.0.0.1:${masters[0]}`, "--out", path.join(code.dir, "gen")];
      expect(await deploy(io as unknown as Io, args)).toBe(0);
      expect(lines).toEqual(masters.map((port) => `luagen: ${code.library.name} on 127.0.0.1:${port}: loaded`));
      for (const port of masters) expect(await librariesOn(port)).toContain(code.library.name);
    });
  });

  describe("a master stops (ioredis 5 Cluster)", () => {
    it("the promoted replica answers FCALL from the library it got by replication, loading nothing", async () => {
      const code = await generatedFunctions("ioredis");
      const client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
      client.on("error", () => undefined); // node errors during the outage; the calls after it must all succeed
      try {
        const victim = (await cluster.shards()).find((shard) => shard.replicaPorts.length > 0)!;
        const load = await code.loadLibrary(client);
        expect(load.loaded + load.current).toBe(3); // on every master, whatever the tests before left
        expect(await librariesOn(victim.port)).toContain(code.library.name);
        const [replicaPort] = victim.replicaPorts as [number];
        const tag = (await tagPerMaster()).find((t) =>
          victim.slots.some(([from, to]) => calculateSlot(t) >= from && calculateSlot(t) <= to),
        )!;
        expect(await code.counter(client, `{${tag}}:failover`)).toBe(1);
        const replica = cluster.admin(replicaPort);
        await replica.call("READONLY"); // reads on this connection answered by the replica itself
        for (let i = 0; i < 40 && (await replica.get(`{${tag}}:failover`)) !== "1"; i++) await sleep(50);
        expect(await librariesOn(replicaPort)).toContain(code.library.name);
        await replica.config("RESETSTAT");

        await cluster.nodes.find((node) => node.port === victim.port)!.stop();
        await cluster.waitUntilMasterOf(calculateSlot(tag), replicaPort, 30_000);
        const deadline = Date.now() + 30_000;
        while (!client.nodes("master").some((node) => node.options.port === replicaPort)) {
          if (Date.now() > deadline) throw new Error("ioredis never learned about the promoted master");
          client.refreshSlotsCache();
          await sleep(50);
        }

        for (let i = 0; i < 20; i++) await code.counter(client, `{${tag}}:failover`);
        expect(await replica.get(`{${tag}}:failover`)).toBe("21");
        const stats = await commandStats(replica);
        expect(stats.fcall).toEqual({ calls: 20, failed: 0 });
        expect(stats["function|load"]).toBeUndefined();
      } finally {
        client.disconnect();
      }
    });
  });
});

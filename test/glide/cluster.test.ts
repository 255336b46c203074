// Valkey GLIDE on a real Redis Cluster (3 masters, 3 replicas): generated functions on a
// GlideClusterClient route by their keys to every master, ClusterBatch atomic (one slot) and not
// (any slots) follow the policy, keys of one call in different slots are refused before anything is
// sent, and direct calls and batches survive SCRIPT FLUSH sent back to back to every master.
import path from "node:path";
import calculateSlot from "cluster-key-slot";
import { ClusterBatch, GlideClusterClient, Logger } from "@valkey/valkey-glide";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../src/generate.js";
import { holdOpen } from "../support/fixtures.js";
import { underFlushStorm } from "../support/load.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { tempDir, writeTree } from "../support/workspace.js";

const ROUNDS = 250;

const SCRIPTS = {
  "package.json": "{}\n",
  "lua/counter.lua":
    "---@key counter\n---@arg by integer\n---@return integer\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])\n",
  "lua/pair.lua":
    "---@key from\n---@key to\n---@return integer[]\nreturn { redis.call('DECR', KEYS[1]), redis.call('INCR', KEYS[2]) }\n",
};

type Call = ((target: GlideClusterClient, ...params: unknown[]) => Promise<unknown>) &
  ((target: ClusterBatch, ...params: unknown[]) => ClusterBatch);

let cluster: RedisCluster;
holdOpen(async () => (cluster = await startRedisCluster()));
let glide: GlideClusterClient;
holdOpen(async () => {
  Logger.setLoggerConfig("off");
  glide = await GlideClusterClient.createClient({ addresses: [...cluster.startupNodes] });
  return { close: async () => glide.close() };
});
let gen: { counter: Call; pair: Call };
/** The same scripts with --mode functions. */
let fn: {
  counter: Call;
  loadLibrary(client: GlideClusterClient): Promise<{ library: string; loaded: number; current: number }>;
  library: { name: string };
};

beforeAll(async () => {
  const dir = tempDir("glide-cluster");
  writeTree(dir, SCRIPTS);
  const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir, client: "glide" });
  expect(result.kind).toBe("written");
  gen = (await import(path.join(dir, "gen", "index.ts"))) as typeof gen;
  const functions = await generate({ inputs: ["lua"], out: "fn", cwd: dir, client: "glide", mode: "functions" });
  expect(functions.kind).toBe("written");
  const load = (file: string) => import(path.join(dir, "fn", file)) as Promise<Record<string, unknown>>;
  fn = { ...(await load("index.ts")), ...(await load("_library.ts")) } as unknown as typeof fn;
});

/** One key per master, found by their slots. */
async function keyPerMaster(): Promise<string[]> {
  const shards = await cluster.shards();
  const keys = new Map<number, string>();
  for (let i = 0; keys.size < shards.length; i++) {
    const key = `k${i}`;
    const slot = calculateSlot(key);
    const shard = shards.find((s) => s.slots.some(([from, to]) => slot >= from && slot <= to));
    if (shard && !keys.has(shard.port)) keys.set(shard.port, key);
  }
  return [...keys.values()];
}

async function masters() {
  return (await cluster.shards()).map((shard) => cluster.admin(shard.port));
}

describe("Valkey GLIDE on a Redis Cluster", () => {
  it("direct calls reach every master by their key, also after every master's cache was flushed", async () => {
    await cluster.waitUntilHealthy();
    for (const master of await masters()) await master.flushall();
    const keys = await keyPerMaster();
    for (const key of keys) expect(await gen.counter(glide, key, 2)).toBe(2);
    for (const master of await masters()) await master.script("FLUSH");
    for (const key of keys) expect(await gen.counter(glide, key, 2)).toBe(4);
    for (const key of keys)
      expect(await cluster.admin((await cluster.shardOf(calculateSlot(key))).port).get(key)).toBe("4");
  });

  it("an atomic ClusterBatch on one slot and a non-atomic one across masters", async () => {
    const atomic = new ClusterBatch(true);
    gen.counter(gen.counter(atomic, "{t}a", 1), "{t}a", 1);
    expect(await glide.exec(atomic, true)).toEqual([1, 2]);
    const keys = await keyPerMaster();
    const spread = new ClusterBatch(false);
    for (const key of keys) gen.counter(spread, `${key}:b`, 5);
    expect(await glide.exec(spread, true)).toEqual(keys.map(() => 5));
  });

  it("keys of one call in different slots are refused before anything is sent or queued", async () => {
    await expect(gen.pair(glide, "a", "b")).rejects.toThrow(
      /^pair: on a Redis Cluster all keys of one call must hash to the same slot, but key "from" "a" is in slot 15495, key "to" "b" is in slot 3300\./,
    );
    const batch = new ClusterBatch(false);
    expect(() => gen.pair(batch, "a", "b")).toThrow(/same slot/);
    expect((batch as unknown as { commands: unknown[] }).commands).toEqual([]);
    expect(await gen.pair(glide, "{u}a", "{u}b")).toEqual([-1, 1]);
  });

  it(`under SCRIPT FLUSH on every master: ${ROUNDS} rounds of direct calls on every master and batches, 0 failures`, async () => {
    const keys = await keyPerMaster();
    for (const master of await masters()) await master.flushall();
    let failures = 0;
    const { flushes } = await underFlushStorm(await masters(), async () => {
      for (let i = 0; i < ROUNDS; i++) {
        for (const key of keys) await gen.counter(glide, key, 1).catch(() => failures++);
        const atomic = new ClusterBatch(true);
        gen.counter(gen.counter(atomic, "{t}x", 1), "{t}x", 1);
        const replies = (await glide.exec(atomic, false)) as unknown[];
        failures += replies.filter((reply) => reply instanceof Error).length;
      }
    });
    expect(flushes).toBeGreaterThan(0);
    expect(failures).toBe(0);
    expect(await gen.counter(glide, "{t}x", 0)).toBe(2 * ROUNDS);
  });
});

describe("Valkey GLIDE on a Redis Cluster, --mode functions", () => {
  it("loadLibrary loads the library on every master once, then finds it there on each", async () => {
    await cluster.waitUntilHealthy();
    for (const master of await masters()) await master.call("FUNCTION", "FLUSH");
    const count = (await masters()).length;
    expect(await fn.loadLibrary(glide)).toEqual({ library: fn.library.name, loaded: count, current: 0 });
    expect(await fn.loadLibrary(glide)).toEqual({ library: fn.library.name, loaded: 0, current: count });
    for (const master of await masters()) {
      const listed = (await master.call("FUNCTION", "LIST")) as unknown[][];
      expect(listed.map((entry) => entry[1])).toEqual([fn.library.name]);
    }
  });

  it(`direct calls on every master load the library where it is missing: ${ROUNDS} rounds under FUNCTION FLUSH on every master, 0 failures`, async () => {
    const keys = await keyPerMaster();
    for (const master of await masters()) await master.flushall();
    for (const master of await masters()) await master.call("FUNCTION", "FLUSH");
    for (const key of keys) expect(await fn.counter(glide, key, 1)).toBe(1);
    let failures = 0;
    const { flushes } = await underFlushStorm(
      await masters(),
      async () => {
        for (let i = 0; i < ROUNDS; i++)
          for (const key of keys) await fn.counter(glide, key, 1).catch(() => failures++);
      },
      { flushing: "functions" },
    );
    expect(flushes).toBeGreaterThan(0);
    expect(failures).toBe(0);
    for (const key of keys) expect(await fn.counter(glide, key, 0)).toBe(ROUNDS + 1);
  });
});

// Generated functions on a real Redis Cluster (3 masters + 3 replicas): the
// same policy as on one server, on the master that owns the keys' slot and on
// no other node; and the slot guard, which refuses keys in different slots
// before anything is sent.
import calculateSlot from "cluster-key-slot";
import { afterEach, describe, expect, test } from "vitest";
import { ReplyError, type Cluster, type Redis } from "ioredis";
import { defineScript, type ScriptBatch } from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { call, commandStats, descriptor, incrPair, names, queue } from "../support/script.js";
import { holdOpen, useWatchedCluster, type Wire } from "../support/fixtures.js";

const TAG = "{user42}";
const KEYS = [`${TAG}:a`, `${TAG}:b`];
const SLOT = calculateSlot(TAG);

const getPair = descriptor("getPair", 'return redis.call("MGET", KEYS[1], KEYS[2])', ["first", "second"]);
/** A script Redis Cluster refuses to run. */
const noCluster = defineScript({
  ...descriptor("noClusterGet", '#!lua flags=no-cluster\nreturn redis.call("GET", KEYS[1])', ["key"]),
  flags: ["no-cluster"],
});
/** The same read as getPair, declared no-writes: the runtime sends it as EVALSHA_RO / EVAL_RO. */
const readPair = defineScript({
  ...descriptor("readPair", '#!lua flags=no-writes\nreturn redis.call("MGET", KEYS[1], KEYS[2])', ["first", "second"]),
  flags: ["no-writes"],
});
const moveAll = descriptor("moveAll", "return KEYS", ["source", "...destinations"]);
const noKeys = descriptor("noKeys", "return ARGV[1]", [], [{ name: "value" }]);

let cluster: RedisCluster;
let owner: Redis; // a plain connection to the master that owns SLOT
let wire: Wire;
useWatchedCluster(SLOT, (fixture) => {
  ({ cluster, owner, wire } = fixture);
  console.info(`cluster: 3 masters + 3 replicas started and joined in ${cluster.setupMs} ms`);
});

/** Per node, the calls of script-related commands since the last RESETSTAT, e.g. `{ 7001: { evalsha: 1 } }`. */
async function scriptCallsPerNode(): Promise<Record<number, Record<string, number>>> {
  const perNode: Record<number, Record<string, number>> = {};
  for (const { port, admin } of cluster.live()) {
    const stats = await commandStats(admin);
    const scriptStats = Object.entries(stats).filter(([name]) => /^(eval|evalsha|script)/.test(name));
    if (scriptStats.length > 0)
      perNode[port] = Object.fromEntries(scriptStats.map(([name, { calls }]) => [name, calls]));
  }
  return perNode;
}

afterEach(async () => {
  const scriptCommands = Object.values(await scriptCallsPerNode()).flatMap((calls) => Object.keys(calls));
  expect(scriptCommands.filter((name) => name.startsWith("script"))).toEqual([]);
});

/** What ioredis sends on its own to a node it (re)connects to or asks for the slot map. */
const HOUSEKEEPING = new Set(["CLUSTER", "INFO", "HELLO", "CLIENT", "READONLY", "PING", "COMMAND"]);

/** What the owner of SLOT ran during `work`, minus ioredis's own housekeeping. */
async function seenOnOwner(work: () => Promise<unknown>) {
  const seen = await wire.capture(owner, work);
  return seen.filter(([name]) => !HOUSEKEEPING.has(name));
}

test("without redis-cli on PATH the cluster helper says what to install", async () => {
  const path = process.env.PATH;
  process.env.PATH = ""; // read synchronously, before startRedisCluster's first await
  const starting = startRedisCluster();
  process.env.PATH = path;
  await expect(starting).rejects.toThrow(
    "redis-cli not found on PATH: the cluster tests (redis-cli --cluster create) need it (Debian/Ubuntu: apt-get install -y redis-tools)",
  );
});

test("why the guard: Redis itself refuses declared keys in different slots, even from a script flagged allow-cross-slot-keys", async () => {
  // Sent as plain EVAL on one node, without the runtime.
  const refused = (source: string) =>
    owner.eval(source, 2, "user42:a", "user42:b").then(
      () => "ran",
      (error: Error) => error.message,
    );
  expect(await refused("return 1")).toMatch(/^CROSSSLOT /);
  expect(await refused("#!lua flags=allow-cross-slot-keys\nreturn 1")).toMatch(/^CROSSSLOT /);
});

describe.each(IOREDIS)("$name", ({ Cluster: ClusterClient }) => {
  let client: Cluster;
  holdOpen(
    () => (client = new ClusterClient([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } })),
  );

  test('a no-writes script with scaleReads: "slave": EVALSHA_RO, then EVAL_RO, on the replica of the slot', async () => {
    await cluster.waitUntilHealthy();
    const reader = new ClusterClient([...cluster.startupNodes], {
      scaleReads: "slave",
      slotsRefreshInterval: 100,
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    try {
      // The node ioredis first asks may not list the slot's replica yet (gossip): wait for the client to know it.
      await reader.ping();
      for (let tries = 0; (reader.slots[SLOT]?.length ?? 0) < 2; tries++) {
        if (tries > 100) throw new Error(`the client never learnt a replica of slot ${SLOT}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { replicaPorts } = await cluster.shardOf(SLOT);
      await call(readPair, reader, KEYS, []);
      const perNode = await scriptCallsPerNode();
      expect(replicaPorts.map((port) => perNode[port])).toContainEqual({ evalsha_ro: 1, eval_ro: 1 });
      expect(perNode[owner.options.port!]).toBeUndefined(); // nothing on the master
    } finally {
      reader.disconnect();
    }
  });

  test("a no-cluster script: a TypeError before anything is sent, as Redis Cluster would refuse it", async () => {
    const raw = await owner.eval(noCluster.source, 1, KEYS[0]).then(
      () => "ran",
      (error: Error) => error.message,
    );
    expect(raw).toMatch(/no-cluster/); // why: Redis itself refuses it on a cluster node
    for (const { admin } of cluster.live()) await admin.config("RESETSTAT");
    await expect(call(noCluster, client, [KEYS[0]], [])).rejects.toThrow(
      new TypeError(
        "noClusterGet: the script declares #!lua flags=no-cluster, and Redis Cluster refuses to run it; call it on a standalone server",
      ),
    );
    expect(() => queue(noCluster, client.pipeline(), [KEYS[0]], [])).toThrow(TypeError);
    expect(await scriptCallsPerNode()).toEqual({});
  });

  describe("the policy, on the master that owns the slot and nowhere else", () => {
    test("direct, cold cache: EVALSHA, NOSCRIPT, one EVAL; warm: EVALSHA only", async () => {
      const cold = await seenOnOwner(async () => {
        expect(await call(incrPair, client, KEYS, [5])).toEqual([5, 5]);
      });
      expect(cold).toEqual([
        ["EVALSHA", incrPair.sha1, "2", ...KEYS, "5"],
        ["EVAL", incrPair.source, "2", ...KEYS, "5"],
      ]);
      const warm = await seenOnOwner(async () => {
        expect(await call(incrPair, client, KEYS, [1])).toEqual([6, 6]);
      });
      expect(names(warm)).toEqual(["EVALSHA"]);
      expect(await scriptCallsPerNode()).toEqual({ [owner.options.port!]: { evalsha: 2, eval: 1 } });
    });

    test("cluster.pipeline(): always EVAL", async () => {
      await call(incrPair, client, KEYS, [1]); // warm: the pipeline must not rely on it anyway
      const seen = await seenOnOwner(async () => {
        const pipeline = queue(incrPair, queue(incrPair, client.pipeline(), KEYS, [1]), KEYS, [2]);
        expect(await queue(getPair, pipeline, KEYS, []).exec()).toEqual([
          [null, [2, 2]],
          [null, [4, 4]],
          [null, ["4", "4"]],
        ]);
      });
      expect(names(seen)).toEqual(["EVAL", "EVAL", "EVAL"]);
    });

    test("cluster.multi(): EVAL for a script's first call, EVALSHA after, one EVAL per script", async () => {
      const seen = await seenOnOwner(async () => {
        const transaction = queue(incrPair, queue(incrPair, client.multi(), KEYS, [1]), KEYS, [10]);
        expect(await queue(getPair, transaction, KEYS, []).exec()).toEqual([
          [null, [1, 1]],
          [null, [11, 11]],
          [null, ["11", "11"]],
        ]);
      });
      expect(seen).toEqual([
        ["MULTI"],
        ["EVAL", incrPair.source, "2", ...KEYS, "1"],
        ["EVALSHA", incrPair.sha1, "2", ...KEYS, "10"],
        ["EVAL", getPair.source, "2", ...KEYS],
        ["EXEC"],
      ]);
      expect(await scriptCallsPerNode()).toEqual({ [owner.options.port!]: { eval: 2, evalsha: 1 } });
    });

    test("a script with no keys runs on some master, by the same policy", async () => {
      expect(await call(noKeys, client, [], ["x"])).toBe("x");
      expect(await call(noKeys, client, [], ["y"])).toBe("y");
      const calls = Object.values(await scriptCallsPerNode());
      const total = (name: string) => calls.reduce((sum, node) => sum + (node[name] ?? 0), 0);
      expect(total("eval")).toBeGreaterThanOrEqual(1); // once per master it landed on
      expect(total("evalsha")).toBe(2);
    });
  });

  test("a runtime error keeps ioredis's error and Redis's message, and names the .lua file and line", async () => {
    const broken = descriptor("brokenPair", 'local total = 0\nreturn redis.call("INCR", KEYS[1]) + missing', [
      "first",
      "second",
    ]);
    const error = (await call(broken, client, KEYS, []).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ReplyError); // ioredis 6 over RESP3: its SimpleError, a ReplyError
    expect(error.message).toMatch(
      /^ERR user_script:2: .*nonexistent global variable 'missing'.* \(test\/lua\/brokenPair\.lua:2\)$/,
    );
  });

  describe("the slot guard", () => {
    const crossSlot = ["user42:a", "user42:b"];
    const expected = new TypeError(
      `incrPair: on a Redis Cluster all keys of one call must hash to the same slot, but ` +
        `key "first" "user42:a" is in slot ${calculateSlot("user42:a")}, key "second" "user42:b" is in slot ${calculateSlot("user42:b")}. ` +
        `Give them a common hash tag: only the part in braces is hashed, so "{user42}:a" and "{user42}:b" share a slot.`,
    );

    test("keys in different slots: a TypeError naming the script, each key and its slot; nothing sent in any context", async () => {
      const pipeline = client.pipeline();
      const transaction = client.multi();
      await expect(call(incrPair, client, crossSlot, [1])).rejects.toThrowError(expected); // a direct call rejects
      expect(() => queue(incrPair, pipeline, crossSlot, [1])).toThrowError(expected);
      expect(() => queue(incrPair, transaction, crossSlot, [1])).toThrowError(expected);
      expect(pipeline.length).toBe(0);
      expect(transaction.length).toBe(1); // its MULTI only
      transaction.discard();
      expect(await scriptCallsPerNode()).toEqual({});
    });

    test("names the keys of a rest parameter by index, and shows Buffer keys as bytes", async () => {
      const destinations = [`${TAG}:d`, Buffer.from("other")];
      await expect(call(moveAll, client, [`${TAG}:s`, destinations], [])).rejects.toThrowError(
        `moveAll: on a Redis Cluster all keys of one call must hash to the same slot, but ` +
          `key "source" "{user42}:s" is in slot ${SLOT}, key "destinations[0]" "{user42}:d" is in slot ${SLOT}, ` +
          `key "destinations[1]" <Buffer 6f74686572> is in slot ${calculateSlot("other")}.`,
      );
    });

    test("keys that share a hash tag pass, as Buffers too; a single key and no keys need no check", async () => {
      expect(await call(moveAll, client, [`${TAG}:s`, [Buffer.from(`${TAG}:d`)]], [])).toEqual([
        `${TAG}:s`,
        `${TAG}:d`,
      ]);
      expect(await call(moveAll, client, ["anything", []], [])).toEqual(["anything"]);
      expect(await call(noKeys, client, [], ["v"])).toBe("v");
    });

    test("uses the slots the keys have after the client's keyPrefix", async () => {
      const tagged = new ClusterClient([...cluster.startupNodes], {
        keyPrefix: "{tenant}:",
        redisOptions: { maxRetriesPerRequest: 1 },
      });
      const braced = new ClusterClient([...cluster.startupNodes], {
        redisOptions: { keyPrefix: "{", maxRetriesPerRequest: 1 },
      });
      try {
        // "a" and "b" differ, but behind the prefix "{tenant}:" both hash "tenant": allowed, and Redis agrees.
        expect(await call(moveAll, tagged, ["a", ["b"]], [])).toEqual(["{tenant}:a", "{tenant}:b"]);
        const batch = queue(moveAll, tagged.multi(), ["a", ["b"]], []);
        expect(await batch.exec()).toEqual([[null, ["{tenant}:a", "{tenant}:b"]]]);

        // "1{t}" and "2{t}" share the tag "t", but behind the prefix "{" they hash "1{t" and "2{t".
        expect(calculateSlot("1{t}")).toBe(calculateSlot("2{t}"));
        await expect(call(moveAll, braced, ["1{t}", ["2{t}"]], [])).rejects.toThrowError(
          `key "source" "1{t}" is in slot ${calculateSlot("{1{t}")}, key "destinations[0]" "2{t}" is in slot ${calculateSlot("{2{t}")} (with the client's keyPrefix "{")`,
        );
        expect(() => queue(moveAll, braced.pipeline(), ["1{t}", ["2{t}"]], [])).toThrowError(
          /with the client's keyPrefix "\{"/,
        );
        expect(await call(moveAll, client, ["1{t}", ["2{t}"]], [])).toEqual(["1{t}", "2{t}"]); // no prefix: one slot
      } finally {
        tagged.disconnect();
        braced.disconnect();
      }
    });
  });
});

// A Sentinel deployment (master, replica, three sentinels) fails over with SENTINEL FAILOVER
// while direct calls, pipelines and transactions run. The promoted replica's script cache is
// empty (since Redis 7.0 scripts are not replicated), which is where EVALSHA in a batch would
// fail. Until the clients are on the new master a call may fail with a tolerated error (the
// old master turning read-only or dropping the connection); NOSCRIPT never, a partial
// transaction never, and nothing at all once the client is on the new master.
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { createSentinel as createSentinel5 } from "redis";
import { createSentinel as createSentinel6 } from "redis6";
import { IOREDIS } from "../support/ioredis.js";
import { callOn, queueOn, type NodeRedisConnection } from "../support/node-redis.js";
import { sleep } from "../support/redis-process.js";
import { startSentinelDeployment, type SentinelDeployment } from "../support/redis-sentinel.js";
import { call, commandStats, descriptor, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";
import { firstError, within, type ExecResults } from "../support/load.js";

const incrBy = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);
// Three reads, each called once before the failover and first again on the new master, one per context.
const getCounter = descriptor("getCounter", 'return redis.call("GET", KEYS[1])', ["counter"]);
const getInPipeline = descriptor("getInPipeline", 'return redis.call("GET", KEYS[1]) -- pipeline', ["counter"]);
const getInTransaction = descriptor("getInTransaction", 'return redis.call("GET", KEYS[1]) -- transaction', [
  "counter",
]);
const reads = [getCounter, getInPipeline, getInTransaction];

/**
 * What a call may meet between SENTINEL FAILOVER and the client's reconnection to the new master:
 * - "READONLY": the old master was turned into a replica while the client still wrote to it;
 * - "Connection is closed", "ECONNREFUSED", "max retries per request": a node dropped the
 *   connection as its role changed, and ioredis gave up on the command;
 * - "EXECABORT": a transaction whose MULTI or queued command met one of these; nothing of it ran.
 * NOSCRIPT is never tolerated.
 */
const TOLERATED_DURING_FAILOVER = /READONLY|Connection is closed|ECONNREFUSED|max retries per request|EXECABORT/;
const ROUND_TIMEOUT_MS = 10_000;
const SWITCH_TIMEOUT_MS = 30_000;
const ROUNDS_AFTER = 10;

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** What the test uses of a node-redis Sentinel client, whichever major. */
type SentinelFactory = (options: {
  name: string;
  sentinelRootNodes: { host: string; port: number }[];
}) => NodeRedisConnection & {
  configGet(parameter: string): Promise<Record<string, string>>;
};

/** A transaction is partial when some of its commands applied and others failed. */
function partial(results: ExecResults): boolean {
  const errors = (results ?? []).filter(([error]) => error !== null).length;
  return errors > 0 && errors < (results ?? []).length;
}

/** The port of the server a client's connection is on, as that server reports it. */
async function connectedPort(client: Redis): Promise<number> {
  const [, port] = (await client.config("GET", "port")) as [string, string];
  return Number(port);
}

describe.each(IOREDIS)("$name", ({ Redis: Client, major }) => {
  // One deployment per major: a second failover must wait for the demoted master to resync and
  // be seen as a replica again, which takes longer than starting afresh.
  let deployment: SentinelDeployment;
  holdOpen(async () => (deployment = await startSentinelDeployment()));

  test("SENTINEL FAILOVER: no NOSCRIPT, no partial transaction, and every call succeeds once on the new master", async () => {
    const tag = `sentinel${major}`;
    const counter = `${tag}:counter`;
    const plain = `${tag}:plain`;
    // failoverDetector: without it ioredis keeps using the demoted master until that drops the
    // connection (see docs/runtime.md, "Redis Sentinel"); with it ioredis reconnects on +switch-master.
    const client = new Client({
      sentinels: [...deployment.sentinels],
      name: deployment.name,
      failoverDetector: true,
      maxRetriesPerRequest: 1,
    });
    client.on("error", () => undefined); // each call reports its own failure
    try {
      const oldMaster = await deployment.masterPort();
      expect(await connectedPort(client)).toBe(oldMaster);
      const first = Number(await call(incrBy, client, [counter], [1]));
      for (const read of reads) expect(await call(read, client, [counter], [])).toBe(String(first));
      // The hazard is real: the master caches every script, the replica none (scripts are not replicated).
      const replicaPort = deployment.dataPorts.find((port) => port !== oldMaster)!;
      const replica = deployment.admin(replicaPort);
      const shas = [incrBy, ...reads].map((script) => script.sha1);
      expect(await deployment.admin(oldMaster).script("EXISTS", ...shas)).toEqual([1, 1, 1, 1]);
      expect(await replica.script("EXISTS", ...shas)).toEqual([0, 0, 0, 0]);

      let switched = false;
      const duringFailover: unknown[] = [];
      const afterSwitch: unknown[] = [];
      let partials = 0;

      /**
       * One pipeline, one transaction and one direct call, one after the other (batches first: they are
       * what would meet the new master's empty cache with EVALSHA); failures filed by when each started.
       */
      const round = async (): Promise<void> => {
        const attempt = async (work: () => Promise<unknown>) => {
          const failures = switched ? afterSwitch : duringFailover;
          await within(ROUND_TIMEOUT_MS, work()).catch((error: unknown) => void failures.push(error));
        };
        await attempt(() =>
          queue(incrBy, queue(incrBy, client.pipeline(), [counter], [1]), [counter], [1])
            .exec()
            .then(firstError),
        );
        await attempt(async () => {
          const results = (await queue(
            incrBy,
            queue(incrBy, client.multi().incr(plain), [counter], [1]),
            [counter],
            [1],
          ).exec()) as ExecResults;
          if (partial(results)) partials++;
          firstError(results);
        });
        await attempt(() => call(incrBy, client, [counter], [1]));
      };

      for (let i = 0; i < 3; i++) await round();
      expect(duringFailover).toEqual([]);

      const failoverStarted = Date.now();
      const newMaster = deployment.failover();
      let rounds = 0;
      let settled = false;
      void newMaster.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        await round();
        rounds++;
        await Promise.race([newMaster.catch(() => undefined), sleep(20)]);
      }
      expect(await newMaster).toBe(replicaPort);
      // Until ioredis is on the new master (failoverDetector reconnects it), calls may still be refused.
      const deadline = Date.now() + SWITCH_TIMEOUT_MS;
      while ((await connectedPort(client).catch(() => 0)) !== replicaPort) {
        if (Date.now() > deadline) throw new Error("ioredis never moved to the promoted master");
        await round();
        rounds++;
        await sleep(20);
      }
      switched = true;
      const switchMs = Date.now() - failoverStarted;

      expect(duringFailover.map(String).filter((message) => message.includes("NOSCRIPT"))).toEqual([]);
      expect(duringFailover.map(String).filter((message) => !TOLERATED_DURING_FAILOVER.test(message))).toEqual([]);
      expect(partials).toBe(0);

      // The reads were not called since the failover, so the new master meets each with an empty
      // cache, in each context: a pipeline must carry the source, a transaction's first call too,
      // and a direct call gets NOSCRIPT then sends one EVAL, invisible to the caller.
      expect(await replica.script("EXISTS", ...reads.map((script) => script.sha1))).toEqual([0, 0, 0]);
      await replica.config("RESETSTAT");
      const now = (await replica.get(counter)) as string;
      expect(await queue(getInPipeline, client.pipeline(), [counter], []).exec()).toEqual([[null, now]]);
      expect(await queue(getInTransaction, client.multi().get(counter), [counter], []).exec()).toEqual([
        [null, now],
        [null, now],
      ]);
      expect(await call(getCounter, client, [counter], [])).toBe(now);
      expect((await commandStats(replica)).evalsha?.failed ?? 0).toBe(1);
      for (let i = 0; i < ROUNDS_AFTER; i++) await round();
      expect(afterSwitch).toEqual([]);
      expect(partials).toBe(0);
      expect(Number(await replica.get(counter))).toBe(Number(now) + 5 * ROUNDS_AFTER);
      expect(Object.keys(await commandStats(replica)).filter((name) => name.startsWith("script"))).toEqual([]);
      console.info(
        `sentinel failover (ioredis ${major}): on the new master after ${switchMs} ms, ${rounds} rounds, ${duringFailover.length} tolerated errors ` +
          `(${[...new Set(duringFailover.map((error) => String(error).slice(0, 60)))].join("; ") || "none"})`,
      );
    } finally {
      client.disconnect();
    }
  });
});

// node-redis: `createSentinel` follows +switch-master by itself. Its multi is sent as EVAL always
// (exec() or execAsPipeline() is unknown when queuing), so the lanes are execAsPipeline(), exec()
// and direct calls.
const NODE_REDIS_SENTINEL = [
  { name: `node-redis ${versionOf("redis")}`, major: 5, createSentinel: createSentinel5 as unknown as SentinelFactory },
  {
    name: `node-redis ${versionOf("redis6")}`,
    major: 6,
    createSentinel: createSentinel6 as unknown as SentinelFactory,
  },
];

describe.each(NODE_REDIS_SENTINEL)("$name", ({ createSentinel, major }) => {
  let deployment: SentinelDeployment;
  holdOpen(async () => (deployment = await startSentinelDeployment()));

  test("SENTINEL FAILOVER: no NOSCRIPT, no partial multi, and every call succeeds once on the new master", async () => {
    const counter = `node-redis-sentinel${major}:counter`;
    const plain = `node-redis-sentinel${major}:plain`;
    const client = createSentinel({ name: deployment.name, sentinelRootNodes: [...deployment.sentinels] });
    client.on("error", () => undefined); // each call reports its own failure
    await client.connect();
    const port = async () => Number((await client.configGet("port")).port);
    try {
      const oldMaster = await deployment.masterPort();
      expect(await port()).toBe(oldMaster);
      const first = Number(await callOn(incrBy, client, [counter], [1]));
      for (const read of reads) expect(await callOn(read, client, [counter], [])).toBe(String(first));
      const replicaPort = deployment.dataPorts.find((p) => p !== oldMaster)!;
      const replica = deployment.admin(replicaPort);
      expect(await replica.script("EXISTS", ...reads.map((script) => script.sha1))).toEqual([0, 0, 0]);

      let switched = false;
      const duringFailover: unknown[] = [];
      const afterSwitch: unknown[] = [];
      let partials = 0;
      const round = async (): Promise<void> => {
        const attempt = async (work: () => Promise<unknown>) => {
          const failures = switched ? afterSwitch : duringFailover;
          await within(ROUND_TIMEOUT_MS, work()).catch((error: unknown) => void failures.push(error));
        };
        await attempt(() =>
          queueOn(incrBy, queueOn(incrBy, client.multi(), [counter], [1]), [counter], [1]).execAsPipeline(),
        );
        await attempt(() =>
          queueOn(incrBy, queueOn(incrBy, client.multi().incr(plain), [counter], [1]), [counter], [1])
            .exec()
            .catch((error: unknown) => {
              if (isPartial(error)) partials++;
              throw error;
            }),
        );
        await attempt(() => callOn(incrBy, client, [counter], [1]));
      };

      for (let i = 0; i < 3; i++) await round();
      expect(duringFailover).toEqual([]);
      const failoverStarted = Date.now();
      const newMaster = deployment.failover();
      let settled = false;
      void newMaster.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        await round();
        await Promise.race([newMaster.catch(() => undefined), sleep(20)]);
      }
      expect(await newMaster).toBe(replicaPort);
      const deadline = Date.now() + SWITCH_TIMEOUT_MS;
      while ((await port().catch(() => 0)) !== replicaPort) {
        if (Date.now() > deadline) throw new Error("node-redis never moved to the promoted master");
        await round();
        await sleep(20);
      }
      switched = true;
      const switchMs = Date.now() - failoverStarted;

      expect(duringFailover.map(String).filter((message) => message.includes("NOSCRIPT"))).toEqual([]);
      expect(partials).toBe(0);

      await replica.config("RESETSTAT");
      const now = (await replica.get(counter)) as string;
      expect(await queueOn(getInPipeline, client.multi(), [counter], []).execAsPipeline()).toEqual([now]);
      expect(await queueOn(getInTransaction, client.multi().incr(plain), [counter], []).exec()).toEqual([
        expect.any(Number),
        now,
      ]);
      expect(await callOn(getCounter, client, [counter], [])).toBe(now);
      expect((await commandStats(replica)).evalsha?.failed ?? 0).toBe(1);
      for (let i = 0; i < ROUNDS_AFTER; i++) await round();
      expect(afterSwitch).toEqual([]);
      expect(partials).toBe(0);
      expect(Number(await replica.get(counter))).toBe(Number(now) + 5 * ROUNDS_AFTER);
      console.info(
        `sentinel failover (node-redis ${major}): on the new master after ${switchMs} ms, ${duringFailover.length} errors while switching ` +
          `(${[...new Set(duringFailover.map((error) => String(error).slice(0, 60)))].join("; ") || "none"})`,
      );
    } finally {
      client.destroy();
    }
  });
});

/** node-redis rejects a multi with some failed commands with a MultiErrorReply listing them. */
function isPartial(error: unknown): boolean {
  const reply = error as { replies?: unknown[]; errorIndexes?: unknown[] } | null;
  return (
    Array.isArray(reply?.replies) &&
    Array.isArray(reply?.errorIndexes) &&
    reply.errorIndexes.length < reply.replies.length
  );
}

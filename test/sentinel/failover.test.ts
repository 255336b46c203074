// A Sentinel deployment (master, replica, three sentinels) fails over with SENTINEL FAILOVER
// while direct calls, pipelines and transactions run. The promoted replica's script cache is
// empty (since Redis 7.0 scripts are not replicated), which is where EVALSHA in a batch would
// fail. Until the clients are on the new master a call may fail with a tolerated error (the
// old master turning read-only or dropping the connection); NOSCRIPT never, a partial
// transaction never, and nothing at all once the client is on the new master.
import { describe, expect, test } from "vitest";
import { createSentinel as createSentinel5 } from "redis";
import { createSentinel as createSentinel6 } from "redis6";
import type { ScriptBatch, ScriptDescriptor } from "../../templates/typescript/runtime.js";
import { IOREDIS, type IORedisMajor } from "../support/ioredis.js";
import { callOn, queueOn, type NodeRedisConnection, type NodeRedisTestMulti } from "../support/node-redis.js";
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

const ROUND_TIMEOUT_MS = 10_000;
const SWITCH_TIMEOUT_MS = 30_000;
const ROUNDS_AFTER = 10;

/** One script call: a script, its keys and its arguments. */
type Call = readonly [script: ScriptDescriptor, keys: string[], args: unknown[]];

/** What a transaction's commands gave: their replies, or errors for some (a partial one if not all). */
interface TransactionOutcome {
  readonly replies: readonly unknown[];
  readonly failed: number;
}

/**
 * A Sentinel client as the failover scenario drives it, whichever library: each lane runs script
 * calls the way that library's users would, and reports replies or the first error.
 */
interface SentinelLanes {
  /** The port of the server the client's connection is on, as that server reports it. */
  port(): Promise<number>;
  direct(...call: Call): Promise<unknown>;
  /** The calls as one plain pipeline: their replies, or a rejection with the first error. */
  pipeline(calls: readonly Call[]): Promise<unknown[]>;
  /** INCR `plain`, then the calls, in one MULTI/EXEC (rejects only if the transaction did not run). */
  transaction(plain: string, calls: readonly Call[]): Promise<TransactionOutcome>;
  close(): void;
}

interface SentinelClient {
  /** "ioredis 5", "node-redis 6", ...: for key names and the test's log line. */
  readonly tag: string;
  /** What a call may fail with before the client is on the new master; NOSCRIPT never is. */
  readonly tolerated: RegExp;
  open(deployment: SentinelDeployment): Promise<SentinelLanes>;
}

/**
 * What an ioredis-family call may meet between SENTINEL FAILOVER and the client's reconnection:
 * - "READONLY": the old master was turned into a replica while the client still wrote to it;
 * - "Connection is closed", "ECONNREFUSED", "max retries per request": a node dropped the
 *   connection as its role changed, and ioredis gave up on the command;
 * - "EXECABORT": a transaction whose MULTI or queued command met one of these; nothing of it ran.
 */
const IOREDIS_TOLERATED = /READONLY|Connection is closed|ECONNREFUSED|max retries per request|EXECABORT/;
/**
 * node-redis: no failure while switching was ever seen here (0 in every run), so its wording is
 * not pinned: anything but NOSCRIPT (always refused) and a partial transaction is tolerated.
 */
const NODE_REDIS_TOLERATED = /(?:)/;

function ioredisSentinel({ Redis: Client, name }: IORedisMajor): SentinelClient {
  return {
    tag: name,
    tolerated: IOREDIS_TOLERATED,
    async open(deployment) {
      // failoverDetector: without it ioredis keeps using the demoted master until that drops the
      // connection (see docs/runtime.md, "Redis Sentinel"); with it ioredis reconnects on +switch-master.
      const client = new Client({
        sentinels: [...deployment.sentinels],
        name: deployment.name,
        failoverDetector: true,
        maxRetriesPerRequest: 1,
      });
      client.on("error", () => undefined); // each call reports its own failure
      const queueAll = <Batch extends ScriptBatch>(batch: Batch, calls: readonly Call[]) =>
        calls.reduce((queued, [script, keys, args]) => queue(script, queued, keys, args), batch);
      return {
        port: async () => Number(((await client.config("GET", "port")) as [string, string])[1]),
        direct: (script, keys, args) => call(script, client, keys, args),
        async pipeline(calls) {
          const results = (await queueAll(client.pipeline(), calls).exec()) as ExecResults;
          firstError(results);
          return (results ?? []).map(([, reply]) => reply);
        },
        async transaction(plain, calls) {
          const results = ((await queueAll(client.multi().incr(plain), calls).exec()) as ExecResults) ?? [];
          return { replies: results.map(([, reply]) => reply), failed: results.filter(([error]) => error).length };
        },
        close: () => client.disconnect(),
      };
    },
  };
}

/** node-redis's `createSentinel`, whichever major: it follows +switch-master by itself. */
type SentinelFactory = (options: {
  name: string;
  sentinelRootNodes: { host: string; port: number }[];
}) => NodeRedisConnection & {
  configGet(parameter: string): Promise<Record<string, string>>;
};

/**
 * node-redis: a multi is sent as EVAL always (exec() or execAsPipeline() is unknown when
 * queuing), so its pipeline lane is execAsPipeline() and its transaction lane exec().
 */
function nodeRedisSentinel(major: 5 | 6, createSentinel: SentinelFactory): SentinelClient {
  return {
    tag: `node-redis ${major}`,
    tolerated: NODE_REDIS_TOLERATED,
    async open(deployment) {
      const client = createSentinel({ name: deployment.name, sentinelRootNodes: [...deployment.sentinels] });
      client.on("error", () => undefined);
      await client.connect();
      const queueAll = <Multi extends NodeRedisTestMulti>(multi: Multi, calls: readonly Call[]) =>
        calls.reduce((queued, [script, keys, args]) => queueOn(script, queued, keys, args), multi);
      return {
        port: async () => Number((await client.configGet("port")).port),
        direct: (script, keys, args) => callOn(script, client, keys, args),
        pipeline: (calls) => queueAll(client.multi(), calls).execAsPipeline(),
        async transaction(plain, calls) {
          try {
            return { replies: await queueAll(client.multi().incr(plain), calls).exec(), failed: 0 };
          } catch (error) {
            // a transaction with failed commands rejects with a MultiErrorReply listing them
            const reply = error as { replies?: unknown[]; errorIndexes?: unknown[] };
            if (!Array.isArray(reply.replies) || !Array.isArray(reply.errorIndexes)) throw error;
            return { replies: reply.replies, failed: reply.errorIndexes.length };
          }
        },
        close: () => client.destroy(),
      };
    },
  };
}

const CLIENTS: readonly SentinelClient[] = [
  ...IOREDIS.map(ioredisSentinel),
  nodeRedisSentinel(5, createSentinel5 as unknown as SentinelFactory),
  nodeRedisSentinel(6, createSentinel6 as unknown as SentinelFactory),
];

describe.each(CLIENTS)("$tag", (sentinelClient) => {
  // One deployment per client: a second failover must wait for the demoted master to resync and
  // be seen as a replica again, which takes longer than starting afresh.
  let deployment: SentinelDeployment;
  holdOpen(async () => (deployment = await startSentinelDeployment()));

  test("SENTINEL FAILOVER: no NOSCRIPT, no partial transaction, and every call succeeds once on the new master", async () => {
    const tag = `sentinel:${sentinelClient.tag.replaceAll(" ", "-")}`;
    const counter = `${tag}:counter`;
    const plain = `${tag}:plain`;
    const lanes = await sentinelClient.open(deployment);
    const incrTwice: Call[] = [
      [incrBy, [counter], [1]],
      [incrBy, [counter], [1]],
    ];
    try {
      const oldMaster = await deployment.masterPort();
      expect(await lanes.port()).toBe(oldMaster);
      const first = Number(await lanes.direct(incrBy, [counter], [1]));
      for (const read of reads) expect(await lanes.direct(read, [counter], [])).toBe(String(first));
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
        await attempt(() => lanes.pipeline(incrTwice));
        await attempt(async () => {
          const { replies, failed } = await lanes.transaction(plain, incrTwice);
          if (failed > 0 && failed < replies.length) partials++;
          if (failed > 0) throw new Error(`transaction: ${failed} of ${replies.length} commands failed`);
        });
        await attempt(() => lanes.direct(incrBy, [counter], [1]));
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
      // Until the client is on the new master, calls may still be refused.
      const deadline = Date.now() + SWITCH_TIMEOUT_MS;
      while ((await lanes.port().catch(() => 0)) !== replicaPort) {
        if (Date.now() > deadline) throw new Error(`${sentinelClient.tag} never moved to the promoted master`);
        await round();
        rounds++;
        await sleep(20);
      }
      switched = true;
      const switchMs = Date.now() - failoverStarted;

      const messages = duringFailover.map(String);
      expect(messages.filter((message) => message.includes("NOSCRIPT"))).toEqual([]);
      expect(messages.filter((message) => !sentinelClient.tolerated.test(message))).toEqual([]);
      expect(partials).toBe(0);

      // The reads were not called since the failover, so the new master meets each with an empty
      // cache, in each context: a pipeline must carry the source, a transaction's first call too,
      // and a direct call gets NOSCRIPT then sends one EVAL, invisible to the caller.
      expect(await replica.script("EXISTS", ...reads.map((script) => script.sha1))).toEqual([0, 0, 0]);
      await replica.config("RESETSTAT");
      const now = (await replica.get(counter)) as string;
      expect(await lanes.pipeline([[getInPipeline, [counter], []]])).toEqual([now]);
      expect(await lanes.transaction(plain, [[getInTransaction, [counter], []]])).toEqual({
        replies: [expect.any(Number), now],
        failed: 0,
      });
      expect(await lanes.direct(getCounter, [counter], [])).toBe(now);
      expect((await commandStats(replica)).evalsha?.failed ?? 0).toBe(1);
      for (let i = 0; i < ROUNDS_AFTER; i++) await round();
      expect(afterSwitch).toEqual([]);
      expect(partials).toBe(0);
      expect(Number(await replica.get(counter))).toBe(Number(now) + 5 * ROUNDS_AFTER);
      expect(Object.keys(await commandStats(replica)).filter((name) => name.startsWith("script"))).toEqual([]);
      console.info(
        `sentinel failover (${sentinelClient.tag}): on the new master after ${switchMs} ms, ${rounds} rounds, ${duringFailover.length} tolerated errors ` +
          `(${[...new Set(messages.map((message) => message.slice(0, 60)))].join("; ") || "none"})`,
      );
    } finally {
      lanes.close();
    }
  });
});

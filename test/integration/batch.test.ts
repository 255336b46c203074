// Typed batches as a user runs them: the scripts of test/fixtures/batch generated into a project,
// `multi(client)` and `pipeline(client)` of its index on a real redis-server and a 3+3 cluster,
// with ioredis 5, ioredis 6 (RESP2 and RESP3) and iovalkey. A batch's replies equal the direct
// calls' replies; a script failing inside an included file names that file's line and its batch
// index; WATCH and EXECABORT are TransactionAbortedErrors; under a SCRIPT FLUSH storm no typed
// batch fails and no transaction is partial.
import { cpSync } from "node:fs";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Cluster, Redis } from "ioredis";
import { generate } from "../../src/generate.js";
import type { BatchControl, BatchError, TransactionAbortedError } from "../../templates/typescript/runtime.js";
import { holdOpen } from "../support/fixtures.js";
import { IOREDIS } from "../support/ioredis.js";
import { NODE_REDIS, type NodeRedisConnection } from "../support/node-redis.js";
import { pool, underFlushStorm } from "../support/load.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { connect } from "../support/script.js";
import { ROOT, tempProject } from "../support/workspace.js";

/** The generated index's typed batch, as far as these tests use it (its own types are tested in test/emit/batch-types.test.ts). */
interface Chain extends BatchControl<unknown[]> {
  incrCapped(counter: string, max: number, ttl?: number): Chain;
  ranks(set: string, members: readonly string[]): Chain;
  readConfig(doc: string, field: string): Chain;
  get(key: string): Chain;
  set(key: string, value: string, ...options: (string | number)[]): Chain;
  incr(key: string): Chain;
  zadd(key: string, ...scoresAndMembers: (string | number)[]): Chain;
  call(command: string, ...args: string[]): Chain;
}
type Target = Redis | Cluster;
interface Generated {
  multi(client: Target): Chain;
  pipeline(client: Target): Chain;
  incrCapped(client: Target, counter: string, max: number, ttl?: number): Promise<number>;
  ranks(client: Target, set: string, members: readonly string[]): Promise<number[]>;
  readConfig(client: Target, doc: string, field: string): Promise<string | null>;
  BatchError: typeof BatchError;
  TransactionAbortedError: typeof TransactionAbortedError;
}

/** The same index generated for node-redis: its commands take node-redis's spelling. */
interface NodeChain extends BatchControl<unknown[]> {
  incrCapped(counter: string, max: number, ttl?: number): NodeChain;
  ranks(set: string, members: readonly string[]): NodeChain;
  readConfig(doc: string, field: string): NodeChain;
  get(key: string): NodeChain;
  set(key: string, value: string, options?: { EX: number }): NodeChain;
  incr(key: string): NodeChain;
  sendCommand(args: string[]): NodeChain;
}
interface GeneratedForNodeRedis {
  multi(client: NodeRedisConnection): NodeChain;
  pipeline(client: NodeRedisConnection): NodeChain;
  ranks(client: NodeRedisConnection, set: string, members: readonly string[]): Promise<number[]>;
  readConfig(client: NodeRedisConnection, doc: string, field: string): Promise<string | null>;
  BatchError: typeof BatchError;
  TransactionAbortedError: typeof TransactionAbortedError;
}

let generated: Generated;
let generatedNode: GeneratedForNodeRedis;
beforeAll(async () => {
  const dir = tempProject("batch-run");
  cpSync(path.join(ROOT, "test", "fixtures", "batch", "lua"), path.join(dir, "lua"), { recursive: true });
  const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
  expect(result.kind).toBe("written");
  const forNodeRedis = await generate({ inputs: ["lua"], out: "gen-node-redis", cwd: dir, client: "node-redis" });
  expect(forNodeRedis.kind).toBe("written");
  generated = (await import(path.join(dir, "gen", "index.ts"))) as Generated;
  generatedNode = (await import(path.join(dir, "gen-node-redis", "index.ts"))) as GeneratedForNodeRedis;
});

const KINDS = ["multi", "pipeline"] as const;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: Error) => error,
  );
}

/** The same reads, as a batch and as direct calls: their replies must be equal, value and type. */
async function batchAndDirect(client: Target, kind: (typeof KINDS)[number], tag = "") {
  const [set, doc] = [`${tag}z`, `${tag}doc`];
  const batched = await generated[kind](client)
    .ranks(set, ["a", "missing", "b"])
    .readConfig(doc, "name")
    .readConfig(doc, "absent")
    .ranks(set, [])
    .exec();
  const direct = [
    await generated.ranks(client, set, ["a", "missing", "b"]),
    await generated.readConfig(client, doc, "name"),
    await generated.readConfig(client, doc, "absent"),
    await generated.ranks(client, set, []),
  ];
  return { batched, direct };
}

describe("on a server", () => {
  let server: RedisServer;
  let admin: Redis;
  holdOpen(async () => (server = await startRedisServer()));
  holdOpen(() => (admin = connect(server)));
  beforeEach(async () => {
    await admin.flushall();
    await admin.zadd("z", 1, "a", 2, "b");
    await admin.set("doc", JSON.stringify({ name: "luagen" }));
  });

  const clients = [
    ...IOREDIS.map(({ name, Redis: Client }) => ({ name, open: () => connect(server, Client) })),
    {
      name: "ioredis 6, RESP3",
      open: () => {
        const Client = IOREDIS.find((c) => c.major === 6)!.Redis;
        return new Client({ host: server.host, port: server.port, maxRetriesPerRequest: 1, protocol: 3 } as never);
      },
    },
  ];

  describe.each(clients)("$name", ({ open }) => {
    let redis: Redis;
    holdOpen(() => (redis = open()));

    describe.each(KINDS)("%s(client)", (kind) => {
      test("replies equal the direct calls' replies, value and type", async () => {
        const { batched, direct } = await batchAndDirect(redis, kind);
        expect(batched).toEqual([[0, -1, 1], "luagen", null, []]);
        expect(batched).toStrictEqual(direct);
        expect(batched.map((reply) => typeof reply)).toEqual(direct.map((reply) => typeof reply));
      });

      test("1, 2 and 100 calls, scripts and commands mixed: one reply per call, in order", async () => {
        expect(await generated[kind](redis).incrCapped("n", 10).exec()).toEqual([1]);
        expect(await generated[kind](redis).get("n").incrCapped("n", 10, 60).exec()).toEqual(["1", 2]);
        let batch = generated[kind](redis);
        for (let i = 0; i < 25; i++) batch = batch.incrCapped("c", 20).incr("m").set("s", String(i), "EX", 60).get("s");
        const replies = await batch.exec();
        expect(replies).toHaveLength(100);
        expect(replies.slice(0, 4)).toEqual([1, 1, "OK", "0"]);
        expect(replies.slice(96)).toEqual([20, 25, "OK", "24"]); // capped at 20
        expect(await admin.ttl("c")).toBe(-1); // no ttl given: the optional argument was left out
      });

      test("a script failing inside an included file: its script, the included file's line and its index", async () => {
        await admin.set("bad", "not json");
        const error = await rejection(generated[kind](redis).incr("m").readConfig("bad", "name").incr("m").exec());
        expect(error).toBeInstanceOf(generated.BatchError);
        const { results, failed } = error as BatchError;
        expect(failed).toEqual([1]);
        expect(results[0]).toEqual([null, 1]);
        expect(results[2]).toEqual([null, 2]);
        const message = results[1]![0]!.message;
        expect(message).toMatch(/^ERR user_script:8: /);
        expect(message).toMatch(/ \(readConfig at lua\/lib\/_decode\.lua:4, batch index 1\)$/);
      });
    });

    test("WATCH: a watched key changed, nothing ran, TransactionAbortedError", async () => {
      await redis.watch("doc");
      const batch = generated.multi(redis).incrCapped("n", 10);
      await admin.set("doc", "changed");
      const error = await rejection(batch.exec());
      expect(error).toBeInstanceOf(generated.TransactionAbortedError);
      expect((error as TransactionAbortedError).reason).toBe("watch");
      expect(await admin.get("n")).toBeNull();
    });

    test("EXECABORT: a queued command Redis refused, nothing ran, TransactionAbortedError", async () => {
      const error = await rejection(generated.multi(redis).incrCapped("n", 10).call("get").exec());
      expect(error).toBeInstanceOf(generated.TransactionAbortedError);
      expect((error as TransactionAbortedError).reason).toBe("execabort");
      expect(await admin.get("n")).toBeNull();
    });
  });

  describe.each(NODE_REDIS)("$name", (major) => {
    let client: NodeRedisConnection;
    holdOpen(async () => (client = await major.client(server)));

    describe.each(KINDS)("%s(client)", (kind) => {
      test("replies equal the direct calls' replies; 100 mixed calls in order", async () => {
        const batched = await generatedNode[kind](client)
          .ranks("z", ["a", "missing", "b"])
          .readConfig("doc", "name")
          .readConfig("doc", "absent")
          .exec();
        const direct = [
          await generatedNode.ranks(client, "z", ["a", "missing", "b"]),
          await generatedNode.readConfig(client, "doc", "name"),
          await generatedNode.readConfig(client, "doc", "absent"),
        ];
        expect(batched).toEqual([[0, -1, 1], "luagen", null]);
        expect(batched).toStrictEqual(direct);
        let batch = generatedNode[kind](client);
        for (let i = 0; i < 25; i++)
          batch = batch.incrCapped("c", 20).incr("m").set("s", String(i), { EX: 60 }).get("s");
        const replies = await batch.exec();
        expect(replies).toHaveLength(100);
        expect(replies.slice(96)).toEqual([20, 25, "OK", "24"]);
      });

      test("a script failing inside an included file: its script, the included file's line and its index", async () => {
        await admin.set("bad", "not json");
        const error = await rejection(generatedNode[kind](client).incr("m").readConfig("bad", "name").exec());
        expect(error).toBeInstanceOf(generatedNode.BatchError);
        const { results } = error as BatchError;
        expect(results[0]).toEqual([null, 1]);
        expect(results[1]![0]!.message).toMatch(/ \(readConfig at lua\/lib\/_decode\.lua:4, batch index 1\)$/);
      });
    });

    test("EXECABORT: TransactionAbortedError, nothing ran", async () => {
      const error = await rejection(generatedNode.multi(client).incrCapped("n", 10).sendCommand(["GET"]).exec());
      expect(error).toBeInstanceOf(generatedNode.TransactionAbortedError);
      expect(await admin.get("n")).toBeNull();
    });
  });

  describe.each(IOREDIS)("$name under a SCRIPT FLUSH storm", ({ Redis: Client }) => {
    let clients: Redis[];
    holdOpen(() => (clients = Array.from({ length: 3 }, () => connect(server, Client))));

    test("typed transactions and pipelines: 0 failures, 0 partial transactions", async () => {
      const [worker, flusher, checker] = clients;
      const failures: unknown[] = [];
      let committed = 0;
      const { flushes } = await underFlushStorm([flusher!], () =>
        Promise.all([
          pool(200, 10, async () => {
            const outcome = await generated
              .multi(worker!)
              .incr("tx")
              .incrCapped("tx-hits", 1e9)
              .incrCapped("tx-hits", 1e9)
              .execSettled();
            if (outcome.aborted) return void failures.push(outcome.error);
            const errors = outcome.results.filter(([error]) => error !== null);
            failures.push(...errors);
            if (errors.length === 0) committed++;
          }),
          pool(200, 10, async () => {
            const outcome = await generated.pipeline(worker!).incrCapped("p-hits", 1e9).ranks("z", ["a"]).execSettled();
            if (outcome.aborted) return void failures.push(outcome.error);
            failures.push(...outcome.results.filter(([error]) => error !== null));
          }),
        ]),
      );
      expect(failures).toEqual([]);
      expect(committed).toBe(200);
      expect(flushes).toBeGreaterThan(10);
      // Every transaction applied whole: three increments each.
      expect(await checker!.get("tx")).toBe("200");
      expect(await checker!.get("tx-hits")).toBe("400");
    });
  });
});

describe("node-redis under a SCRIPT FLUSH storm", () => {
  let server: RedisServer;
  let admin: Redis;
  holdOpen(async () => (server = await startRedisServer()));
  holdOpen(() => (admin = connect(server)));

  test.each(NODE_REDIS.filter((major) => major.resp === 2))(
    "$name: typed transactions and pipelines, 0 failures, 0 partial transactions",
    async (major) => {
      await admin.flushall();
      const worker = await major.client(server);
      const flusher = connect(server);
      try {
        const failures: unknown[] = [];
        const { flushes } = await underFlushStorm([flusher], () =>
          Promise.all([
            pool(200, 10, async () => {
              const outcome = await generatedNode
                .multi(worker)
                .incr("tx")
                .incrCapped("tx-hits", 1e9)
                .incrCapped("tx-hits", 1e9)
                .execSettled();
              if (outcome.aborted) return void failures.push(outcome.error);
              failures.push(...outcome.results.filter(([error]) => error !== null));
            }),
            pool(200, 10, async () => {
              const outcome = await generatedNode.pipeline(worker).incrCapped("p-hits", 1e9).incr("p").execSettled();
              if (outcome.aborted) return void failures.push(outcome.error);
              failures.push(...outcome.results.filter(([error]) => error !== null));
            }),
          ]),
        );
        expect(failures).toEqual([]);
        expect(flushes).toBeGreaterThan(10);
        expect(await admin.get("tx")).toBe("200");
        expect(await admin.get("tx-hits")).toBe("400");
      } finally {
        worker.destroy();
        flusher.disconnect();
      }
    },
  );
});

describe("on a 3+3 cluster", () => {
  let cluster: RedisCluster;
  holdOpen(async () => (cluster = await startRedisCluster()));

  describe.each(IOREDIS)("$name", ({ Cluster: ClusterClient }) => {
    let client: Cluster;
    holdOpen(
      () => (client = new ClusterClient([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } })),
    );
    beforeEach(async () => {
      for (const { port } of await cluster.shards()) await cluster.admin(port).flushall();
      await client.zadd("{t}z", 1, "a", 2, "b");
      await client.set("{t}doc", JSON.stringify({ name: "luagen" }));
    });

    test.each(KINDS)("%s(cluster): replies equal the direct calls', and 100 calls in one slot", async (kind) => {
      const { batched, direct } = await batchAndDirect(client, kind, "{t}");
      expect(batched).toEqual([[0, -1, 1], "luagen", null, []]);
      expect(batched).toStrictEqual(direct);
      let batch = generated[kind](client);
      for (let i = 0; i < 50; i++) batch = batch.incrCapped("{t}n", 1000).incr("{t}m");
      const replies = await batch.exec();
      expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => Math.floor(i / 2) + 1));
    });

    test("a script error in a cluster batch names the included file's line and the index", async () => {
      await client.set("{t}bad", "not json");
      const error = await rejection(generated.multi(client).readConfig("{t}bad", "x").exec());
      expect((error as BatchError).results[0]![0]!.message).toMatch(
        / \(readConfig at lua\/lib\/_decode\.lua:4, batch index 0\)$/,
      );
    });
  });

  describe.each(NODE_REDIS.filter((major) => major.resp === 2))("$name", (major) => {
    let client: NodeRedisConnection;
    holdOpen(async () => (client = await major.cluster(cluster.startupNodes)));

    test.each(KINDS)("%s(cluster): 100 calls in one slot, one reply per call, in order", async (kind) => {
      for (const { port } of await cluster.shards()) await cluster.admin(port).flushall();
      let batch = generatedNode[kind](client);
      for (let i = 0; i < 50; i++) batch = batch.incrCapped("{t}n", 1000).incr("{t}m");
      expect(await batch.exec()).toEqual(Array.from({ length: 100 }, (_, i) => Math.floor(i / 2) + 1));
    });
  });
});

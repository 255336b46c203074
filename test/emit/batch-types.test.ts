// Typed batches, as the compiler sees them: `multi(client)` / `pipeline(client)` of the generated
// index give a tuple with one element per call, typed by the script's `---@return` or by the
// client's own declarations, on ioredis 5, ioredis 6 (with its RESP3 reply mapping) and iovalkey,
// under the strictest settings and either module resolution. `Equal` is exact: a wider, narrower
// or longer tuple fails to compile, and each `@ts-expect-error` fails tsc if its line compiles.
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Client } from "../../src/config.js";
import { generate } from "../../src/generate.js";
import { BUNDLER, consumerProject, FIXTURES, NODENEXT } from "../support/consumer.js";
import { STRICTEST, tsc, writeTsconfig } from "../support/tsc.js";
import { ROOT } from "../support/workspace.js";

const SCRIPTS = path.join(ROOT, "test", "fixtures", "batch", "lua");

const consumer = (from: string) => `import { Redis, Cluster } from "${from}";
import { multi, pipeline, BatchError, TransactionAbortedError, type Settled } from "./gen/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

export async function use(redis: Redis, cluster: Cluster): Promise<void> {
  const replies = await multi(redis)
    .get("lock")
    .incrCapped("hits", 100)
    .set("k", "v", "EX", 60)
    .ranks("z", ["a", "b"])
    .incr("n")
    .readConfig("doc", "field")
    .incrCapped("hits", 100, 60)
    .exec();
  expectType<Equal<typeof replies, [string | null, number, "OK", number[], number, string | null, number]>>();
  const [lock, count, , ranks] = replies;
  expectType<Equal<typeof lock, string | null>>();
  expectType<Equal<typeof count, number>>();
  expectType<Equal<typeof ranks, number[]>>();

  const one = await pipeline(cluster).incrCapped("{h}1", 3).exec();
  expectType<Equal<typeof one, [number]>>();
  const none = await multi(redis).exec();
  expectType<Equal<typeof none, []>>();
  const hash = await pipeline(redis).hgetall("h").zscore("z", "a").exec();
  expectType<Equal<typeof hash, [Record<string, string>, string | null]>>();

  const outcome = await multi(redis).ranks("z", []).get("x").execSettled();
  if (outcome.aborted) {
    expectType<Equal<typeof outcome.error, TransactionAbortedError>>();
    expectType<Equal<typeof outcome.error.reason, "watch" | "execabort">>();
  } else {
    expectType<Equal<typeof outcome.results, [Settled<number[]>, Settled<string | null>]>>();
    const [[error, value]] = outcome.results;
    if (error === null) expectType<Equal<typeof value, number[]>>();
    else expectType<Equal<typeof value, undefined>>();
  }
  try {
    await pipeline(redis).incrCapped("h", 1).exec();
  } catch (error) {
    if (error instanceof BatchError) {
      const failed: readonly number[] = error.failed;
      const results: readonly Settled<unknown>[] = error.results;
      void [failed, results];
    }
  }

  // @ts-expect-error a reply declared integer is a number, not a string
  const wrong: string = count;
  // @ts-expect-error a reply declared integer[] is number[], not string[]
  const wrongRanks: string[] = ranks;
  // @ts-expect-error the tuple has two elements, not three
  const [, , third] = await pipeline(redis).incrCapped("h", 1).get("x").exec();
  // @ts-expect-error max must be a number
  multi(redis).incrCapped("h", "3");
  // @ts-expect-error a required argument is missing
  multi(redis).incrCapped("h");
  // @ts-expect-error a batch ends with exec(): discard is not one of its commands
  multi(redis).discard();
  // @ts-expect-error a typed batch is opened on a client, not on a batch
  multi(redis.multi());
  void [wrong, wrongRanks, third];
}
`;

// ioredis 6 with its RESP3 mapping: a ZSCORE is a number there, and the batch says so.
const RESP3_CONSUMER = `import { Redis, Cluster } from "ioredis";
import { multi, pipeline } from "./gen/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

export async function use(resp3: Redis<"resp3">, legacy: Redis, cluster: Cluster<"resp3">): Promise<void> {
  const onResp3 = await multi(resp3).zscore("z", "a").incrCapped("h", 1).exec();
  expectType<Equal<typeof onResp3, [number | null, number]>>();
  const onLegacy = await multi(legacy).zscore("z", "a").exec();
  expectType<Equal<typeof onLegacy, [string | null]>>();
  const onCluster = await pipeline(cluster).incrCapped("h", 1).zscore("z", "a").exec();
  expectType<Equal<typeof onCluster, [number, number | null]>>();
}
`;

const CLIENTS: { name: string; client: Client; packages: Record<string, string>; from: string }[] = [
  { name: "ioredis 5", client: "ioredis", packages: { ioredis: "ioredis" }, from: "ioredis" },
  { name: "ioredis 6", client: "ioredis", packages: { ioredis: "ioredis6" }, from: "ioredis" },
  { name: "iovalkey", client: "iovalkey", packages: { iovalkey: "iovalkey" }, from: "iovalkey" },
];

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe.each(CLIENTS)("$name", ({ client, packages, from }) => {
  it.each([
    { mode: "NodeNext", options: NODENEXT },
    { mode: "bundler", options: BUNDLER },
  ])("exec() gives the exact tuple of the calls ($mode resolution, strictest settings)", async ({ options }) => {
    const dir = await consumerProject(made, client, packages, consumer(from), SCRIPTS);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("and the type tests are real: a wrong tuple, or one expect-error directive less, fails tsc", async () => {
    const text = consumer(from)
      .replace("// @ts-expect-error max must be a number\n", "")
      .replace('[string | null, number, "OK", number[], number, string | null, number]', "[string | null, number]");
    const dir = await consumerProject(made, client, packages, text, SCRIPTS);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toContain("consumer.ts(17,");
    expect(result.output).toContain("not assignable to parameter of type 'number'");
  });
});

// node-redis: the commands' reply types are those of the client's own methods, RESP version and
// type mapping applied; a cluster's batch likewise.
const NODE_REDIS_CONSUMER = `import { createClient, createCluster } from "redis";
import { multi, pipeline, BatchError, TransactionAbortedError, type Settled } from "./gen/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

export async function use(): Promise<void> {
  const client = createClient();
  const resp3 = createClient({ RESP: 3 });
  const cluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });

  const replies = await multi(client)
    .get("lock")
    .incrCapped("hits", 100)
    .set("k", "v", { EX: 60 })
    .ranks("z", ["a", "b"])
    .incr("n")
    .readConfig("doc", "field")
    .incrCapped("hits", 100, 60)
    .exec();
  expectType<Equal<typeof replies, [string | null, number, string | null, number[], number, string | null, number]>>();
  const [lock, count, , ranks] = replies;

  const onResp3 = await pipeline(resp3).zScore("z", "a").incrCapped("h", 1).exec();
  expectType<Equal<typeof onResp3, [number | null, number]>>();
  const onResp2 = await pipeline(client).zScore("z", "a").exec();
  expectType<Equal<typeof onResp2, [number | null]>>();
  const onCluster = await multi(cluster).incrCapped("{h}1", 3).get("{h}2").exec();
  expectType<Equal<typeof onCluster, [number, string | null]>>();
  const none = await multi(client).exec();
  expectType<Equal<typeof none, []>>();

  const outcome = await multi(client).ranks("z", []).get("x").execSettled();
  if (outcome.aborted) expectType<Equal<typeof outcome.error, TransactionAbortedError>>();
  else expectType<Equal<typeof outcome.results, [Settled<number[]>, Settled<string | null>]>>();
  try {
    await pipeline(client).incrCapped("h", 1).exec();
  } catch (error) {
    if (error instanceof BatchError) void error.failed;
  }

  // @ts-expect-error a reply declared integer is a number, not a string
  const wrong: string = count;
  // @ts-expect-error a reply declared integer[] is number[], not string[]
  const wrongRanks: string[] = ranks;
  // @ts-expect-error the tuple has two elements, not three
  const [, , third] = await pipeline(client).incrCapped("h", 1).get("x").exec();
  // @ts-expect-error max must be a number
  multi(client).incrCapped("h", "3");
  // @ts-expect-error a required argument is missing
  multi(client).incrCapped("h");
  // @ts-expect-error connect is the client's, not a command of a batch
  multi(client).connect();
  // @ts-expect-error a typed batch is opened on a client, not on a multi
  multi(client.multi());
  void [lock, wrong, wrongRanks, third];
}
`;

describe.each([
  { name: "node-redis 5", installed: "redis" },
  { name: "node-redis 6", installed: "redis6" },
])("$name", ({ installed }) => {
  it.each([
    { mode: "NodeNext", options: NODENEXT },
    { mode: "bundler", options: BUNDLER },
  ])("exec() gives the exact tuple of the calls ($mode resolution, strictest settings)", async ({ options }) => {
    const dir = await consumerProject(made, "node-redis", { redis: installed }, NODE_REDIS_CONSUMER, SCRIPTS);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("and the type tests are real: a wrong tuple, or one expect-error directive less, fails tsc", async () => {
    const text = NODE_REDIS_CONSUMER.replace("// @ts-expect-error max must be a number\n", "").replace(
      "[string | null, number, string | null, number[], number, string | null, number]",
      "[string | null, number]",
    );
    const dir = await consumerProject(made, "node-redis", { redis: installed }, text, SCRIPTS);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toContain("consumer.ts(21,");
    expect(result.output).toContain("not assignable to parameter of type 'number'");
  });
});

// Two output folders in one program: each index augments the client's ResultTypes with the same
// text, so the declarations merge (a version that named each folder's own Batch there sent tsc
// out of memory). Each folder's batch keeps its own scripts.
const TWO_FOLDERS = `import { Redis } from "ioredis";
import * as first from "./gen/index.js";
import * as second from "./gen2/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

export async function use(redis: Redis): Promise<void> {
  const a = await first.multi(redis).get("k").incrCapped("h", 1).exec();
  expectType<Equal<typeof a, [string | null, number]>>();
  const b = await second.pipeline(redis).pingStatus().incr("n").addTags(["s"], "t").exec();
  expectType<Equal<typeof b, [string, number, number]>>();
  // @ts-expect-error the second folder's scripts are not methods of the first folder's batches
  first.multi(redis).pingStatus();
}
`;

describe("two output folders in one program", () => {
  it("compiles, each folder's batch with its own scripts, the client's commands typed in both", async () => {
    const dir = await consumerProject(made, "ioredis", { ioredis: "ioredis" }, TWO_FOLDERS, SCRIPTS);
    const second = await generate({ inputs: [FIXTURES], out: path.join(dir, "gen2"), cwd: ROOT });
    expect(second.kind).toBe("written");
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }, ["gen", "gen2", "consumer.ts"]));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("ioredis 6 reply mappings", () => {
  it("a batch of a RESP3-mapped client gives RESP3 shapes for the client's commands; a legacy one RESP2", async () => {
    const dir = await consumerProject(made, "ioredis", { ioredis: "ioredis6" }, RESP3_CONSUMER, SCRIPTS);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

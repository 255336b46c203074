// The `client` setting: a project that installs only one client library compiles the
// generated code under the strictest settings (issue 8 §6), with either module resolution,
// and the types accept that library's clients and batches and refuse wrong calls. Each
// project lives outside this repository, so no other client library can be resolved.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Client } from "../../src/config.js";
import { BUNDLER, consumerProject, importedPackages, NODENEXT } from "../support/consumer.js";
import { STRICTEST, tsc, writeTsconfig } from "../support/tsc.js";

// Each `@ts-expect-error` line is a type test: tsc fails if the line below it compiles.
const IOVALKEY_CONSUMER = `import { Redis, Cluster } from "iovalkey";
import { addTags, moveJobs, pingStatus } from "./gen/index.js";

export async function use(redis: Redis, cluster: Cluster): Promise<void> {
  const moved: [number, (string | null)[]] = await moveJobs(redis, "src", ["a", "b"], 10, "asc", { by: "me" });
  const onCluster: number = await addTags(cluster, ["{s}1", "{s}2"], "red");
  const results = await addTags(pingStatus(redis.pipeline().get("x")), ["s"], "t").set("y", "1").exec();
  const txResults = await moveJobs(redis.multi(), "s", ["d"], 1, "asc", {}).exec();
  void [moved, onCluster, results, txResults];

  // @ts-expect-error count must be a number
  await moveJobs(redis, "src", ["a"], "10", "asc", {});
  // @ts-expect-error the reply is a number, not a string
  const wrong: string = await addTags(redis, ["s"], "red");
  // @ts-expect-error a batch call returns the batch, not a promise of the reply
  const notAPromise: Promise<number> = addTags(redis.pipeline(), ["s"], "t");
  void [wrong, notAPromise];
}
`;

const NODE_REDIS_CONSUMER = `import { createClient, createCluster } from "redis";
import { addTags, moveJobs, pingStatus } from "./gen/index.js";

export async function use(): Promise<void> {
  const client = createClient();
  const resp3 = createClient({ RESP: 3 });
  const cluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });
  const moved: [number, (string | null)[]] = await moveJobs(client, "src", ["a", "b"], 10, "asc", { by: "me" });
  const onResp3: number = await addTags(resp3, ["s1"], "red");
  const onCluster: number = await addTags(cluster, ["{s}1", "{s}2"], "red");
  const status: string = await pingStatus(resp3);
  const chained = addTags(pingStatus(client.multi().get("x")), ["s"], "t").set("y", "1");
  const results = await chained.exec();
  const piped = await addTags(resp3.multi(), ["s"], "t").execAsPipeline();
  const onClusterMulti = await moveJobs(cluster.multi(), "{q}s", [], 1, "desc", {}).exec();
  void [moved, onResp3, onCluster, status, results, piped, onClusterMulti];

  // @ts-expect-error count must be a number
  await moveJobs(client, "src", ["a"], "10", "asc", {});
  // @ts-expect-error a required argument is missing
  await moveJobs(cluster, "src", ["a"], 10, "asc");
  // @ts-expect-error a key is a string or Buffer
  await addTags(resp3, [1], "red");
  // @ts-expect-error the reply is a number, not a string
  const wrong: string = await addTags(client, ["s"], "red");
  // @ts-expect-error a call on a multi returns the multi, not a promise of the reply
  const notAPromise: Promise<number> = addTags(client.multi(), ["s"], "t");
  // @ts-expect-error an ioredis-shaped object is not a node-redis client
  await addTags({ evalsha: async () => 1 }, ["s"], "t");
  void [wrong, notAPromise];
}
`;

const GLIDE_CONSUMER = `import { Batch, ClusterBatch, GlideClient, GlideClusterClient, type GlideString } from "@valkey/valkey-glide";
import { addTags, bare, moveJobs, multi, pingStatus, pipeline } from "./gen/index.js";

export async function typed(client: GlideClient, cluster: GlideClusterClient): Promise<void> {
  const [tagged, value, status]: [number, GlideString | null, string] = await multi(client)
    .addTags(["s"], "t")
    .get("k")
    .pingStatus()
    .exec();
  const onCluster: [number, number] = await pipeline(cluster).incr("{a}1").addTags(["{a}2"], "t").exec();
  void [tagged, value, status, onCluster];
  // @ts-expect-error the tuple's first reply is a number
  const wrongTuple: [string] = await multi(client).addTags(["s"], "t").exec();
  void wrongTuple;
}

export async function onCluster(cluster: GlideClusterClient): Promise<void> {
  const tagged: number = await addTags(cluster, ["{s}1", "{s}2"], "red");
  const batch: ClusterBatch = addTags(new ClusterBatch(true), ["{s}1"], "t");
  void [tagged, await cluster.exec(batch, true)];
}

export async function use(client: GlideClient): Promise<void> {
  const moved: [number, (string | null)[]] = await moveJobs(client, "src", ["a", "b"], 10, "asc", { by: "me" });
  const status: string = await pingStatus(client);
  const value: string | null = await bare(client, "k1", Buffer.from("k2"), "v");
  const batch: Batch = addTags(pingStatus(new Batch(true)), ["s"], "t");
  const results = await client.exec(batch, true);
  void [moved, status, value, results];

  // @ts-expect-error count must be a number
  await moveJobs(client, "src", ["a"], "10", "asc", {});
  // @ts-expect-error a key is missing
  await bare(client, "k1", "v");
  // @ts-expect-error the reply is a number, not a string
  const wrong: string = await addTags(client, ["s"], "red");
  // @ts-expect-error a call on a Batch returns the Batch, not a promise of the reply
  const notAPromise: Promise<number> = addTags(new Batch(false), ["s"], "t");
  // @ts-expect-error an ioredis-shaped object is not a GLIDE client
  await addTags({ evalsha: async () => 1 }, ["s"], "t");
  void [wrong, notAPromise];
}
`;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const project = (client: Client, packages: Record<string, string>, consumer: string) =>
  consumerProject(made, client, packages, consumer);

describe("iovalkey", () => {
  it.each([
    { mode: "NodeNext", options: NODENEXT },
    { mode: "bundler", options: BUNDLER },
  ])(
    "a project with iovalkey and no ioredis compiles under the strictest settings ($mode resolution)",
    async ({ options }) => {
      const dir = await project("iovalkey", { iovalkey: "iovalkey" }, IOVALKEY_CONSUMER);
      expect(importedPackages(dir)).toEqual(["iovalkey"]);
      const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it("and its type tests are real: without one expect-error directive tsc fails", async () => {
    const dir = await project(
      "iovalkey",
      { iovalkey: "iovalkey" },
      IOVALKEY_CONSUMER.replace("// @ts-expect-error count must be a number\n", ""),
    );
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toContain("not assignable to parameter of type 'number'");
    expect(readFileSync(path.join(dir, "gen", "runtime.ts"), "utf8")).not.toContain('from "ioredis"');
  });
});

describe.each([
  { name: "node-redis 5", installed: "redis" },
  { name: "node-redis 6", installed: "redis6" },
])("$name", ({ installed }) => {
  it.each([
    { mode: "NodeNext", options: NODENEXT },
    { mode: "bundler", options: BUNDLER },
  ])(
    "a project with node-redis and no ioredis compiles under the strictest settings ($mode resolution)",
    async ({ options }) => {
      const dir = await project("node-redis", { redis: installed }, NODE_REDIS_CONSUMER);
      expect(importedPackages(dir)).toEqual(["redis"]);
      const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it("and its type tests are real: without one expect-error directive tsc fails", async () => {
    const dir = await project(
      "node-redis",
      { redis: installed },
      NODE_REDIS_CONSUMER.replace("// @ts-expect-error the reply is a number, not a string\n", ""),
    );
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toContain("Type 'number' is not assignable to type 'string'");
  });
});

describe("Valkey GLIDE", () => {
  it.each([
    { mode: "NodeNext", options: NODENEXT },
    { mode: "bundler", options: BUNDLER },
  ])(
    "a project with @valkey/valkey-glide and no other client compiles under the strictest settings ($mode resolution)",
    async ({ options }) => {
      const dir = await project("glide", { "@valkey/valkey-glide": "@valkey/valkey-glide" }, GLIDE_CONSUMER);
      expect(importedPackages(dir)).toEqual(["@valkey/valkey-glide"]);
      const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it("and its type tests are real: without one expect-error directive tsc fails", async () => {
    const dir = await project(
      "glide",
      { "@valkey/valkey-glide": "@valkey/valkey-glide" },
      GLIDE_CONSUMER.replace("// @ts-expect-error a key is missing\n", ""),
    );
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toContain("Expected 4 arguments, but got 3");
  });
});

const FUNCTIONS_CONSUMERS = {
  ioredis: `import { Redis, Cluster } from "ioredis";
import { addTags, moveJobs } from "./gen/index.js";
import { library, loadLibrary } from "./gen/_library.js";

export async function use(redis: Redis, cluster: Cluster): Promise<void> {
  const loaded: { library: string; loaded: number; current: number } = await loadLibrary(cluster);
  const name: string = library.name;
  const tagged: number = await addTags(redis, ["s1"], "red");
  const txResults = await moveJobs(redis.multi(), "s", ["d"], 1, "asc", {}).exec();
  void [loaded, name, tagged, txResults];
  // @ts-expect-error loadLibrary takes a client, not a batch
  await loadLibrary(redis.pipeline());
}
`,
  "node-redis": `import { createClient, createCluster } from "redis";
import { addTags } from "./gen/index.js";
import { loadLibrary } from "./gen/_library.js";

export async function use(): Promise<void> {
  const client = createClient();
  const cluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });
  const loaded: number = (await loadLibrary(cluster)).loaded;
  const tagged: number = await addTags(client, ["s1"], "red");
  void [loaded, tagged];
  // @ts-expect-error loadLibrary takes a client, not a multi
  await loadLibrary(client.multi());
}
`,
};

describe("--mode functions", () => {
  it.each<{ client: Client; packages: Record<string, string> }>([
    { client: "ioredis", packages: { ioredis: "ioredis" } },
    { client: "node-redis", packages: { redis: "redis" } },
  ])(
    "a project with $client compiles the library module and the scripts under the strictest settings",
    async ({ client, packages }) => {
      const dir = await consumerProject(
        made,
        client,
        packages,
        FUNCTIONS_CONSUMERS[client as keyof typeof FUNCTIONS_CONSUMERS],
        undefined,
        {
          mode: "functions",
          library: "consumer",
        },
      );
      const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    },
  );

  it("a project with glide compiles the library module and the scripts under the strictest settings", async () => {
    const consumer = `import { GlideClient, GlideClusterClient } from "@valkey/valkey-glide";
import { addTags } from "./gen/index.js";
import { library, loadLibrary } from "./gen/_library.js";

export async function use(client: GlideClient, cluster: GlideClusterClient): Promise<void> {
  const loaded: number = (await loadLibrary(client)).loaded + (await loadLibrary(cluster)).current;
  const name: string = library.name;
  const tagged: number = await addTags(client, ["s1"], "red");
  void [loaded, name, tagged];
  // @ts-expect-error loadLibrary takes a client, not a number
  await loadLibrary(1);
}
`;
    const dir = await consumerProject(
      made,
      "glide",
      { "@valkey/valkey-glide": "@valkey/valkey-glide" },
      consumer,
      undefined,
      { mode: "functions", library: "consumer" },
    );
    expect(importedPackages(dir)).toEqual(["@valkey/valkey-glide"]);
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("with a library per folder: the folder's library beside its scripts, the rest sent as scripts", async () => {
    const consumer = `import { Redis } from "ioredis";
import { addTags, moveJobs } from "./gen/index.js";
import { library, loadLibrary } from "./gen/queue/_library.js";

export async function use(redis: Redis): Promise<void> {
  const loaded: number = (await loadLibrary(redis)).loaded;
  const name: string = library.name;
  const tagged: number = await addTags(redis, ["s1"], "red");
  const moved = await moveJobs(redis, "s", ["d"], 1, "asc", {});
  void [loaded, name, tagged, moved];
}
`;
    const dir = await consumerProject(made, "ioredis", { ioredis: "ioredis" }, consumer, undefined, {
      mode: { "test/fixtures/project/lua/queue": "functions" },
      library: "consumer",
    });
    expect(readFileSync(path.join(dir, "gen", "queue", "move-jobs.ts"), "utf8")).toContain(
      'import { library } from "./_library.js";',
    );
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...NODENEXT }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

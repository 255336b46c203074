// The generated code and the runtime type-check against ioredis 6's own
// declarations, where Redis and Cluster are generic over a reply mapping
// (`Redis<"legacy">`, `Redis<"resp3">`) and a pipeline is `ChainableCommander<"resp2" | "resp3">`.
// The project's temp dir gets a node_modules/ioredis that is ioredis 6, as in a
// user's project that depends on it; test/emit/compile.test.ts does the same with ioredis 5.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { generate } from "../../src/generate.js";
import { tsc, writeTsconfig } from "../support/tsc.js";
import { ROOT, tempDir } from "../support/workspace.js";

const FIXTURES = path.join(ROOT, "test", "fixtures", "project", "lua");

// Each `@ts-expect-error` line is a type test: tsc fails if the line below it compiles.
const CONSUMER = `import { Redis, Cluster, type ChainableCommander } from "ioredis";
import { addTags, moveJobs, pingStatus } from "./gen/index.js";

export async function use(
  legacy: Redis,
  resp3: Redis<"resp3">,
  cluster: Cluster,
  resp3Cluster: Cluster<"resp3">,
): Promise<void> {
  // Direct calls on every client type resolve to the script's reply.
  const a: number = await addTags(legacy, ["s1", "s2"], "red");
  const b: number = await addTags(resp3, ["s1"], "red");
  const c: [number, (string | null)[]] = await moveJobs(cluster, "{q}src", ["{q}dst"], 1, "asc", null);
  const d: string = await pingStatus(resp3Cluster);

  // A batch comes back with its own type, mapping included, so calls chain.
  const pipeline: ChainableCommander<"resp3"> = addTags(resp3.pipeline(), ["s"], "t");
  const chained = pingStatus(addTags(resp3.multi().get("x"), ["s"], "t")).set("y", "1");
  const results = await chained.exec();
  const onCluster: ChainableCommander<"resp2"> = moveJobs(cluster.multi(), "{q}s", [], 1, "desc", {});
  const legacyResults = await pingStatus(legacy.pipeline()).exec();
  void [a, b, c, d, pipeline, results, onCluster, legacyResults];

  // A client built from options infers its mapping, and still works.
  const inferred = new Redis({ protocol: 3, replyMapping: "resp3", lazyConnect: true });
  const e: number = await addTags(inferred, ["s"], "t");
  void e;

  // @ts-expect-error a batch call returns the batch, not a promise of the reply
  const notAPromise: Promise<number> = addTags(resp3.pipeline(), ["s"], "t");
  // @ts-expect-error the reply is a number, not a string
  const wrong: string = await addTags(resp3Cluster, ["s"], "red");
  // @ts-expect-error count must be a number
  await moveJobs(resp3, "src", ["a"], "10", "asc", {});
  // @ts-expect-error multi({ pipeline: false }) resolves to "OK": neither a client nor a batch
  await pingStatus(legacy.multi({ pipeline: false }));
  void [notAPromise, wrong];
}
`;

// The control: one deliberate mistake that must be the only error tsc reports,
// which shows the consumer was really checked, against ioredis 6.
const CONTROL = `import { Redis } from "ioredis";
import { addTags } from "./gen/index.js";

export async function control(redis: Redis<"resp3">): Promise<string> {
  return addTags(redis, ["s"], "t");
}
`;

let dir: string;

beforeAll(async () => {
  dir = tempDir("ioredis6-types");
  const result = await generate({ inputs: [FIXTURES], out: path.join(dir, "gen"), cwd: ROOT });
  expect(result.kind).toBe("written");
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(path.join(ROOT, "node_modules", "ioredis6"), path.join(dir, "node_modules", "ioredis"), "dir");
  writeFileSync(path.join(dir, "consumer.ts"), CONSUMER);
  writeFileSync(path.join(dir, "control.ts"), CONTROL);
  writeTsconfig(
    dir,
    { module: "NodeNext", moduleResolution: "NodeNext", typeRoots: [path.join(ROOT, "node_modules", "@types")] },
    ["gen", "consumer.ts", "control.ts"],
  );
});

test("generated code and a consumer type-check against ioredis 6 (Redis and Cluster of either reply mapping, their batches)", async () => {
  const { code, output } = await tsc(path.join(dir, "tsconfig.json"));
  const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
  expect(errors).toEqual([
    expect.stringMatching(/^control\.ts\(5,3\): error TS2322: Type 'number' is not assignable to type 'string'\.$/),
  ]);
  expect(code).not.toBe(0);
});

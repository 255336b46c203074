import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { emit } from "../../src/emit/typescript/emit.js";
import { buildScripts } from "../../src/build.js";
import { generate, readRuntimeTemplate } from "../../src/generate.js";
import { STRICTEST, tsc, writeTsconfig } from "../support/tsc.js";
import { ROOT, tempDir, writeTree } from "../support/workspace.js";

const FIXTURES = path.join(ROOT, "test", "fixtures", "project", "lua");

// Each `@ts-expect-error` line is a type test: tsc fails if the line below it compiles
// (an unused directive is an error), and the well-typed lines must compile as they are.
const CONSUMER = `import type { Redis, Cluster } from "ioredis";
import { addTags, bare, moveJobs, pingStatus, moveJobsScript } from "./gen/index.js";

export async function use(redis: Redis, cluster: Cluster): Promise<void> {
  const moved: [number, (string | null)[]] = await moveJobs(redis, "src", ["a", "b"], 10, "asc", { by: "me" });
  const withOptional: Promise<[number, (string | null)[]]> = moveJobs(cluster, "src", [], 1, "desc", null, true, 7);
  const tagged: number = await addTags(redis, ["s1", "s2"], "red");
  const inferred: string | null = await bare(redis, "k1", "k2", 1); // no @return: inferred from GET's reply
  const status: string = await pingStatus(redis);
  const results = await addTags(pingStatus(redis.pipeline().get("x")), ["s"], "t").set("y", "1").exec();
  const txResults = await moveJobs(redis.multi(), "s", ["d"], 1, "asc", {}).exec();
  const sha: string = moveJobsScript.sha1;
  const keys: number | null = moveJobsScript.numberOfKeys;
  void [moved, withOptional, tagged, inferred, status, results, txResults, sha, keys];

  // @ts-expect-error count must be a number
  await moveJobs(redis, "src", ["a"], "10", "asc", {});
  // @ts-expect-error "up" is not one of "asc" | "desc"
  await moveJobs(redis, "src", ["a"], 10, "up", {});
  // @ts-expect-error the rest key is one array, not spread
  await moveJobs(redis, "src", "a", "b", 10, "asc", {});
  // @ts-expect-error a required argument is missing
  await moveJobs(redis, "src", ["a"], 10, "asc");
  // @ts-expect-error one argument too many
  await moveJobs(redis, "src", ["a"], 10, "asc", {}, false, "label", "extra");
  // @ts-expect-error dryRun is a boolean
  await moveJobs(redis, "src", ["a"], 10, "asc", {}, "yes");
  // @ts-expect-error a key is a string or Buffer
  await addTags(redis, [1], "red");
  // @ts-expect-error the reply is a number, not a string
  const wrong: string = await addTags(redis, ["s"], "red");
  // @ts-expect-error a batch call returns the batch, not a promise of the reply
  const notAPromise: Promise<number> = addTags(redis.pipeline(), ["s"], "t");
  // @ts-expect-error the descriptor is frozen
  moveJobsScript.sha1 = "x";
  void [wrong, notAPromise];
}
`;

async function generatedProject(importExtension: string): Promise<string> {
  const dir = tempDir("compile");
  const result = await generate({ inputs: [FIXTURES], out: path.join(dir, "gen"), cwd: ROOT, importExtension });
  expect(result.kind).toBe("written");
  writeFileSync(path.join(dir, "consumer.ts"), CONSUMER.replace('"./gen/index.js"', `"./gen/index${importExtension}"`));
  return dir;
}

const NODENEXT = { module: "NodeNext", moduleResolution: "NodeNext" };
const BUNDLER = { module: "ESNext", moduleResolution: "bundler" };

describe("generated code compiles under tsc --strict", () => {
  it.each([
    { imports: '".js"', extension: ".js", mode: "NodeNext", options: NODENEXT },
    { imports: '".js"', extension: ".js", mode: "bundler", options: BUNDLER },
    { imports: "extensionless", extension: "", mode: "bundler", options: BUNDLER },
    {
      imports: '".ts"',
      extension: ".ts",
      mode: "bundler + allowImportingTsExtensions",
      options: { ...BUNDLER, allowImportingTsExtensions: true },
    },
  ])("with $imports imports under $mode resolution", async ({ extension, options }) => {
    const dir = await generatedProject(extension);
    const result = await tsc(writeTsconfig(dir, options));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  // ioredis 6 is installed under the alias "ioredis6": a node_modules/ioredis link in the
  // project makes it the one the generated code resolves, as in a user's project.
  it.each([
    { client: "ioredis 5", link: undefined, mode: "NodeNext", options: NODENEXT },
    { client: "ioredis 5", link: undefined, mode: "bundler", options: BUNDLER },
    { client: "ioredis 6", link: "ioredis6", mode: "NodeNext", options: NODENEXT },
    { client: "ioredis 6", link: "ioredis6", mode: "bundler", options: BUNDLER },
  ])("and under the strictest settings ($client, $mode resolution)", async ({ link, options }) => {
    const dir = await generatedProject(".js");
    if (link !== undefined) {
      mkdirSync(path.join(dir, "node_modules"));
      symlinkSync(path.join(ROOT, "node_modules", link), path.join(dir, "node_modules", "ioredis"), "dir");
    }
    const result = await tsc(writeTsconfig(dir, { ...STRICTEST, ...options }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("for scripts that include other files (descriptors with origins)", async () => {
    const dir = tempDir("compile");
    const result = await generate({
      inputs: [path.join(ROOT, "test", "fixtures", "includes", "lua")],
      out: path.join(dir, "gen"),
      cwd: ROOT,
    });
    expect(result.kind).toBe("written");
    writeFileSync(
      path.join(dir, "consumer.ts"),
      `import type { Redis } from "ioredis";
import { counter, counterScript, releaseLock } from "./gen/index.js";

export async function use(redis: Redis): Promise<void> {
  const value: number = await counter(redis, "hits", 10);
  const released: number = await releaseLock(redis, "lock", "token");
  const origin: { line: number; file: string; fileLine: number } | undefined = counterScript.origins?.[0];
  void [value, released, origin];
}
`,
    );
    const compiled = await tsc(writeTsconfig(dir, NODENEXT));
    expect(compiled.output).toBe("");
    expect(compiled.code).toBe(0);
  });

  it("and the type tests are real: removing one expect-error directive makes tsc fail", async () => {
    const dir = await generatedProject(".js");
    writeFileSync(path.join(dir, "consumer.ts"), CONSUMER.replace("// @ts-expect-error count must be a number\n", ""));
    const result = await tsc(writeTsconfig(dir, NODENEXT));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("not assignable to parameter of type 'number'");
  });
});

// Names legal on disk that once produced TypeScript tsc rejected: scripts and parameters named
// like what a module imports from the runtime, a `---@name` equal to an imported type, non-ASCII
// names, and folders whose names end comments or strings. Built in memory: the scanner's globbing
// skips folders named with a line terminator, and it is the emitted text that is under test here.
const hostile = (params: string) =>
  `---@key ${params.split(" ")[0]}\n${params
    .split(" ")
    .slice(1)
    .map((name) => `---@arg ${name} string\n`)
    .join("")}---@return integer\nreturn #KEYS + #ARGV\n`;
const HOSTILE: Record<string, string> = {
  "run.lua": hostile("key"),
  "define.lua": hostile("key"),
  "params.lua": hostile("runScript defineScript target _target Batch RedisKey ScriptClient ScriptBatch"),
  "typed.lua": `---@name ScriptClientFactory\n${hostile("ScriptDescriptor")}`,
  "redis-key.lua": `---@name RedisKey\n${hostile("k")}`,
  "promise.lua": `---@name Promise\n${hostile("k")}`,
  // Names index.ts uses inside for typed batches, and a client command's name (a batch method then).
  "open-batch.lua": `---@name openBatch\n${hostile("k")}`,
  "scripts.lua": `---@name SCRIPTS\n${hostile("k")}`,
  "batch-of.lua": `---@name BatchOf\n${hostile("k")}`,
  "get.lua": hostile("k"),
  // A parameter with the name of the script's own descriptor, which the function's body passes on.
  "counter.lua": hostile("k counterScript"),
  "café.lua": hostile("k"),
  "größe.lua": hostile("k"),
  "日本.lua": hostile("k"),
  'we"ird/quoted.lua': hostile("k"),
  "star*/slash.lua": hostile("k"),
  "new\nline/broken.lua": hostile("k"),
  "cr\rreturn/carriage.lua": hostile("k"),
  "sep\u2028arator/para.lua": hostile("k"),
  "tick`/back.lua": hostile("k"),
};

describe("generated code compiles for every name legal on disk", () => {
  it("scripts and parameters named like the runtime's imports, non-ASCII names, paths that end comments", async () => {
    const dir = tempDir("compile-hostile");
    const files = Object.entries(HOSTILE).map(([relativePath, text]) => ({
      path: `lua/${relativePath}`,
      relativePath,
      text,
      partial: false,
    }));
    const built = buildScripts(files);
    expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const emitted = emit(built.scripts, { runtime: await readRuntimeTemplate(), importExtension: ".js" }).files;
    writeTree(path.join(dir, "gen"), Object.fromEntries(emitted.map((f) => [f.path, f.content])));
    writeFileSync(
      path.join(dir, "consumer.ts"),
      `import { Redis } from "ioredis";
import { run, runScript, define, defineScript, params, ScriptClientFactory, RedisKey, Promise as P } from "./gen/index.js";
import { café, größe, 日本, quoted, slash, broken, carriage, para, back, multi, counter } from "./gen/index.js";

export async function use(redis: Redis): Promise<void> {
  const replies: number[] = await Promise.all([
    run(redis, "k"),
    define(redis, "k"),
    params(redis, "k", "a", "b", "c", "d", "e", "f", "g"),
    ScriptClientFactory(redis, "k"),
    RedisKey(redis, "k"),
    P(redis, "k"),
    café(redis, "k"),
    größe(redis, "k"),
    日本(redis, "k"),
    quoted(redis, "k"),
    slash(redis, "k"),
    broken(redis, "k"),
    carriage(redis, "k"),
    para(redis, "k"),
    back(redis, "k"),
    counter(redis, "k", "a"),
  ]);
  const sha: string = runScript.sha1 + defineScript.sha1;
  // In a typed batch a script named like a command takes the command's place.
  const batched: [number, number, number, number] = await multi(redis).openBatch("k").SCRIPTS("k").BatchOf("k").get("k").exec();
  void [replies, sha, batched];
}
`,
    );
    const compiled = await tsc(writeTsconfig(dir, NODENEXT));
    expect(compiled.output).toBe("");
    expect(compiled.code).toBe(0);
  });
});

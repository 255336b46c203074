import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, runCli, tempDir, writeTree } from "../support/workspace.js";

const COUNTER = `---@key counter
---@arg by integer
---@return integer
return redis.call("INCRBY", KEYS[1], ARGV[1])
`;

function project(files: Record<string, string>): string {
  const dir = tempDir("check");
  writeTree(dir, files);
  return dir;
}

describe("--check", () => {
  it("exits 0 on an up-to-date folder and writes nothing", async () => {
    const dir = project({ "lua/counter.lua": COUNTER });
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    const before = readTree(dir);
    const run = await runCli(["lua", "--out", "gen", "--check"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe("luagen: gen is up to date (3 files)");
    expect(readTree(dir)).toEqual(before);
  });

  it("exits 1 with a unified diff naming the stale file, and lists missing and extra files, writing nothing", async () => {
    const dir = project({ "lua/counter.lua": COUNTER, "lua/gone.lua": COUNTER.replace("INCRBY", "DECRBY") });
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    writeTree(dir, { "lua/counter.lua": COUNTER.replace("INCRBY", "DECRBY"), "lua/fresh.lua": COUNTER });
    await import("node:fs/promises").then((fs) => fs.rm(path.join(dir, "lua/gone.lua")));
    const before = readTree(dir);
    const run = await runCli(["lua", "--out", "gen", "--check"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("--- a/gen/counter.ts");
    expect(run.stdout).toContain("+++ b/gen/counter.ts");
    expect(run.stdout).toMatch(/^-\s+"return redis\.call\(\\"INCRBY\\", KEYS\[1\], ARGV\[1\]\)",$/m);
    expect(run.stdout).toMatch(/^\+\s+"return redis\.call\(\\"DECRBY\\", KEYS\[1\], ARGV\[1\]\)",$/m);
    expect(run.stdout).toContain("missing: gen/fresh.ts");
    expect(run.stdout).toContain("extra: gen/gone.ts");
    expect(run.stderr).toContain("gen is out of date: 2 stale, 1 missing, 1 extra");
    expect(readTree(dir)).toEqual(before);
  });
});

describe("configuration", () => {
  it("reads inputs and out from luagen.config.json when run with no arguments", async () => {
    const dir = project({
      "src/lua/counter.lua": COUNTER,
      "luagen.config.json": JSON.stringify({ input: ["src/lua"], out: "src/gen" }),
    });
    const run = await runCli([], dir);
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(path.join(dir, "src/gen")))).toEqual(["counter.ts", "index.ts", "runtime.ts"]);
  });

  it('reads the "luagen" field of package.json, with exclude and importExtension', async () => {
    const dir = project({
      "src/lua/counter.lua": COUNTER,
      "src/lua/wip/draft.lua": "return (",
      "package.json": JSON.stringify({
        name: "x",
        luagen: { input: "src/lua", out: "gen", exclude: ["src/lua/wip"], importExtension: "" },
      }),
    });
    const run = await runCli([], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readTree(path.join(dir, "gen"))["index.ts"]).toContain('from "./counter";');
  });

  it("lets flags override the config", async () => {
    const dir = project({
      "a/counter.lua": COUNTER,
      "b/other.lua": COUNTER,
      "luagen.config.json": JSON.stringify({ input: ["a"], out: "gen-a", importExtension: "" }),
    });
    const run = await runCli(["b", "--out", "gen-b", "--import-extension", ".ts"], dir);
    expect(run.code).toBe(0);
    const tree = readTree(dir);
    expect(Object.keys(tree).filter((f) => f.startsWith("gen"))).toEqual([
      "gen-b/index.ts",
      "gen-b/other.ts",
      "gen-b/runtime.ts",
    ]);
    expect(tree["gen-b/index.ts"]).toContain('from "./other.ts";');
  });

  it('takes the client library from "client" in the config, and --client overrides it', async () => {
    const dir = project({
      "a/counter.lua": COUNTER,
      "luagen.config.json": JSON.stringify({ input: ["a"], out: "gen", client: "iovalkey" }),
    });
    expect((await runCli([], dir)).code).toBe(0);
    expect(readTree(path.join(dir, "gen"))["counter.ts"]).toContain('import type { RedisKey } from "iovalkey";');
    expect((await runCli(["--client", "node-redis"], dir)).code).toBe(0);
    const nodeRedis = readTree(path.join(dir, "gen"))["counter.ts"];
    expect(nodeRedis).toContain('import type { RedisArgument as RedisKey } from "redis";');
    expect(nodeRedis).toMatch(/type NodeRedisMulti as ScriptBatch,\s+type NodeRedisClient as ScriptClient/);
    expect((await runCli(["--client", "ioredis"], dir)).code).toBe(0);
    expect(readTree(path.join(dir, "gen"))["counter.ts"]).toContain('import type { RedisKey } from "ioredis";');
  });

  it("exits 2 on an unknown --client", async () => {
    const dir = project({ "a/counter.lua": COUNTER });
    const run = await runCli(["a", "--out", "g", "--client", "redis"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(
      'luagen: --client must be one of "ioredis", "iovalkey", "node-redis", "glide"',
    );
  });

  it('checks against the server in "server" (config) or --server: BLPOP is refused on redis-7.0 only', async () => {
    const blpop = `---@key queue\n---@return unknown\nreturn redis.call("BLPOP", KEYS[1], 0)\n`;
    const dir = project({
      "a/pop.lua": blpop,
      "luagen.config.json": JSON.stringify({ input: ["a"], out: "gen", server: "redis-7.0" }),
    });
    const refused = await runCli([], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/LG232/);
    expect(readTree(dir)["gen/pop.ts"]).toBeUndefined();
    const runs = await runCli(["--server", "valkey-8.1"], dir);
    expect(runs.code).toBe(0);
    expect(runs.stdout + runs.stderr).not.toMatch(/LG23/);
    expect(readTree(dir)["gen/pop.ts"]).toContain("BLPOP");
  });

  it("exits 2 on an unknown --server, listing the accepted values, and writes nothing", async () => {
    const dir = project({ "a/counter.lua": COUNTER });
    const run = await runCli(["a", "--out", "g", "--server", "redis-6.2"], dir);
    expect(run.code).toBe(2);
    const line = run.stderr.split("\n")[0];
    expect(line).toMatch(/^luagen: --server must be one of redis-7\.0, redis-7\.2, .*, valkey-7\.2, .*valkey-9\.1$/);
    expect(readTree(dir)["g/counter.ts"]).toBeUndefined();
  });

  it.each([
    [
      "luagen.config.json",
      { input: ["a"], out: "g", server: "valkey" },
      /luagen\.config\.json: "server" must be one of redis-7\.0, /,
    ],
    [
      "luagen.config.json",
      { input: ["a"], out: "g", client: "valkey" },
      /luagen\.config\.json: "client" must be one of "ioredis", "iovalkey", "node-redis"/,
    ],
    [
      "luagen.config.json",
      { input: ["a"], out: "g", outDir: "x" },
      /luagen\.config\.json: "outDir" is not a known key/,
    ],
    ["luagen.config.json", { input: ["a"], out: 3 }, /luagen\.config\.json: "out" must be a non-empty string/],
    [
      "luagen.config.json",
      { input: [1], out: "g" },
      /luagen\.config\.json: "input" must be a string or an array of strings/,
    ],
    [
      "luagen.config.json",
      { input: ["a"], out: "g", strict: "yes" },
      /luagen\.config\.json: "strict" must be true or false/,
    ],
    [
      "luagen.config.json",
      { input: ["a"], out: "g", importExtension: ".mjs" },
      /"importExtension" must be one of "\.js", "", "\.ts"/,
    ],
    [
      "package.json",
      { name: "x", luagen: { input: ["a"], out: "g", exclude: "b", extra: 1 } },
      /package\.json "luagen": "extra" is not a known key/,
    ],
    ["package.json", { name: "x", luagen: ["a"] }, /package\.json "luagen": must be an object/],
  ])("exits 2 naming the key and the file for an invalid %s: %j", async (file, content, reason) => {
    const dir = project({ "a/counter.lua": COUNTER, [file]: JSON.stringify(content) });
    const run = await runCli([], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toMatch(reason);
    expect(readTree(dir)).not.toHaveProperty("g/index.ts");
  });

  it("exits 2 on a config file that is not JSON", async () => {
    const dir = project({ "luagen.config.json": "{ input: " });
    const run = await runCli([], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^luagen: luagen\.config\.json: not valid JSON/);
  });
});

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, runCli, tempProject, writeTree } from "../support/workspace.js";

const script = (command: string) =>
  `---@key k\n---@return string|integer|nil\nreturn redis.call("${command}", KEYS[1])\n`;

/** A project with node_modules, where luagen keeps its cache between runs. */
function project(): { dir: string; cacheFile: () => string } {
  const dir = tempProject("cache");
  writeTree(dir, { "lua/get.lua": script("GET"), "lua/ttl.lua": script("TTL") });
  mkdirSync(path.join(dir, "node_modules"));
  const cacheDir = path.join(dir, "node_modules", ".cache", "luagen");
  return { dir, cacheFile: () => path.join(cacheDir, readdirSync(cacheDir)[0]) };
}

describe("the build cache under node_modules/.cache/luagen", () => {
  it("is written by a run and gives a rerun the same output", async () => {
    const { dir, cacheFile } = project();
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    const first = readTree(path.join(dir, "gen"));
    expect(JSON.parse(readFileSync(cacheFile(), "utf8")).build).toHaveLength(2);
    const rerun = await runCli(["lua", "--out", "gen"], dir);
    expect(rerun.stdout).toContain("(0 written, 4 unchanged, 0 removed)");
    expect(readTree(path.join(dir, "gen"))).toEqual(first);
  });

  it("is used: a rerun takes an unchanged script's module from it, not from parsing again", async () => {
    const { dir, cacheFile } = project();
    await runCli(["lua", "--out", "gen"], dir);
    const stored = JSON.parse(readFileSync(cacheFile(), "utf8"));
    stored.modules = stored.modules.map(([key, content]: [string, string]) => [
      key,
      content.replace('\\"GET\\"', '\\"CACHED\\"'),
    ]);
    writeFileSync(cacheFile(), JSON.stringify(stored));
    await runCli(["lua", "--out", "gen", "--quiet"], dir);
    expect(readFileSync(path.join(dir, "gen/get.ts"), "utf8")).toContain('\\"CACHED\\"');
  });

  it("never hides a change: an edited script is rebuilt and a removed one is forgotten", async () => {
    const { dir, cacheFile } = project();
    await runCli(["lua", "--out", "gen"], dir);
    writeTree(dir, { "lua/get.lua": script("STRLEN") });
    await import("node:fs/promises").then((fs) => fs.rm(path.join(dir, "lua/ttl.lua")));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stdout).toContain("(2 written, 1 unchanged, 1 removed)");
    expect(readFileSync(path.join(dir, "gen/get.ts"), "utf8")).toContain('\\"STRLEN\\"');
    const stored = JSON.parse(readFileSync(cacheFile(), "utf8"));
    expect(stored.build.map(([file]: [string]) => file)).toEqual(["lua/get.lua"]);
    expect(stored.modules).toHaveLength(1);
  });

  it("is ignored when it is corrupt or was written by another build of luagen", async () => {
    const { dir, cacheFile } = project();
    await runCli(["lua", "--out", "gen"], dir);
    const expected = readTree(path.join(dir, "gen"));
    const stored = JSON.parse(readFileSync(cacheFile(), "utf8"));
    stored.fingerprint = "another build";
    stored.modules = stored.modules.map(([key]: [string]) => [key, "// stale"]);
    writeFileSync(cacheFile(), JSON.stringify(stored));
    await runCli(["lua", "--out", "gen"], dir);
    expect(readTree(path.join(dir, "gen"))).toEqual(expected);
    writeFileSync(cacheFile(), "{ not json");
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(0);
    expect(readTree(path.join(dir, "gen"))).toEqual(expected);
  });
});

import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, lstatSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readTree, runCli, tempDir, writeTree } from "../support/workspace.js";

// §2 of issue 8: a run that fails while writing changes nothing in the output folder.

const script = (name: string, body = "return 1") => `---@key k\n---@return integer\nlocal _ = KEYS[1] -- ${name}\n${body}\n`;

/** Every entry below `dir` (folders too, and hidden temporaries), with the content of files. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (lstatSync(path.join(dir, rel)).isDirectory()) {
        out[`${rel}/`] = "(folder)";
        walk(rel);
      }
    }
  };
  walk("");
  return { ...out, ...readTree(dir) };
}

const unlocks: Array<() => void> = [];
afterEach(() => {
  for (const unlock of unlocks.splice(0)) unlock();
});

/**
 * Makes `dir` refuse new entries for real. chmod does not stop root (these tests run as root in
 * CI), the immutable attribute does; as another user, a read-only mode does.
 */
function lockFolder(dir: string): void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", dir]);
    unlocks.push(() => execFileSync("chattr", ["-i", dir]));
  } else {
    chmodSync(dir, 0o555);
    unlocks.push(() => chmodSync(dir, 0o755));
  }
}

/** A project generated once, then changed so that the next run rewrites index.ts, a.ts and adds modules. */
async function generatedProject(): Promise<string> {
  const dir = tempDir("failed-write");
  writeTree(dir, { "lua/a.lua": script("a"), "lua/sub/b.lua": script("b") });
  expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
  writeTree(dir, { "lua/a.lua": script("a", "return 2"), "lua/sub/b.lua": script("b", "return 2"), "lua/c.lua": script("c") });
  return dir;
}

describe("a failed write changes nothing", () => {
  it("refuses when a folder stands where a module must go: one line naming it, exit 2, the folder as it was", async () => {
    const dir = await generatedProject();
    mkdirSync(path.join(dir, "gen/c.ts"));
    const before = snapshot(path.join(dir, "gen"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^luagen: cannot write gen\/c\.ts: .*(folder|EISDIR)/);
    expect(snapshot(path.join(dir, "gen"))).toEqual(before);
  });

  it("refuses when a file stands where a folder must go", async () => {
    const dir = await generatedProject();
    writeTree(dir, { "lua/rate/window.lua": script("w"), "gen/rate": "not a folder\n" });
    const before = snapshot(path.join(dir, "gen"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^luagen: cannot write into gen\/rate: it is a file, not a folder/);
    expect(snapshot(path.join(dir, "gen"))).toEqual(before);
  });

  it("leaves every file as it was when a folder it must write into refuses writes", async () => {
    const dir = await generatedProject();
    writeTree(dir, { "lua/sub/d.lua": script("d") });
    const before = snapshot(path.join(dir, "gen"));
    lockFolder(path.join(dir, "gen/sub"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^luagen: cannot write gen\/sub\/[bd]\.ts: E(PERM|ACCES)/);
    expect(snapshot(path.join(dir, "gen"))).toEqual(before);
  });

  it("after a failed write, the next run succeeds once the obstacle is gone", async () => {
    const dir = await generatedProject();
    mkdirSync(path.join(dir, "gen/c.ts"));
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(2);
    readdirSync(path.join(dir, "gen/c.ts")); // still an empty folder: remove it as a user would
    execFileSync("rmdir", [path.join(dir, "gen/c.ts")]);
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("4 written");
  });
});

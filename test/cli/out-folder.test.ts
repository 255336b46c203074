import { chmodSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readTree, runCli, tempDir, unprivileged, writeTree } from "../support/workspace.js";

// §1 of issue 8: nothing outside --out is ever read as luagen's, changed or removed.

const script = (n: number) => `---@key k\n---@return integer\nlocal _ = KEYS[1]\nreturn ${n}\n`;

/** Two projects side by side, both generated: `other/gen` is what must never change. */
async function neighbours(): Promise<{ dir: string; mine: string; other: string }> {
  const dir = tempDir("out-folder");
  const mine = path.join(dir, "mine");
  const other = path.join(dir, "other");
  writeTree(dir, { "mine/lua/a.lua": script(1), "other/lua/b.lua": script(2), "other/lua/vendor/c.lua": script(3) });
  expect((await runCli(["lua", "--out", "gen"], other)).code).toBe(0);
  return { dir, mine, other };
}

const restores: Array<() => void> = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

describe("the output folder: never into another run's output folder inside it", () => {
  it("a run into gen leaves the output of a run into gen/inner alone, and the other way round", async () => {
    const dir = tempDir("out-nested");
    writeTree(dir, { "outer/a.lua": script(1), "inner/b.lua": script(2), "inner/deep/c.lua": script(3) });
    expect((await runCli(["inner", "--out", "gen/inner"], dir)).code).toBe(0);
    const inner = readTree(path.join(dir, "gen/inner"));
    const outer = await runCli(["outer", "--out", "gen"], dir);
    expect([outer.code, outer.stderr]).toEqual([0, ""]);
    expect(outer.stdout.trim()).toBe("luagen: 1 script → gen (3 written, 0 unchanged, 0 removed)");
    expect(readTree(path.join(dir, "gen/inner"))).toEqual(inner);
    const again = await runCli(["inner", "--out", "gen/inner"], dir);
    expect(again.stdout.trim()).toBe("luagen: 2 scripts → gen/inner (0 written, 4 unchanged, 0 removed)");
  });

  it("a module that would go into the other run's folder is LG302, and nothing is written", async () => {
    const dir = tempDir("out-nested");
    writeTree(dir, { "outer/inner/a.lua": script(1), "inner/b.lua": script(2) });
    expect((await runCli(["inner", "--out", "gen/inner"], dir)).code).toBe(0);
    const before = readTree(dir);
    const run = await runCli(["outer", "--out", "gen"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error LG302: this path holds a file luagen did not generate, or lies through");
    expect(readTree(dir)).toEqual(before);
  });
});

describe("the output folder: never through a link", () => {
  it("leaves another project's generated files alone when a folder in --out links to them", async () => {
    const { mine, other } = await neighbours();
    const theirs = readTree(path.join(other, "gen"));
    mkdirSync(path.join(mine, "gen"));
    symlinkSync("../../other/gen", path.join(mine, "gen/vendor"));
    symlinkSync("..", path.join(mine, "gen/up"));
    const run = await runCli(["lua", "--out", "gen"], mine);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readTree(path.join(other, "gen"))).toEqual(theirs);
    expect(readlinkSync(path.join(mine, "gen/vendor"))).toBe("../../other/gen");
    expect(readlinkSync(path.join(mine, "gen/up"))).toBe("..");
  });

  it("never writes through a linked folder: a module that would go there is LG302, nothing changes", async () => {
    const { mine, other } = await neighbours();
    const theirs = readTree(path.join(other, "gen"));
    writeTree(mine, { "lua/vendor/c.lua": script(4) });
    mkdirSync(path.join(mine, "gen"));
    symlinkSync("../../other/gen/vendor", path.join(mine, "gen/vendor"));
    const run = await runCli(["lua", "--out", "gen"], mine);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("gen/vendor/c.ts:1:1 - error LG302");
    expect(readTree(path.join(other, "gen"))).toEqual(theirs);
  });

  it("neither removes nor replaces a linked file, even one that carries the generated header", async () => {
    const { mine, other } = await neighbours();
    mkdirSync(path.join(mine, "gen"));
    symlinkSync("../../other/gen/b.ts", path.join(mine, "gen/b.ts"));
    symlinkSync("../../other/gen/index.ts", path.join(mine, "gen/index.ts"));
    const theirs = readTree(path.join(other, "gen"));
    const run = await runCli(["lua", "--out", "gen"], mine);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("gen/index.ts:1:1 - error LG302");
    expect(lstatSync(path.join(mine, "gen/b.ts")).isSymbolicLink()).toBe(true);
    expect(readTree(path.join(other, "gen"))).toEqual(theirs);
  });
});

describe("the output folder named as a link", () => {
  it("writes into it: the user named it (only links inside it are never followed)", async () => {
    const dir = tempDir("out-link");
    writeTree(dir, { "lua/a.lua": script(1), "real/.keep": "" });
    symlinkSync("real", path.join(dir, "gen"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(path.join(dir, "real")))).toEqual([".keep", "a.ts", "index.ts", "runtime.ts"]);
    expect(lstatSync(path.join(dir, "gen")).isSymbolicLink()).toBe(true);
  });
});

describe("the output folder: never one that holds what is not luagen's", () => {
  it.each([
    [".", ["lua"], "."],
    ["node_modules/luagen-out", ["lua"], "node_modules/luagen-out"],
    ["parent", ["parent/lua"], "parent"],
    ["with-modules", ["lua"], "with-modules"],
    ["with-git", ["lua"], "with-git"],
  ])("refuses --out %s with one line naming it, exit 2, changing nothing", async (out, inputs, named) => {
    const dir = tempDir("out-refused");
    const runtime = "// Code generated by luagen from nowhere. DO NOT EDIT.\nexport {};\n";
    writeTree(dir, {
      "lua/a.lua": script(1),
      "parent/lua/a.lua": script(1),
      "node_modules/luagen/templates/typescript/runtime.ts": runtime,
      "with-modules/node_modules/luagen/runtime.ts": runtime,
      "with-git/.git/HEAD": "ref: refs/heads/main\n",
      "with-git/.git/hooks/x.ts": runtime,
    });
    const before = readTree(dir);
    const run = await runCli([...inputs, "--out", out], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^luagen: cannot write into ${named.replace(".", "\\.")}: `));
    expect(readTree(dir)).toEqual(before);
  });
});

describe("the output folder: read fully or not at all", () => {
  it("stops with exit 2 naming an unreadable folder in --out instead of taking --out for empty", async () => {
    const dir = tempDir("out-unreadable");
    writeTree(dir, {
      "lua/a.lua": script(1),
      "gen/index.ts": "// mine, hand-written\nexport const mine = 1;\n",
      "gen/private/x.ts": "export {};\n",
    });
    const as = unprivileged(dir);
    chmodSync(path.join(dir, "gen/private"), 0o000);
    restores.push(() => chmodSync(path.join(dir, "gen/private"), 0o755));
    const run = await runCli(["lua", "--out", "gen"], dir, {}, as);
    expect(run.stderr.trim().split("\n")).toEqual(["luagen: cannot read gen/private: EACCES: permission denied"]);
    expect(run.code).toBe(2);
    chmodSync(path.join(dir, "gen/private"), 0o755);
    expect(readTree(path.join(dir, "gen"))).toEqual({
      "index.ts": "// mine, hand-written\nexport const mine = 1;\n",
      "private/x.ts": "export {};\n",
    });
  });
});

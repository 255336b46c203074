import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT, readTree, runCli, tempDir, writeTree } from "../support/workspace.js";

const run = promisify(execFile);

describe("luagen init", () => {
  it("sets up an npm project whose prebuild then generates, and a second init changes nothing", async () => {
    const dir = tempDir("init");
    writeTree(dir, {
      "package.json": JSON.stringify({ name: "app", version: "1.0.0", scripts: { build: "echo built" } }, null, 4),
    });

    const first = await runCli(["init"], dir);
    expect(first.code).toBe(0);
    const tree = readTree(dir);
    expect(Object.keys(tree).sort()).toEqual([
      ".luals/redis.lua",
      ".luarc.json",
      "luagen.config.json",
      "package.json",
      "src/lua/incr-capped.lua",
    ]);
    const pkg = JSON.parse(tree["package.json"]);
    expect(pkg.scripts).toEqual({ build: "echo built", prebuild: "luagen" });
    expect(tree["package.json"]).toMatch(/^ {4}"name"/m); // the user's indentation is kept
    expect(JSON.parse(tree["luagen.config.json"])).toEqual({ input: ["src/lua"], out: "src/generated" });
    const luarc = JSON.parse(tree[".luarc.json"]);
    expect(luarc["runtime.version"]).toBe("Lua 5.1");
    expect(luarc["diagnostics.globals"]).toEqual(["KEYS", "ARGV", "redis", "cjson", "cmsgpack", "bit", "struct"]);
    for (const fn of ["call", "pcall", "error_reply", "status_reply", "sha1hex", "log"]) {
      expect(tree[".luals/redis.lua"]).toContain(`function redis.${fn}(`);
    }
    expect(first.stdout).toContain("created  src/lua/incr-capped.lua");

    // `npm run build` runs prebuild → luagen, found in node_modules/.bin as in a real install.
    symlinkSync(ROOT, path.join(writeBin(dir), "..", "luagen"), "dir");
    const build = await run("npm", ["run", "build"], { cwd: dir });
    expect(build.stdout).toContain("luagen: 1 script → src/generated (3 written, 0 unchanged, 0 removed)");
    expect(readTree(dir)).toHaveProperty("src/generated/incr-capped.ts");

    const before = readTree(dir);
    const second = await runCli(["init"], dir);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("created");
    expect(second.stdout).toContain("nothing to do");
    expect(readTree(dir)).toEqual(before);
  });

  it("promises `npm run build` only in a project that has a build script", async () => {
    const withBuild = tempDir("init");
    writeTree(withBuild, { "package.json": JSON.stringify({ name: "app", scripts: { build: "tsc" } }) });
    expect((await runCli(["init"], withBuild)).stdout).toContain("npm run build");

    const withoutBuild = tempDir("init");
    writeTree(withoutBuild, { "package.json": JSON.stringify({ name: "app", scripts: { test: "vitest" } }) });
    const result = await runCli(["init"], withoutBuild);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("npm run build");
    expect(result.stdout).toContain('no "build" script');
  });

  it("leaves an existing prebuild alone and says so", async () => {
    const dir = tempDir("init");
    writeTree(dir, { "package.json": JSON.stringify({ name: "app", scripts: { prebuild: "tsc --noEmit" } }) });
    const result = await runCli(["init"], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(readTree(dir)["package.json"]).scripts.prebuild).toBe("tsc --noEmit");
    expect(result.stdout).toContain('add "luagen && " to it yourself');
  });

  it("exits 2 outside an npm project", async () => {
    const result = await runCli(["init"], tempDir("init"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no package\.json here/);
  });
});

/** node_modules/.bin/luagen → the package's bin, as npm would link it. */
function writeBin(dir: string): string {
  const bin = path.join(dir, "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(path.join("..", "luagen", "bin", "luagen.js"), path.join(bin, "luagen"));
  return bin;
}

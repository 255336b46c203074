import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT, readTree, tempDir, writeTree } from "../support/workspace.js";

const run = promisify(execFile);

describe("npm pack", () => {
  it("gives a tarball another project can install and run `npx luagen` from", async () => {
    const dir = tempDir("pack");
    // --ignore-scripts: dist/ is already built by `pretest`; rebuilding it here would race the
    // other test files that run the CLI from it.
    await run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeTree(dir, {
      "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
      "src/lua/get.lua": "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
    });
    // --legacy-peer-deps: the CLI needs no ioredis; the consumer's own install would bring it.
    await run("npm", ["install", `./${tarball}`, "--no-audit", "--no-fund", "--legacy-peer-deps", "--prefer-offline"], {
      cwd: dir,
    });
    const { stdout } = await run("npx", ["luagen", "src/lua", "--out", "src/generated"], { cwd: dir });
    expect(stdout.trim()).toBe("luagen: 1 script → src/generated (3 written, 0 unchanged, 0 removed)");
    expect(Object.keys(readTree(path.join(dir, "src/generated")))).toEqual(["get.ts", "index.ts", "runtime.ts"]);
  }, 120_000);
});

import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { ROOT, runCli, tempDir } from "../support/workspace.js";

const run = promisify(execFile);
const EXAMPLES = path.join(ROOT, "examples");

const tsc = (example: string, ...args: string[]) =>
  run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", ...args], {
    cwd: example,
  });

/**
 * An example as a user runs it: luagen (its prebuild, with `luagenArgs`), tsc --strict (its build),
 * node (its start) against `server`. Returns the generated index and the program's output lines.
 */
async function generateCompileRun(
  example: string,
  luagenArgs: string[],
  server: RedisServer,
): Promise<{ index: string; lines: string[] }> {
  const generated = await runCli([...luagenArgs, "--out", "src/generated"], example);
  expect(generated.stderr).toBe("");
  expect(generated.stdout).toMatch(/^luagen: 3 scripts → src\/generated \(\d+ written, \d+ unchanged, 0 removed\)$/m);
  await tsc(example);
  const { stdout } = await run(process.execPath, ["dist/main.js"], {
    cwd: example,
    env: { ...process.env, REDIS_URL: `redis://${server.host}:${server.port}` },
  });
  return {
    index: readFileSync(path.join(example, "src/generated/index.ts"), "utf8"),
    lines: stdout.split("\n").filter(Boolean),
  };
}

/** The lock token the program prints inside its batch results. */
const tokenIn = (lines: string[]) => lines.join("\n").match(/"([0-9a-f-]{36})"/)?.[1];

/** The version of `redis` a program in `example` imports. */
function redisVersionIn(example: string): string {
  const entry = createRequire(path.join(example, "src", "main.ts")).resolve("redis");
  const manifest = path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`)), "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/**
 * A copy of an example whose `redis` import resolves to `major`'s package (`redis` or its alias
 * `redis6`), so one example runs on each node-redis major the project supports.
 */
function exampleOn(example: string, major: string): string {
  const copy = tempDir(`${path.basename(example)}-${major}`);
  for (const entry of ["package.json", "tsconfig.json", "src/main.ts"]) {
    cpSync(path.join(example, entry), path.join(copy, entry));
  }
  mkdirSync(path.join(copy, "node_modules"));
  symlinkSync(path.join(ROOT, "node_modules", major), path.join(copy, "node_modules", "redis"), "dir");
  return copy;
}

describe("examples", () => {
  let server: RedisServer;
  holdOpen(async () => (server = await startRedisServer()));

  describe("quickstart (ioredis)", () => {
    const EXAMPLE = path.join(EXAMPLES, "quickstart");

    it('type-checks under bundler resolution with extensionless imports (importExtension "")', async () => {
      const generated = await runCli(["src/lua", "--out", "src/generated", "--import-extension", ""], EXAMPLE);
      expect(generated.code).toBe(0);
      await tsc(EXAMPLE, "--noEmit", "--module", "ESNext", "--moduleResolution", "bundler");
    });

    it("generates, compiles under tsc --strict and runs against redis-server", async () => {
      const { index, lines } = await generateCompileRun(EXAMPLE, ["src/lua"], server);
      expect(index).toContain('from "./incr-capped.js"');
      const token = tokenIn(lines);
      expect(token).toBeDefined();
      expect(lines).toEqual([
        "incrCapped (direct): 1",
        "slidingWindow (direct): admitted = 1 in window = 1",
        "releaseLock (direct), wrong token: 0",
        // capped at 3; the window admits 2 per second; someone else's token releases nothing
        "pipeline: [2,3,[1,2],0]",
        `transaction: [${JSON.stringify(token)},3,[0,2],0,1]`,
      ]);
    });
  });

  describe.each(["redis", "redis6"])("quickstart-node-redis on %s", (major) => {
    it("generates the quickstart's scripts for node-redis, compiles under tsc --strict and runs direct, exec() and execAsPipeline() against redis-server", async () => {
      const example =
        major === "redis"
          ? path.join(EXAMPLES, "quickstart-node-redis")
          : exampleOn(path.join(EXAMPLES, "quickstart-node-redis"), major);
      expect(redisVersionIn(example)).toMatch(major === "redis" ? /^5\./ : /^6\./);
      const scripts = path.join(EXAMPLES, "quickstart", "src", "lua");
      const { lines } = await generateCompileRun(example, [scripts, "--client", "node-redis"], server);
      const module = readFileSync(path.join(example, "src/generated/incr-capped.ts"), "utf8");
      expect(module).toContain('from "redis"');
      expect(module).not.toContain("ioredis");
      const token = tokenIn(lines);
      expect(token).toBeDefined();
      expect(lines).toEqual([
        "incrCapped (direct): 1",
        "slidingWindow (direct): admitted = 1 in window = 1",
        "releaseLock (direct), wrong token: 0",
        // the transaction reads the lock, counts to 2, is admitted as the window's 2nd, and only the
        // holder's token releases the lock
        `exec: [${JSON.stringify(token)},2,[1,2],0,1]`,
        // then capped at 3; the window (2 per second) is full; the lock is already gone
        "execAsPipeline: [3,3,[0,2],0]",
      ]);
    });
  });
});

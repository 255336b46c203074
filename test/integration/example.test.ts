import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { ROOT, runCli } from "../support/workspace.js";

const run = promisify(execFile);
const EXAMPLE = path.join(ROOT, "examples", "quickstart");

// The quickstart as a user runs it: luagen (its prebuild), tsc (its build), node (its start).
describe("examples/quickstart", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const tsc = (...args: string[]) => run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", ...args], { cwd: EXAMPLE });

  it("type-checks under bundler resolution with extensionless imports (importExtension \"\")", async () => {
    const generated = await runCli(["src/lua", "--out", "src/generated", "--import-extension", ""], EXAMPLE);
    expect(generated.code).toBe(0);
    await tsc("--noEmit", "--module", "ESNext", "--moduleResolution", "bundler");
  });

  it("generates, compiles under tsc --strict and runs against redis-server", async () => {
    const generated = await runCli(["src/lua", "--out", "src/generated"], EXAMPLE);
    expect(generated.stderr).toBe("");
    expect(generated.stdout).toMatch(/^luagen: 3 scripts → src\/generated \(\d+ written, \d+ unchanged, 0 removed\)$/m);
    expect(readFileSync(path.join(EXAMPLE, "src/generated/index.ts"), "utf8")).toContain('from "./incr-capped.js"');

    await tsc();

    const { stdout } = await run(process.execPath, ["dist/main.js"], {
      cwd: EXAMPLE,
      env: { ...process.env, REDIS_URL: `redis://${server.host}:${server.port}` },
    });
    const token = stdout.match(/"([0-9a-f-]{36})"/)?.[1];
    expect(token).toBeDefined();
    expect(stdout.split("\n").filter(Boolean)).toEqual([
      "incrCapped (direct): 1",
      "slidingWindow (direct): admitted = 1 in window = 1",
      "releaseLock (direct), wrong token: 0",
      // capped at 3; the window admits 2 per second; someone else's token releases nothing
      "pipeline: [2,3,[1,2],0]",
      `transaction: [${JSON.stringify(token)},3,[0,2],0,1]`,
    ]);
  });
});

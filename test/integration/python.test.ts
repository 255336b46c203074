import { cpSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_PYTHON, PYTHON3, pythonEnv, runPython } from "../support/python.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { BIN, ROOT, tempDir } from "../support/workspace.js";

/**
 * The Python target against a real redis-server: test/python/test_policy.py (pytest) over a
 * package generated from test/fixtures/python/lua, MONITOR sequences, errors, and the SCRIPT
 * FLUSH flood on sync and asyncio clients, direct, in transactions and in pipelines.
 */
describe.skipIf(!PYTHON3)(`the Python target on redis-server${PYTHON3 ? "" : ` (${NO_PYTHON})`}`, () => {
  let server: RedisServer;
  let python: string;
  let dir: string;

  beforeAll(async () => {
    [server, python] = await Promise.all([startRedisServer(), pythonEnv()]);
    dir = tempDir("python-policy");
    const generated = await runPython(
      process.execPath,
      [BIN, "test/fixtures/python/lua", "--out", path.join(dir, "gen"), "--target", "python", "-q"],
      { cwd: ROOT },
    );
    expect(generated.code, generated.output).toBe(0);
    cpSync(path.join(ROOT, "test", "python", "test_policy.py"), path.join(dir, "test_policy.py"));
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("passes every pytest case (policy under MONITOR, errors, validation, the SCRIPT FLUSH flood)", async () => {
    const result = await runPython(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_policy.py"], {
      cwd: dir,
      env: { LUAGEN_REDIS_PORT: String(server.port), PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(result.output).toMatch(/\b\d+ passed\b/);
    expect(result.output).not.toMatch(/\b(failed|error|skipped)\b/);
    expect(result.code, result.output).toBe(0);
  }, 240_000);
});

// The Python target on a real Redis Cluster (3 masters, 3 replicas): test/python/test_cluster.py
// (pytest) over a package generated from test/fixtures/python/lua — direct calls and pipelines on
// every master, cross-slot keys refused before sending, asyncio, and the SCRIPT FLUSH flood.
import { cpSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { NO_PYTHON, PYTHON3, pythonEnv, runPython } from "../support/python.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { BIN, ROOT, tempDir } from "../support/workspace.js";

let cluster: RedisCluster;

describe.skipIf(!PYTHON3)(`the Python target on a Redis Cluster${PYTHON3 ? "" : ` (${NO_PYTHON})`}`, () => {
  holdOpen(async () => (cluster = await startRedisCluster()));
  let python: string;
  let dir: string;

  beforeAll(async () => {
    python = await pythonEnv();
    dir = tempDir("python-cluster");
    const generated = await runPython(
      process.execPath,
      [BIN, "test/fixtures/python/lua", "--out", path.join(dir, "gen"), "--target", "python", "-q"],
      { cwd: ROOT },
    );
    expect(generated.code, generated.output).toBe(0);
    cpSync(path.join(ROOT, "test", "python", "test_cluster.py"), path.join(dir, "test_cluster.py"));
  }, 240_000);

  it("passes every pytest case (routing, cross-slot refusal, asyncio, the SCRIPT FLUSH flood)", async () => {
    await cluster.waitUntilHealthy();
    const result = await runPython(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_cluster.py"], {
      cwd: dir,
      env: { LUAGEN_CLUSTER_PORT: String(cluster.startupNodes[0]!.port), PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(result.output).toMatch(/\b\d+ passed\b/);
    expect(result.output).not.toMatch(/\b(failed|error|skipped)\b/);
    expect(result.code, result.output).toBe(0);
  }, 240_000);
});

// The Python target on a real cluster (3 masters, 3 replicas) of redis-server and of Valkey 8:
// test/python/test_cluster.py (pytest) over a package generated from test/fixtures/python/lua —
// direct calls and pipelines on every master, cross-slot keys refused before sending, asyncio, and
// the SCRIPT FLUSH flood; and test/python/test_cluster_functions.py over the same with --mode
// functions — the library on every master and replica, loaded where a call finds it missing, the
// FUNCTION FLUSH flood, and a promoted replica serving FCALL after CLUSTER FAILOVER.
import { beforeAll, describe, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { expectPytestPasses, NO_PYTHON, PYTHON3, pythonEnv, pythonProject } from "../support/python.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisCluster } from "../support/redis-cluster.js";

describe.skipIf(!PYTHON3)(`the Python target on a cluster${PYTHON3 ? "" : ` (${NO_PYTHON})`}`, () => {
  let python: string;
  let dir: string;
  let functions: string;

  beforeAll(async () => {
    python = await pythonEnv();
    dir = await pythonProject("python-cluster", "test_cluster.py");
    functions = await pythonProject("python-cluster-functions", "test_cluster_functions.py", {
      flags: ["--mode", "functions"],
    });
  }, 240_000);

  describe.each(LIVE_SERVERS)("of $server", ({ startCluster }) => {
    let cluster: RedisCluster;
    holdOpen(async () => (cluster = await startCluster()));

    it("passes every pytest case (routing, cross-slot refusal, asyncio, the SCRIPT FLUSH flood)", async () => {
      await cluster.waitUntilHealthy();
      await expectPytestPasses(python, dir, "test_cluster.py", {
        LUAGEN_CLUSTER_PORT: String(cluster.startupNodes[0]!.port),
      });
    }, 240_000);

    it("--mode functions passes every pytest case (load on every master, loads where missing, the FUNCTION FLUSH flood)", async () => {
      await cluster.waitUntilHealthy();
      await expectPytestPasses(python, functions, "test_cluster_functions.py", {
        LUAGEN_CLUSTER_PORT: String(cluster.startupNodes[0]!.port),
      });
    }, 240_000);
  });
});

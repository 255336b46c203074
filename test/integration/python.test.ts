import { afterAll, beforeAll, describe, it } from "vitest";
import { expectPytestPasses, NO_PYTHON, PYTHON3, pythonEnv, pythonProject } from "../support/python.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { VALKEY } from "../support/live-servers.js";

/**
 * The Python target against a real redis-server and a real Valkey 8: test/python/test_policy.py
 * (pytest) over a package generated from test/fixtures/python/lua, MONITOR sequences, errors, and
 * the SCRIPT FLUSH flood on sync and asyncio clients, direct, in transactions and in pipelines; and
 * with `--mode functions`, test/python/test_functions.py, the same under a FUNCTION FLUSH flood. On
 * redis-server, with `mode` by folder, test/python/test_functions_by_folder.py: a library per
 * folder, one folder in scripts mode beside them. On Valkey 8, which evicts scripts cached by
 * EVAL, test/python/test_eviction.py: a transaction of 600 distinct scripts stays whole.
 */
describe.skipIf(!PYTHON3)(`the Python target on redis-server and Valkey${PYTHON3 ? "" : ` (${NO_PYTHON})`}`, () => {
  let server: RedisServer;
  let valkey: RedisServer;
  let python: string;
  let dir: string;
  let functions: string;
  let byFolder: string;
  let eviction: string;

  beforeAll(async () => {
    [server, valkey, python] = await Promise.all([startRedisServer(), VALKEY.start(), pythonEnv()]);
    eviction = await pythonProject("python-eviction", "test_eviction.py");
    dir = await pythonProject("python-policy", "test_policy.py");
    functions = await pythonProject("python-functions", "test_functions.py", { flags: ["--mode", "functions"] });
    byFolder = await pythonProject("python-functions-by-folder", "test_functions_by_folder.py", {
      byFolder: {
        folders: { billing: ["counter.lua", "fails.lua"], cache: ["peek.lua"], plain: ["pair.lua"] },
        mode: { "lua/billing": "functions", "lua/cache": "functions" },
      },
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), valkey?.stop()]);
  });

  /** The two live servers the policy and functions-mode cases run on, by the port pytest is given. */
  const ON = [
    { on: "redis-server", port: () => server.port },
    { on: "Valkey 8", port: () => valkey.port },
  ];

  it.each(ON)(
    "on $on, passes every pytest case (policy under MONITOR, errors, validation, the SCRIPT FLUSH flood)",
    async ({ port }) => {
      await expectPytestPasses(python, dir, "test_policy.py", { LUAGEN_REDIS_PORT: String(port()) });
    },
    240_000,
  );

  it.each(ON)(
    "on $on, --mode functions passes every pytest case (FCALL, the load on a missing library, errors, the FUNCTION FLUSH flood)",
    async ({ port }) => {
      await expectPytestPasses(python, functions, "test_functions.py", { LUAGEN_REDIS_PORT: String(port()) });
    },
    240_000,
  );

  it("mode by folder passes every pytest case (a library per folder, a scripts-mode folder beside, the flood over all)", async () => {
    await expectPytestPasses(python, byFolder, "test_functions_by_folder.py", {
      LUAGEN_REDIS_PORT: String(server.port),
    });
  }, 240_000);

  it("on Valkey 8, which evicts EVAL-cached scripts inside EXEC, a transaction of 600 distinct scripts stays whole", async () => {
    await expectPytestPasses(python, eviction, "test_eviction.py", { LUAGEN_REDIS_PORT: String(valkey.port) });
  }, 240_000);
});

// The test servers themselves: a server started on a port another server already holds must
// fail, not pass its readiness check on the other server's PONG (a port found free can be taken
// by a parallel test file before redis-server binds it).
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchRedis } from "./redis-process.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

test("launching on a port that is already served fails with the bind error", async () => {
  await expect(launchRedis(server.port)).rejects.toThrow(/Address already in use/);
});

// The real servers the tests of luagen's server facts run against: PATH's redis-server (Debian's
// 7.0 in CI) and Valkey 8 (support/valkey.ts), so that what the checks say about a server is
// checked against what that server does, for both products.
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { valkeyServer } from "./valkey.js";

export interface LiveServer {
  /** How test names call it. */
  readonly server: string;
  start(): Promise<RedisServer>;
}

export const REDIS_SERVER: LiveServer = { server: "redis-server", start: () => startRedisServer() };
export const VALKEY: LiveServer = {
  server: "Valkey 8",
  start: async () => startRedisServer({ binary: await valkeyServer() }),
};
export const LIVE_SERVERS: readonly LiveServer[] = [REDIS_SERVER, VALKEY];

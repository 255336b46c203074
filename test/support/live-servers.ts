// The real servers the tests of luagen's server facts run against: PATH's redis-server (Debian's
// 7.0 in CI) and Valkey 8 (support/valkey.ts), so that what the checks say about a server is
// checked against what that server does, for both products.
import { startRedisCluster, type RedisCluster } from "./redis-cluster.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { valkeyServer } from "./valkey.js";

export interface LiveServer {
  /** How test names call it. */
  readonly server: string;
  start(): Promise<RedisServer>;
  /** A 3-master, 3-replica cluster of that server (support/redis-cluster.ts). */
  startCluster(): Promise<RedisCluster>;
}

export const REDIS_SERVER: LiveServer = {
  server: "redis-server",
  start: () => startRedisServer(),
  startCluster: () => startRedisCluster(),
};
export const VALKEY: LiveServer = {
  server: "Valkey 8",
  start: async () => startRedisServer({ binary: await valkeyServer() }),
  startCluster: async () => startRedisCluster({ binary: await valkeyServer() }),
};
export const LIVE_SERVERS: readonly LiveServer[] = [REDIS_SERVER, VALKEY];

import type { Redis } from "ioredis";
import { RELEASES, atLeast, parseServer, type Server } from "../../src/lua/servers.js";

/**
 * The server setting that describes the server a test runs against (redis-server 7.0 in CI; any
 * Redis or Valkey first on PATH as redis-server): its product, and the newest release luagen
 * lists at or before its version.
 */
export async function serverSettingOf(redis: Redis): Promise<{ name: string; server: Server }> {
  const info = await redis.info("server");
  const valkey = /valkey_version:(\d+\.\d+)/.exec(info)?.[1];
  const product = valkey === undefined ? "redis" : "valkey";
  const version = valkey ?? /redis_version:(\d+\.\d+)/.exec(info)![1]!;
  const release = RELEASES[product].filter((r) => atLeast(version, r)).at(-1);
  if (release === undefined) throw new Error(`${product} ${version} is older than every release luagen knows`);
  const name = `${product}-${release}`;
  return { name, server: parseServer(name)! };
}

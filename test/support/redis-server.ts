// A throwaway redis-server for integration tests: its own free loopback port,
// its own temp dir, no persistence. Never touches the server on :6379.
import { HOST, haltRedis, launchRedis, withFreePorts } from "./redis-process.js";

export interface RedisServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** Kills the server and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the process and starts a fresh one on the same port (empty script cache, empty data). */
  restart(): Promise<void>;
}

export interface StartOptions {
  /** Extra command-line arguments for redis-server, e.g. ["--maxmemory", "10mb"]. */
  readonly extraArgs?: string[];
  /** Another server binary than PATH's redis-server (see LaunchOptions). */
  readonly binary?: string;
}

export async function startRedisServer(options: StartOptions = {}): Promise<RedisServer> {
  const extraArgs = options.extraArgs ?? [];
  const launch = { binary: options.binary };
  return withFreePorts(1, async ([port]) => {
    let current = await launchRedis(port, extraArgs, launch);
    return {
      host: HOST,
      port,
      stop: () => haltRedis(current),
      restart: async () => {
        await haltRedis(current);
        current = await launchRedis(port, extraArgs, launch);
      },
    };
  });
}

// The set-up the integration tests share: open something (a server, a cluster, a client of the
// major under test) before a group's tests and close it after them, whatever kind it is.
// Tests keep their own `let` and assign it in `open`, so their bodies read the fixture by its
// plain name: `let redis: Redis; holdOpen(() => (redis = connect(server, Client)));`. Groups close
// in the reverse order of opening (vitest runs afterAll hooks as a stack).
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import type { Redis } from "ioredis";
import { startRedisCluster, type RedisCluster } from "./redis-cluster.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { commandCalls, connect, watchWire } from "./script.js";

/** What a fixture can be: servers, clusters and deployments stop, wires close, clients disconnect or are destroyed. */
type Closable =
  | { stop(): Promise<void> }
  | { close(): Promise<void> }
  | { destroy(): void }
  | { disconnect(): void }
  | readonly Closable[];

async function close(fixture: Closable): Promise<void> {
  if (isList(fixture)) await Promise.all(fixture.map(close));
  else if ("stop" in fixture) await fixture.stop();
  // node-redis clients have close() too, which waits for pending replies: destroy them, as the tests did.
  else if ("destroy" in fixture) fixture.destroy();
  else if ("disconnect" in fixture) fixture.disconnect();
  else await fixture.close();
}

function isList(fixture: Closable): fixture is readonly Closable[] {
  return Array.isArray(fixture);
}

/**
 * Runs `open` before the tests of the current group (describe block or file) and closes what it
 * returned after them. A failed `open` leaves nothing to close.
 */
export function holdOpen(open: () => Closable | Promise<Closable>): void {
  let fixture: Closable | undefined;
  beforeAll(async () => {
    fixture = await open();
  });
  afterAll(async () => {
    if (fixture) await close(fixture);
  });
}

/** Empties a server between tests: data, script cache and INFO commandstats. */
export async function resetServer(admin: Redis): Promise<void> {
  await admin.flushall();
  await admin.script("FLUSH");
  await admin.config("RESETSTAT");
}

export type Wire = Awaited<ReturnType<typeof watchWire>>;

/** A server, an admin connection for the test's own checks and a MONITOR on it. */
export interface WatchedServer {
  readonly server: RedisServer;
  readonly admin: Redis;
  readonly wire: Wire;
}

/**
 * For a file whose tests watch the wire: one server for the file, reset before every test, and
 * after every test the check that no SCRIPT command (EXISTS, LOAD) was ever sent.
 * `started` receives the fixture once it is up; `start` starts the server (PATH's redis-server).
 */
export function useWatchedServer(
  started: (fixture: WatchedServer) => void,
  start: () => Promise<RedisServer> = () => startRedisServer(),
): void {
  let server: RedisServer;
  let admin: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(() => (admin = connect(server)));
  holdOpen(async () => {
    const wire = await watchWire(server);
    started({ server, admin, wire });
    return wire;
  });
  beforeEach(() => resetServer(admin));
  afterEach(async () => {
    const scriptCommands = Object.keys(await commandCalls(admin)).filter((name) => name.startsWith("script"));
    expect(scriptCommands).toEqual([]);
  });
}

/** A cluster and a MONITOR on the master that owns one slot, with an admin connection to that master. */
export interface WatchedCluster {
  readonly cluster: RedisCluster;
  readonly owner: Redis;
  readonly wire: Wire;
}

/**
 * For a file whose tests watch the master of `slot`: one 3+3 cluster for the file, and before
 * every test the masters' data, and every node's script cache and commandstats, emptied.
 */
export function useWatchedCluster(slot: number, started: (fixture: WatchedCluster) => void): void {
  let cluster: RedisCluster;
  holdOpen(async () => (cluster = await startRedisCluster()));
  holdOpen(async () => {
    const { port } = await cluster.shardOf(slot);
    const wire = await watchWire({ host: "127.0.0.1", port });
    started({ cluster, owner: cluster.admin(port), wire });
    return wire;
  });
  beforeEach(async () => {
    const masters = new Set((await cluster.shards()).map((shard) => shard.port));
    for (const { port, admin } of cluster.live()) {
      if (masters.has(port)) await admin.flushall();
      await admin.script("FLUSH");
      await admin.config("RESETSTAT");
    }
  });
}

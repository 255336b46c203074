// A throwaway Redis Cluster for integration tests: 3 masters + 3 replicas, each
// a redis-server on free loopback ports (client and cluster-bus port both
// chosen, so nothing depends on port + 10000), joined by `redis-cli --cluster
// create`, and healthy before it is handed out: `cluster_state:ok` on every
// node, every master with its slots and a replica whose link is up.
// One per test file that asks for it; `stop()` tears everything down.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import {
  HOST,
  haltRedis,
  launchRedis,
  requireBinary,
  sleep,
  withFreePorts,
  type RedisProcess,
} from "./redis-process.js";

const MASTERS = 3;
const NODES = MASTERS * 2;
/** How long a node may be unreachable before it is flagged as failing; a failover takes ~2-3x this. */
const NODE_TIMEOUT_MS = 1_000;
const HEALTHY_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

const execFileAsync = promisify(execFile);

export interface ClusterNode {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** True once `stop()` was called. */
  readonly stopped: boolean;
  /** Stops this node's process (SIGTERM, as an orchestrator would); the cluster fails it over. */
  stop(): Promise<void>;
}

/** One master as the cluster sees it. */
export interface ClusterShard {
  readonly port: number;
  readonly id: string;
  /** Inclusive slot ranges. */
  readonly slots: readonly (readonly [number, number])[];
  readonly replicaPorts: readonly number[];
}

export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** Every node, for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** How long starting and joining took, in ms. */
  readonly setupMs: number;
  /** A plain ioredis 5 connection to one node, for a test's own checks (INFO, CONFIG, FLUSHALL...). */
  admin(port: number): Redis;
  /** The nodes not stopped, each with its `admin` connection. */
  live(): { port: number; admin: Redis }[];
  /** The masters as a live node sees them now. */
  shards(): Promise<ClusterShard[]>;
  /** The master serving `slot`. */
  shardOf(slot: number): Promise<ClusterShard>;
  /**
   * Resolves once every live node says `cluster_state:ok`, there are 3 masters covering
   * all slots, and (unless `replicas: false`) each has a replica whose link is up.
   */
  waitUntilHealthy(options?: { replicas?: boolean; timeoutMs?: number }): Promise<void>;
  /**
   * Resolves once every live node says `cluster_state:ok` and `CLUSTER NODES` on each
   * shows the node on `port` as the master serving `slot` (a promoted replica, after a failover).
   */
  waitUntilMasterOf(slot: number, port: number, timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their temp dirs. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts 3 masters + 3 replicas and joins them; throws a clear error when redis-cli is missing.
 * `binary`: another server than PATH's redis-server (a valkey-server, support/valkey.ts).
 */
export async function startRedisCluster(options: { binary?: string } = {}): Promise<RedisCluster> {
  const redisCli = requireBinary("redis-cli", "redis-tools", "the cluster tests (redis-cli --cluster create)");
  const started = Date.now();
  const processes = await Promise.all(Array.from({ length: NODES }, () => launchClusterNode(options.binary)));
  const admins = new Map<number, Redis>(processes.map((p) => [p.port, adminClient(p.port)]));
  const nodes = processes.map((process): ClusterNode => {
    let stopped = false;
    return {
      host: HOST,
      port: process.port,
      get stopped() {
        return stopped;
      },
      async stop() {
        stopped = true;
        admins.get(process.port)?.disconnect();
        await haltRedis(process);
      },
    };
  });
  const liveAdmins = () => nodes.filter((node) => !node.stopped).map((node) => admins.get(node.port)!);

  async function shards(): Promise<ClusterShard[]> {
    const [admin] = liveAdmins();
    return parseShards(String(await admin.call("CLUSTER", "NODES")));
  }

  async function waitUntilHealthy(options: { replicas?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? HEALTHY_TIMEOUT_MS);
    let last = "";
    while (Date.now() < deadline) {
      last = await healthProblem(liveAdmins(), options.replicas ?? true).catch((error: unknown) => String(error));
      if (last === "") return;
      await sleep(POLL_MS);
    }
    throw new Error(`the test cluster did not become healthy: ${last}`);
  }

  async function waitUntilMasterOf(slot: number, port: number, timeoutMs = HEALTHY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await promotionProblem(liveAdmins(), slot, port).catch((error: unknown) => String(error));
      if (last === "") return;
      await sleep(POLL_MS);
    }
    throw new Error(`node ${port} did not become the master of slot ${slot}: ${last}`);
  }

  const cluster: RedisCluster = {
    nodes,
    startupNodes: nodes.map(({ host, port }) => ({ host, port })),
    setupMs: 0,
    admin(port) {
      const admin = admins.get(port);
      if (admin === undefined) throw new Error(`no node of the test cluster listens on ${port}`);
      return admin;
    },
    live: () =>
      nodes.filter((node) => !node.stopped).map((node) => ({ port: node.port, admin: admins.get(node.port)! })),
    shards,
    async shardOf(slot) {
      const shard = (await shards()).find((s) => s.slots.some(([from, to]) => from <= slot && slot <= to));
      if (shard === undefined) throw new Error(`no master serves slot ${slot}`);
      return shard;
    },
    waitUntilHealthy,
    waitUntilMasterOf,
    async stop() {
      for (const admin of admins.values()) admin.disconnect();
      await Promise.all(processes.map((p) => haltRedis(p)));
    },
  };

  try {
    const addresses = processes.map((p) => `${HOST}:${p.port}`);
    await execFileAsync(redisCli, ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"], {
      timeout: HEALTHY_TIMEOUT_MS,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `redis-cli --cluster create failed: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`,
      );
    });
    await waitUntilHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { ...cluster, setupMs: Date.now() - started };
}

/** One cluster-enabled redis-server; its client and bus ports both come from the kernel. */
function launchClusterNode(binary: string | undefined): Promise<RedisProcess> {
  return withFreePorts(2, ([port, busPort]) =>
    launchRedis(
      port,
      [
        "--cluster-enabled",
        "yes",
        "--cluster-port",
        String(busPort),
        "--cluster-config-file",
        "nodes.conf", // relative to --dir: the node's own temp dir
        "--cluster-node-timeout",
        String(NODE_TIMEOUT_MS),
        // A replica's first full sync otherwise waits 5 s for more replicas to join it.
        "--repl-diskless-sync-delay",
        "0",
      ],
      { binary },
    ),
  );
}

/** A plain connection to one node for the helper's own queries: no retries, no offline queue. */
function adminClient(port: number): Redis {
  const admin = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    retryStrategy: () => 100,
  });
  admin.on("error", () => undefined); // a stopped node: its queries fail, and that is reported where awaited
  return admin;
}

/** "" when healthy, else what is still wrong. */
async function healthProblem(admins: readonly Redis[], replicas: boolean): Promise<string> {
  for (const admin of admins) {
    const info = String(await admin.call("CLUSTER", "INFO"));
    if (!/^cluster_state:ok\r?$/m.test(info)) return `${admin.options.port}: ${info.match(/^cluster_state:.*$/m)?.[0]}`;
  }
  const shards = parseShards(String(await admins[0].call("CLUSTER", "NODES")));
  const covered = shards.flatMap((s) => s.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0);
  if (shards.length !== MASTERS || covered !== 16_384) return `${shards.length} masters covering ${covered} slots`;
  if (!replicas) return "";
  for (const shard of shards) {
    if (shard.replicaPorts.length === 0) return `master ${shard.port} has no replica`;
    for (const port of shard.replicaPorts) {
      const replica = admins.find((admin) => admin.options.port === port);
      const link = replica === undefined ? "" : String(await replica.info("replication"));
      if (!/^master_link_status:up\r?$/m.test(link)) return `replica ${port} of ${shard.port} is not in sync`;
    }
  }
  return "";
}

/** "" when every live node is ok and sees `port` as the master of `slot`, else what is still wrong. */
async function promotionProblem(admins: readonly Redis[], slot: number, port: number): Promise<string> {
  for (const admin of admins) {
    const info = String(await admin.call("CLUSTER", "INFO"));
    if (!/^cluster_state:ok\r?$/m.test(info)) return `${admin.options.port}: ${info.match(/^cluster_state:.*$/m)?.[0]}`;
    const shards = parseShards(String(await admin.call("CLUSTER", "NODES")));
    const owner = shards.find((shard) => shard.slots.some(([from, to]) => from <= slot && slot <= to));
    if (owner?.port !== port) return `${admin.options.port} sees ${owner?.port ?? "no node"} serving slot ${slot}`;
  }
  return "";
}

/**
 * `CLUSTER NODES` → masters with their slots and replicas. Each line:
 * `<id> <ip:port@bus[,hostname]> <flags> <master id or -> <ping> <pong> <epoch> <link> <slot> <slot>...`
 */
function parseShards(text: string): ClusterShard[] {
  const lines = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(" "));
  const portOf = (address: string) => Number(address.split("@")[0].split(":").pop());
  const healthy = (flags: string) =>
    !flags.split(",").some((flag) => flag === "fail" || flag === "fail?" || flag === "noaddr");
  return lines
    .filter(([, , flags]) => flags.split(",").includes("master") && healthy(flags))
    .map(([id, address, , , , , , , ...slots]) => ({
      id,
      port: portOf(address),
      slots: slots
        .filter((slot) => !slot.startsWith("["))
        .map((slot): [number, number] => {
          const [from, to] = slot.split("-").map(Number);
          return [from, to ?? from];
        }),
      replicaPorts: lines
        .filter(([, , flags, masterId]) => masterId === id && flags.split(",").includes("slave") && healthy(flags))
        .map(([, replicaAddress]) => portOf(replicaAddress)),
    }))
    .filter((shard) => shard.slots.length > 0);
}

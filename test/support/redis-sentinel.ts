// A throwaway Sentinel deployment for integration tests: one master, one replica and three
// sentinels (quorum 2), each a redis-server on a free loopback port in its own temp dir, with no
// persistence. Handed out only once every sentinel knows the replica and the other two sentinels,
// so that SENTINEL FAILOVER can pick the replica at once. `stop()` tears everything down.
import { Redis } from "ioredis";
import { HOST, haltRedis, launchRedis, sleep, withFreePorts, type RedisProcess } from "./redis-process.js";

export const MASTER_NAME = "luagen";
const SENTINELS = 3;
const QUORUM = 2;
const READY_TIMEOUT_MS = 30_000;
const FAILOVER_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

export interface SentinelDeployment {
  /** The master group's name, for a client's `name` option. */
  readonly name: string;
  /** The three sentinels, for a client's `sentinels` option. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** The data nodes' ports: the master's first as started. */
  readonly dataPorts: readonly [number, number];
  /** A plain ioredis 5 connection to a data node, for a test's own checks. */
  admin(port: number): Redis;
  /** The master's port as every sentinel reports it now (throws if they disagree). */
  masterPort(): Promise<number>;
  /**
   * Sends SENTINEL FAILOVER and resolves with the new master's port once every sentinel
   * reports it and the node itself answers ROLE as a master.
   */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSentinelDeployment(): Promise<SentinelDeployment> {
  const processes: RedisProcess[] = [];
  const connections: Redis[] = [];
  const connect = (port: number) => {
    const redis = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, lazyConnect: false });
    connections.push(redis);
    return redis;
  };
  const admins = new Map<number, Redis>();
  const admin = (port: number) => admins.get(port) ?? admins.set(port, connect(port)).get(port)!;
  const stop = async () => {
    for (const redis of connections) redis.disconnect();
    await Promise.all(processes.map(haltRedis));
  };
  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await withFreePorts(2 + SENTINELS, async (ports) => {
      processes.push(await launchRedis(ports[0]!));
      processes.push(await launchRedis(ports[1]!, ["--replicaof", HOST, String(ports[0])]));
      const config = [
        `sentinel monitor ${MASTER_NAME} ${HOST} ${ports[0]} ${QUORUM}`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 10000`,
        "",
      ].join("\n");
      for (const port of ports.slice(2)) processes.push(await launchRedis(port, [], { sentinelConfig: config }));
      return ports;
    });
    const sentinels = sentinelPorts.map((port) => ({ host: HOST, port }));
    const sentinelClients = sentinelPorts.map(connect);
    await until(READY_TIMEOUT_MS, "the replica to sync and every sentinel to know it and the others", async () => {
      const link = await admin(replicaPort!).info("replication");
      if (!link.includes("master_link_status:up")) return false;
      const views = await Promise.all(
        sentinelClients.map(async (s) => ({
          replicas: (await s.call("SENTINEL", "REPLICAS", MASTER_NAME)) as unknown[],
          sentinels: (await s.call("SENTINEL", "SENTINELS", MASTER_NAME)) as unknown[],
        })),
      );
      return views.every((view) => view.replicas.length === 1 && view.sentinels.length === SENTINELS - 1);
    });

    const reportedMaster = async (): Promise<number[]> =>
      Promise.all(
        sentinelClients.map(async (s) =>
          Number(((await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as string[])[1]),
        ),
      );
    const currentMaster = async (): Promise<number> => {
      const ports = await reportedMaster();
      if (new Set(ports).size !== 1) throw new Error(`the sentinels disagree on the master: ${ports.join(", ")}`);
      return ports[0]!;
    };
    return {
      name: MASTER_NAME,
      sentinels,
      dataPorts: [masterPort!, replicaPort!],
      admin,
      masterPort: currentMaster,
      async failover() {
        const before = await currentMaster();
        const next = before === masterPort ? replicaPort! : masterPort!;
        // After an earlier failover the demoted master must resync and be seen as a replica first;
        // until then a sentinel answers NOGOODSLAVE.
        await until(FAILOVER_TIMEOUT_MS, `${next} to be a healthy replica every sentinel knows`, async () => {
          const link = await admin(next).info("replication");
          if (!link.includes("role:slave") || !link.includes("master_link_status:up")) return false;
          const views = await Promise.all(
            sentinelClients.map((s) => s.call("SENTINEL", "REPLICAS", MASTER_NAME) as Promise<string[][]>),
          );
          return views.every((replicas) => replicas.some((fields) => isHealthyReplica(fields, next)));
        });
        await until(FAILOVER_TIMEOUT_MS, "a sentinel to accept SENTINEL FAILOVER", async () => {
          await sentinelClients[0]!.call("SENTINEL", "FAILOVER", MASTER_NAME);
          return true;
        });
        await until(FAILOVER_TIMEOUT_MS, `the sentinels to promote ${next}`, async () => {
          const ports = await reportedMaster();
          if (!ports.every((port) => port === next)) return false;
          const role = (await admin(next).call("ROLE")) as unknown[];
          return role[0] === "master";
        });
        return next;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SENTINEL REPLICAS describes each replica as a flat list of field, value pairs. */
function isHealthyReplica(fields: readonly string[], port: number): boolean {
  const field = (name: string) => fields[fields.indexOf(name) + 1];
  return Number(field("port")) === port && field("flags") === "slave" && field("master-link-status") === "ok";
}

async function until(timeoutMs: number, what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// The node-redis majors the runtime supports, for `describe.each(NODE_REDIS)`: node-redis 5
// (`redis`) and 6 (installed under the alias "redis6"), each speaking RESP2 and RESP3. The
// tests see clients, clusters and multis through the runtime's own structural types; the
// generated types are checked against each major's declarations by test/emit/clients-compile.test.ts.
import { createRequire } from "node:module";
import { ErrorReply as ErrorReply5, createClient as createClient5, createCluster as createCluster5 } from "redis";
import { ErrorReply as ErrorReply6, createClient as createClient6, createCluster as createCluster6 } from "redis6";
import {
  runScript,
  type NodeRedisClient,
  type NodeRedisMulti,
  type ScriptDescriptor,
} from "../../templates/typescript/runtime.js";
import type { Address } from "./script.js";

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** What the tests use of a node-redis client or cluster, whichever major. */
export interface NodeRedisConnection extends NodeRedisClient {
  connect(): Promise<unknown>;
  destroy(): void;
  multi(): NodeRedisTestMulti;
  sendCommand(...args: unknown[]): Promise<unknown>;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/** What the tests use of a node-redis multi. */
export interface NodeRedisTestMulti extends NodeRedisMulti {
  exec(): Promise<unknown[]>;
  execAsPipeline(): Promise<unknown[]>;
  incr(key: string): NodeRedisTestMulti;
  sendCommand(args: string[]): unknown;
}

export interface NodeRedisMajor {
  /** "node-redis 5.12.1 RESP2", ...: as installed, for test names. */
  readonly name: string;
  readonly major: 5 | 6;
  readonly resp: 2 | 3;
  /** The class of Redis's error replies in this major. */
  readonly ErrorReply: abstract new (...args: never[]) => Error;
  /** A connected client on `server`, with extra options (keyPrefix, scripts, ...). */
  client(server: Address, options?: Record<string, unknown>): Promise<NodeRedisConnection>;
  /** A connected cluster client from `rootNodes`. */
  cluster(rootNodes: readonly Address[], options?: Record<string, unknown>): Promise<NodeRedisConnection>;
}

type AnyFactory = (options: Record<string, unknown>) => unknown;

function major(
  version: string,
  major: 5 | 6,
  resp: 2 | 3,
  ErrorReply: NodeRedisMajor["ErrorReply"],
  createClient: AnyFactory,
  createCluster: AnyFactory,
): NodeRedisMajor {
  return {
    name: `node-redis ${version} RESP${resp}`,
    major,
    resp,
    ErrorReply,
    async client(server, options = {}) {
      const client = createClient({
        socket: { host: server.host, port: server.port, reconnectStrategy: 50 },
        RESP: resp,
        ...options,
      }) as NodeRedisConnection;
      client.on("error", () => undefined); // node-redis reconnects by itself; without a listener it would throw
      await client.connect();
      return client;
    },
    async cluster(rootNodes, options = {}) {
      const nodes = rootNodes.map((node) => ({ socket: { host: node.host, port: node.port } }));
      const cluster = createCluster({ rootNodes: nodes, RESP: resp, ...options }) as NodeRedisConnection;
      cluster.on("error", () => undefined);
      await cluster.connect();
      return cluster;
    },
  };
}

const v5 = versionOf("redis");
const v6 = versionOf("redis6");

export const NODE_REDIS: readonly NodeRedisMajor[] = [
  major(v5, 5, 2, ErrorReply5, createClient5 as AnyFactory, createCluster5 as unknown as AnyFactory),
  major(v5, 5, 3, ErrorReply5, createClient5 as AnyFactory, createCluster5 as unknown as AnyFactory),
  major(v6, 6, 2, ErrorReply6, createClient6 as AnyFactory, createCluster6 as unknown as AnyFactory),
  major(v6, 6, 3, ErrorReply6, createClient6 as AnyFactory, createCluster6 as unknown as AnyFactory),
];

/** runScript on a node-redis client or cluster. */
export function callOn(
  script: ScriptDescriptor,
  client: NodeRedisClient,
  keys: unknown[],
  args: unknown[],
): Promise<unknown> {
  return runScript(script, client, keys, args) as Promise<unknown>;
}

/** runScript on a node-redis multi; the multi comes back. */
export function queueOn<Multi extends NodeRedisMulti>(
  script: ScriptDescriptor,
  multi: Multi,
  keys: unknown[],
  args: unknown[],
): Multi {
  return runScript(script, multi, keys, args) as Multi;
}

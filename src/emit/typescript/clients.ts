import type { Client } from "../../config.js";

/**
 * Per client library: the package a key's type comes from, the runtime's target types the
 * overloads take (imported under the names `ScriptClient` and `ScriptBatch`), as the JSDoc names
 * them, and how its typed batches learn the reply types of its commands.
 */
export interface ClientTypes {
  from: string;
  key: string;
  client: string;
  batch: string;
  clientDoc: string;
  batchDoc: string;
  /** How a typed batch gets the reply type of each of the client's own commands (see emit/batch.ts). */
  commandReplies: CommandReplies;
}

export type CommandReplies =
  /**
   * From the client's own command declarations, through its `ResultTypes`, declared in the module
   * `commander`, which index.ts augments (ioredis, iovalkey): every overload kept.
   */
  | { readonly from: "result-types"; readonly commander: string }
  /** From the client's command methods: the type of the promise each returns (node-redis). */
  | { readonly from: "client-methods" }
  /**
   * The commands the client's batch class has (Valkey GLIDE's `Batch`), typed by the client's method
   * of the same name; index.ts makes the batches themselves, as the runtime imports nothing.
   */
  | { readonly from: "batch-methods" };

const IOREDIS_DOCS = {
  key: "RedisKey",
  client: "ScriptClient",
  batch: "ScriptBatch",
  clientDoc: "a client (`Redis` or `Cluster`)",
  batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`)",
};

export const CLIENT_TYPES: Record<Client, ClientTypes> = {
  ioredis: {
    from: "ioredis",
    ...IOREDIS_DOCS,
    commandReplies: { from: "result-types", commander: "ioredis/built/utils/RedisCommander.js" },
  },
  iovalkey: {
    from: "iovalkey",
    ...IOREDIS_DOCS,
    commandReplies: { from: "result-types", commander: "iovalkey/built/utils/RedisCommander.js" },
  },
  "node-redis": {
    from: "redis",
    key: "RedisArgument",
    client: "NodeRedisClient",
    batch: "NodeRedisMulti",
    clientDoc: "a client or cluster (`createClient()`, `createCluster()`); the call resolves to the script's reply",
    batchDoc:
      "a multi (`client.multi()`), run by `exec()` or `execAsPipeline()`; the call is queued (always as EVAL) and the same multi is returned for chaining",
    commandReplies: { from: "client-methods" },
  },
  glide: {
    from: "@valkey/valkey-glide",
    key: "GlideString",
    client: "GlideScriptClient",
    batch: "GlideScriptBatch",
    clientDoc: "a Valkey GLIDE client (`GlideClient`); the call resolves to the script's reply",
    batchDoc:
      "a Valkey GLIDE `Batch`, run by the client's `exec(batch, raiseOnError)`: atomic (MULTI/EXEC), the script goes as EVAL the first time and EVALSHA after; not atomic, always as EVAL",
    commandReplies: { from: "batch-methods" },
  },
};

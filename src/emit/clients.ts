import type { Client } from "../config.js";

/**
 * Per client library: the package a key's type comes from, the runtime's target types the
 * overloads take (imported under the names `ScriptClient` and `ScriptBatch`), as the JSDoc names
 * them, and for a client that has typed batches, the module that declares its reply types.
 */
export interface ClientTypes {
  from: string;
  key: string;
  client: string;
  batch: string;
  clientDoc: string;
  batchDoc: string;
  /**
   * The module that declares the client's `ResultTypes`, which index.ts augments so that each of
   * the client's own commands in a typed batch adds its reply type to the tuple (see emit/batch.ts);
   * absent where luagen has no typed batch for the client yet.
   */
  commander?: string;
}

const IOREDIS_DOCS = {
  key: "RedisKey",
  client: "ScriptClient",
  batch: "ScriptBatch",
  clientDoc: "a client (`Redis` or `Cluster`)",
  batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`)",
};

export const CLIENT_TYPES: Record<Client, ClientTypes> = {
  ioredis: { from: "ioredis", ...IOREDIS_DOCS, commander: "ioredis/built/utils/RedisCommander.js" },
  iovalkey: { from: "iovalkey", ...IOREDIS_DOCS, commander: "iovalkey/built/utils/RedisCommander.js" },
  "node-redis": {
    from: "redis",
    key: "RedisArgument",
    client: "NodeRedisClient",
    batch: "NodeRedisMulti",
    clientDoc: "a client or cluster (`createClient()`, `createCluster()`); the call resolves to the script's reply",
    batchDoc:
      "a multi (`client.multi()`), run by `exec()` or `execAsPipeline()`; the call is queued (always as EVAL) and the same multi is returned for chaining",
  },
};

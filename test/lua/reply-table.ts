import type { ReturnType } from "../../src/model.js";
import type { ReplyLookup } from "../../src/lua/returns.js";

const integer: ReturnType = { kind: "integer" };
const string: ReturnType = { kind: "string" };
const nil: ReturnType = { kind: "nil" };
const status: ReturnType = { kind: "status" };

/**
 * A few commands' RESP2 replies, as Redis documents them, so the return inference is tested
 * without depending on the real command table: GET's nil bulk, SET's status or nil (NX/XX), MGET's
 * array with nil elements.
 */
const REPLIES: Record<string, ReturnType> = {
  get: { kind: "union", members: [string, nil] },
  lpop: { kind: "union", members: [string, nil] },
  incr: integer,
  incrby: integer,
  del: integer,
  exists: integer,
  expire: integer,
  pexpire: integer,
  hset: integer,
  zadd: integer,
  set: { kind: "union", members: [status, nil] },
  ping: status,
  "object|encoding": { kind: "union", members: [string, nil] },
  lrange: { kind: "array", element: string },
  mget: { kind: "array", element: { kind: "union", members: [string, nil] } },
};

/** Names are case-insensitive, as Redis reads them. */
export const testLookup: ReplyLookup = (name) => REPLIES[name.toLowerCase()];

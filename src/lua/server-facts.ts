import { atLeast, serverTitle, type Product, type Server } from "./servers.js";

/**
 * What differs between the servers luagen checks for: when a command appeared, when a command
 * became allowed in scripts, when an arity grew. luagen's command table (commands.json) holds
 * redis-server 7.0's facts plus commands newer servers added; this module says which releases
 * each newer fact holds for. Facts about servers, written here by hand with their source; nothing
 * is copied from Redis sources.
 */

/** Since which release of each product a fact holds: a `major.minor`, `never`, or `unknown` (not checked). */
export interface Since {
  redis: string;
  valkey: string;
  /** Where the versions come from (one of `SOURCES`). */
  source: keyof typeof SOURCES;
}

export const SOURCES = {
  compared:
    "COMMAND INFO of redis-server 7.0.15 compared with a Valkey server built from source; Valkey's src/commands/*.json history entries (BSD-3)",
  valkeyJson: 'Valkey src/commands/*.json "since" (BSD-3), at commit 55bbbe09a3b3',
  redisDocs: 'redis.io command reference, "Available since"',
  release: "the products' release announcements (Redis 7.4 hash-field expiration; Valkey 9.0, 9.1)",
  valkeyLua:
    "Valkey src/script_lua.c (BSD-3) at tags 7.2.5 and 8.0.0, which set the global `server` and alias `redis` to it; Redis 7.0.15 answers a read of `server` with \"Script attempted to access nonexistent global variable 'server'\"",
} as const;

const NEVER = "never";
const UNKNOWN = "unknown";

/**
 * Commands Redis 7.0 refuses in scripts (`noscript`) and later servers run there, where they never
 * block: since Redis 7.2, and in every Valkey release.
 */
export const SCRIPT_ALLOWED_SINCE: Readonly<Record<string, Since>> = Object.fromEntries(
  ["BLMOVE", "BLPOP", "BRPOP", "BRPOPLPUSH", "BZPOPMAX", "BZPOPMIN", "WAIT"].map((name) => [
    name,
    { redis: "7.2", valkey: "7.2", source: "compared" },
  ]),
);

/** Arities that grew after Redis 7.0 (the name counts; negative means at least), by table name. */
export const ARITY_SINCE: Readonly<Record<string, { arity: number; since: Since }>> = {
  // ZRANK key member [WITHSCORE]
  ZRANK: { arity: -3, since: { redis: "7.2", valkey: "7.2", source: "compared" } },
  ZREVRANK: { arity: -3, since: { redis: "7.2", valkey: "7.2", source: "compared" } },
  // COMMAND GETKEYS PING: a command without arguments
  "COMMAND|GETKEYS": { arity: -3, since: { redis: "7.2", valkey: "7.2", source: "compared" } },
  "COMMAND|GETKEYSANDFLAGS": { arity: -3, since: { redis: "7.2", valkey: "7.2", source: "compared" } },
};

const both = (redis: string, valkey: string, source: Since["source"]): Since => ({ redis, valkey, source });
const each = (names: readonly string[], since: Since) => names.map((name) => [name, since] as const);

/**
 * Every command (and subcommand, as `CLIENT|CAPA`) of the table that redis-server 7.0 lacks, and
 * since when each product has it. test/lua/server-facts.test.ts fails when the table gains a
 * command this list does not date.
 */
export const COMMAND_SINCE: Readonly<Record<string, Since>> = Object.fromEntries([
  ...each(["WAITAOF", "CLIENT|NO-TOUCH", "CLIENT|SETINFO", "CLUSTER|MYSHARDID"], both("7.2", "7.2", "valkeyJson")),
  ...each(["CLIENT|CAPA", "CLUSTER|SLOT-STATS", "SCRIPT|SHOW"], both(NEVER, "8.0", "valkeyJson")),
  ...each(
    ["HEXPIRE", "HEXPIREAT", "HEXPIRETIME", "HPERSIST", "HPEXPIRE", "HPEXPIREAT", "HPEXPIRETIME", "HPTTL", "HTTL"],
    both("7.4", "9.0", "release"),
  ),
  ...each(["HGETEX", "HSETEX"], both("8.0", "9.0", "release")),
  ...each(["HGETDEL"], both("8.0", "9.1", "release")),
  // Vector sets. VISMEMBER and VRANGE may have come later (8.2, 8.4): the earliest release is
  // taken, so that no server setting gives a false error.
  ...each(
    [
      "VADD",
      "VCARD",
      "VDIM",
      "VEMB",
      "VGETATTR",
      "VINFO",
      "VISMEMBER",
      "VLINKS",
      "VRANDMEMBER",
      "VRANGE",
      "VREM",
      "VSETATTR",
      "VSIM",
    ],
    both("8.0", NEVER, "redisDocs"),
  ),
  ...each(["XDELEX"], both("8.2", UNKNOWN, "redisDocs")),
  ...each(["MSETEX"], both("8.4", "9.1", "release")),
  ...each(
    [
      "ARCOUNT",
      "ARDEL",
      "ARDELRANGE",
      "ARGET",
      "ARGETRANGE",
      "ARGREP",
      "ARINFO",
      "ARINSERT",
      "ARLASTITEMS",
      "ARLEN",
      "ARMGET",
      "ARMSET",
      "ARNEXT",
      "AROP",
      "ARRING",
      "ARSCAN",
      "ARSEEK",
      "ARSET",
    ],
    both("8.8", NEVER, "redisDocs"),
  ),
  ...each(["XNACK"], both("8.8", NEVER, "redisDocs")),
  // Valkey adds INCREX after 9.1, the newest release luagen knows: no Valkey release here has it.
  ...each(["INCREX"], both("8.8", NEVER, "redisDocs")),
]);

/** Valkey's name for the `redis` object (`server.call`): every Valkey release has it, no Redis release does. */
export const SERVER_GLOBAL_SINCE: Since = { redis: NEVER, valkey: "7.2", source: "valkeyLua" };

/** Whether the fact holds on `server`; undefined when luagen does not know. */
export function holdsOn(since: Since, server: Server): boolean | undefined {
  const from = since[server.product];
  if (from === UNKNOWN) return undefined;
  return from !== NEVER && atLeast(server.version, from);
}

/** `Redis 7.4 or later and Valkey 9.0 or later`, `Redis 8.0 or later (no Valkey release)`. */
export function whichServers(since: Since): string {
  const part = (product: Product) => {
    const from = since[product];
    if (from === NEVER) return undefined;
    if (from === UNKNOWN) return `perhaps ${serverTitle(product)}`;
    return `${serverTitle(product, from)} or later`;
  };
  const parts = (["redis", "valkey"] as const).map(part).filter((p) => p !== undefined);
  const none = (["redis", "valkey"] as const).find((product) => since[product] === NEVER);
  return parts.join(" and ") + (none ? ` (no ${serverTitle(none)} release)` : "");
}

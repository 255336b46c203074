/**
 * Where luagen's command table (redis-server 7.0's `COMMAND INFO`) is stricter than newer servers,
 * so that a script Redis 7.2+ or Valkey runs would be refused as if no server ran it. Found by
 * comparing `COMMAND INFO` of redis-server 7.0.15 with a Valkey server built from source: since
 * Redis 7.2 (and in every Valkey release) these blocking commands are allowed in scripts, where
 * they never block, and ZRANK/ZREVRANK take `WITHSCORE`. Facts about servers, written here by
 * hand; nothing is copied from Redis sources.
 */

/** Commands Redis 7.0 refuses in scripts (`noscript`) and Redis 7.2+ and Valkey run there. */
export const SCRIPT_ALLOWED_FROM_7_2: ReadonlySet<string> = new Set([
  "BLMOVE",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BZPOPMAX",
  "BZPOPMIN",
  "WAIT",
]);

/** Arity from Redis 7.2 and in Valkey, where it grew (the name counts; negative means at least). */
export const ARITY_FROM_7_2: Readonly<Record<string, number>> = {
  ZRANK: -3, // ZRANK key member [WITHSCORE]
  ZREVRANK: -3,
};

/** How the servers that run such a call are named in diagnostics. */
export const NEWER_SERVERS = "Redis 7.2 or later and Valkey";

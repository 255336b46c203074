/**
 * The fields of the `redis` table a script sees: `for k in pairs(redis)` in an EVAL on
 * redis-server 7.0.15. Valkey, forked from Redis 7.2.4, started from the same table.
 * `register_function` is not among them: it exists only while FUNCTION LOAD runs a library.
 */
export const REDIS_LUA_API: ReadonlySet<string> = new Set([
  "LOG_DEBUG",
  "LOG_NOTICE",
  "LOG_VERBOSE",
  "LOG_WARNING",
  "REDIS_VERSION",
  "REDIS_VERSION_NUM",
  "REPL_ALL",
  "REPL_AOF",
  "REPL_NONE",
  "REPL_REPLICA",
  "REPL_SLAVE",
  "acl_check_cmd",
  "breakpoint",
  "call",
  "debug",
  "error_reply",
  "log",
  "pcall",
  "replicate_commands",
  "set_repl",
  "setresp",
  "sha1hex",
  "status_reply",
]);

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

/**
 * The globals a script can read: `for k in pairs(_G)` in an EVAL, the union over redis-server
 * 7.0.15 and Valkey 8.0.1 (Valkey adds `getfenv`, `newproxy`, `os`, `server` and `setfenv`; the
 * allow list in Redis 7.4's script_lua.c has `os` too). Reading any other global fails
 * the script on every one of them ("Script attempted to access nonexistent global variable"):
 * Lua's `print`, `require`, `io`, `debug`, `dofile` are not there. Which server has `server` is
 * the command checks' business (LG236, LG239).
 */
export const SCRIPT_GLOBALS: ReadonlySet<string> = new Set([
  "ARGV",
  "KEYS",
  "_G",
  "_VERSION",
  "__redis__err__handler",
  "assert",
  "bit",
  "cjson",
  "cmsgpack",
  "collectgarbage",
  "coroutine",
  "error",
  "gcinfo",
  "getfenv",
  "getmetatable",
  "ipairs",
  "load",
  "loadstring",
  "math",
  "newproxy",
  "next",
  "os",
  "pairs",
  "pcall",
  "rawequal",
  "rawget",
  "rawset",
  "redis",
  "select",
  "server",
  "setfenv",
  "setmetatable",
  "string",
  "struct",
  "table",
  "tonumber",
  "tostring",
  "type",
  "unpack",
  "xpcall",
]);

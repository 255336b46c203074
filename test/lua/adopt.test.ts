import { describe, expect, it } from "vitest";
import { buildScripts } from "../../src/build.js";
import type { Diagnostic } from "../../src/model.js";

/** Builds one script at `lua/<relativePath>` in memory. */
function build(relativePath: string, text: string) {
  return buildScripts([{ path: `lua/${relativePath}`, relativePath, text, partial: false }]);
}

const shown = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);

/** A script laid out as BullMQ's are: a block comment documenting KEYS and ARGV, no --- tags. */
const DOCUMENTED = `--[[
  Moves a job from the active list to the delayed set.

  Input:
    KEYS[1] 'wait',
    KEYS[2] active key
    KEYS[3] job key

    ARGV[1] key prefix
    ARGV[2] the id of the job
]]
local jobId = ARGV[2]
redis.call("LREM", KEYS[2], -1, jobId)
redis.call("HSET", KEYS[3], "prefix", ARGV[1])
return redis.call("LLEN", KEYS[1])
`;

describe("BullMQ's name-N.lua: N keys, for a script with no annotations", () => {
  it("takes N as the key count and names the function without the -N", () => {
    const { scripts } = build("queue/moveJob-4.lua", "return redis.call('GET', KEYS[1])\n");
    expect(scripts[0]?.name).toBe("moveJob");
    expect(scripts[0]?.signature.keys.map((k) => k.name)).toEqual(["key1", "key2", "key3", "key4"]);
  });

  it("is an error (LG200 at the read) when the script reads a key past N", () => {
    const { scripts, diagnostics } = build(
      "moveJob-2.lua",
      "redis.call('DEL', KEYS[2])\nreturn redis.call('GET', KEYS[3])\n",
    );
    expect(scripts).toEqual([]);
    expect(shown(diagnostics.filter((d) => d.severity === "error"))).toEqual([
      "2:26 LG200: KEYS[3] is read but the file name (-2) says the script takes 2 keys",
    ]);
    expect(diagnostics.find((d) => d.code === "LG200")?.hint).toBe(
      "rename it to moveJob-3.lua, or declare the keys with ---@key",
    );
  });

  it("does not apply to a script annotated for luagen: ---@arg without ---@key means no keys, and the digits stay in the name", () => {
    const { scripts, diagnostics } = build(
      "bump-2.lua",
      "---@arg by integer\n---@return integer\nreturn tonumber(ARGV[1]) + 1\n",
    );
    expect(diagnostics).toEqual([]);
    expect(scripts[0]?.name).toBe("bump2");
    expect(scripts[0]?.signature.keys).toEqual([]);
  });

  it("does not apply when ---@key tags declare the keys", () => {
    const { scripts } = build(
      "bump-2.lua",
      "---@key counter\n---@return integer\nreturn redis.call('INCR', KEYS[1])\n",
    );
    expect(scripts[0]?.name).toBe("bump2");
    expect(scripts[0]?.signature.keys.map((k) => k.name)).toEqual(["counter"]);
  });
});

describe("names from a leading block comment that documents KEYS[n] and ARGV[n]", () => {
  it("names the inferred keys and arguments and keeps the rest of the line as their description", () => {
    const { scripts, diagnostics } = build("moveJob-3.lua", DOCUMENTED);
    const signature = scripts[0]?.signature;
    expect(scripts[0]?.name).toBe("moveJob");
    expect(signature?.keys.map((k) => [k.name, k.description])).toEqual([
      ["wait", ""],
      ["activeKey", "active key"],
      ["jobKey", "job key"],
    ]);
    expect(signature?.args.map((a) => [a.name, a.description])).toEqual([
      ["keyPrefix", "key prefix"],
      ["id", "the id of the job"],
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual(["LG205"]);
    expect(diagnostics[0]?.message).toContain(
      "inferred 3 keys (wait, activeKey, jobKey) and 2 arguments (keyPrefix: string | number, id: string | number)",
    );
  });

  it("works without a counted file name, and falls back to keyN for a name that cannot be one", () => {
    const text =
      "--[[\n  KEYS[1] 'wait'\n  KEYS[2] 'class'\n]]\nreturn redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')\n";
    const { scripts } = build("move.lua", text);
    expect(scripts[0]?.signature.keys.map((k) => k.name)).toEqual(["wait", "key2"]);
  });

  it("reads bee-queue's `key 1 -> bq:name:jobs` and `arg 1 -> job id`, a key named by its pattern's last part", () => {
    // As bee-queue's lib/lua/addDelayedJob.lua documents its keys and arguments.
    const text = `--[[
key 1 -> bq:name:id (job ID counter)
key 2 -> bq:name:jobs
key 3 -> bq:name:delayed
arg 1 -> job id
arg 2 -> job data
arg 3 -> ms timestamp ("now")
]]
local jobId = ARGV[1]
if jobId == "" then jobId = "" .. redis.call("incr", KEYS[1]) end
redis.call("hset", KEYS[2], jobId, ARGV[2])
redis.call("zadd", KEYS[3], tonumber(ARGV[3]), jobId)
return jobId
`;
    const signature = build("addDelayedJob.lua", text).scripts[0]?.signature;
    expect(signature?.keys.map((k) => [k.name, k.description])).toEqual([
      ["id", "bq:name:id (job ID counter)"],
      ["jobs", "bq:name:jobs"],
      ["delayed", "bq:name:delayed"],
    ]);
    expect(signature?.args.map((a) => [a.name, a.description])).toEqual([
      ["jobId", "job id"],
      ["jobData", "job data"],
      ["msTimestamp", 'ms timestamp ("now")'],
    ]);
  });

  it("reads `--` line comments as well as a block: the way most hand-written scripts document KEYS and ARGV", () => {
    const text = `-- Token bucket.
-- KEYS[1] = the bucket hash
-- ARGV[1] = refill rate (tokens per second)
-- ARGV[2] - capacity
-- ARGV[3]: now in milliseconds
-- Reads KEYS[1] and returns the tokens left.
local rate, capacity, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(redis.call("HGET", KEYS[1], "tokens") or capacity)
-- ARGV[4] = not read here: a comment after the first statement
return math.floor(math.min(capacity, tokens + rate * now))
`;
    const signature = build("bucket.lua", text).scripts[0]?.signature;
    expect(signature?.keys.map((k) => [k.name, k.description])).toEqual([["bucketHash", "the bucket hash"]]);
    expect(signature?.args.map((a) => a.name)).toEqual(["refillRate", "capacity", "now"]);
  });

  it("names a key written as a pattern in the KEYS[n] form too, and leaves prose about keys alone", () => {
    const text = `--[[
  KEYS[1] 'bull:{queue}:wait'
  KEYS[2] {q}:active, the active list
  The key 2 lock is taken first.
  arg one -> not an index
]]
return redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
`;
    const signature = build("move.lua", text).scripts[0]?.signature;
    expect(signature?.keys.map((k) => k.name)).toEqual(["wait", "active"]);
    expect(signature?.args).toEqual([]);
  });

  it("names what the comments leave unnamed after the local the script reads it into", () => {
    const text = `-- KEYS[2] = the hits counter
local key = "rate.limit:" .. KEYS[1]
local limit = tonumber(ARGV[1])
local window_ms, counter = ARGV[2], KEYS[2]
local new = ARGV[3]
if redis.call("INCR", key) > limit then return 0 end
local again = tonumber(ARGV[1])
redis.call("PEXPIRE", counter, window_ms)
return redis.call("SET", KEYS[2], new)
`;
    const signature = build("limit.lua", text).scripts[0]?.signature;
    // KEYS[1] is read into a key made from it, not as it is; \`new\` cannot be a parameter; the
    // comment's name for KEYS[2] stands; the first local of ARGV[1] names it.
    expect(signature?.keys.map((k) => k.name)).toEqual(["key1", "hitsCounter"]);
    expect(signature?.args.map((a) => a.name)).toEqual(["limit", "windowMs", "arg3"]);
  });

  it("names an entry read with a default after `or` by its local too", () => {
    const text = `local tokens_key = KEYS[1]
local rate = tonumber(ARGV[1])
local now = tonumber(ARGV[2]) or redis.call('TIME')[1]
local requested = ARGV[3] or 1
local fallback = 0 or ARGV[4]
redis.call("SET", tokens_key, rate + now + requested + fallback)
return 1
`;
    const signature = build("limiter.lua", text).scripts[0]?.signature;
    // Only the left of \`or\` is the entry as given: \`0 or ARGV[4]\` is always 0.
    expect(signature?.args.map((a) => a.name)).toEqual(["rate", "now", "requested", "arg4"]);
  });

  it("reads only the script's own leading comment, not a comment after its first statement", () => {
    const text = "local x = 1\n--[[ KEYS[1] 'late' ]]\nreturn redis.call('GET', KEYS[1])\n";
    expect(build("get.lua", text).scripts[0]?.signature.keys.map((k) => k.name)).toEqual(["key1"]);
  });
});

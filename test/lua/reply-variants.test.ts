import { describe, expect, test } from "vitest";
import { readAnnotations } from "../../src/lua/annotations.js";
import { checkScript } from "../../src/lua/check.js";
import { lookupCommand } from "../../src/lua/commands.js";
import { replyText } from "../../src/lua/lua-types.js";
import { parseLua } from "../../src/lua/parse.js";
import { selectReply } from "../../src/lua/reply-variants.js";
import { shippedReplies } from "../../src/lua/return-check.js";
import { source } from "./stages.js";

/** The script checked against the shipped command table. */
function run(text: string) {
  const file = source(text);
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) throw new Error(parsed.diagnostics[0]?.message);
  return checkScript(file, parsed.chunk, readAnnotations(file, parsed.chunk).signature, undefined, shippedReplies);
}

const returnCodes = (text: string) =>
  run(text)
    .diagnostics.filter((d) => d.code.startsWith("LG22"))
    .map((d) => `${d.severity} ${d.code}`);

const inferred = (text: string) => replyText(run(text).signature.returns.type);

describe("a reply shape the call's arguments select", () => {
  test.each([
    ["LPOP key", "return redis.call('LPOP', KEYS[1])", "nil|string"],
    ["LPOP key count", "return redis.call('LPOP', KEYS[1], 2)", "nil|string[]"],
    [
      "LPOP key <computed count>: the count's presence decides",
      "return redis.call('LPOP', KEYS[1], ARGV[1])",
      "nil|string[]",
    ],
    ["SPOP key count: never nil", "return redis.call('SPOP', KEYS[1], 3)", "string[]"],
    ["HRANDFIELD key", "return redis.call('HRANDFIELD', KEYS[1])", "nil|string"],
    ["ZRANK key member", "return redis.call('ZRANK', KEYS[1], ARGV[1])", "nil|integer"],
    [
      "ZRANK key member WITHSCORE",
      "return redis.call('ZRANK', KEYS[1], ARGV[1], 'withscore')",
      "nil|[integer, string]",
    ],
    ["SET key value", "return redis.call('SET', KEYS[1], ARGV[1])", "status"],
    ["SET key value NX EX 10", "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', 10)", "nil|status"],
    [
      "SET key value EX <computed> GET",
      "return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'GET')",
      "nil|string",
    ],
    ["ZADD key score member", "return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])", "integer"],
    ["ZADD key INCR score member", "return redis.call('ZADD', KEYS[1], 'INCR', ARGV[1], ARGV[2])", "nil|string"],
    ["LPOS key element COUNT n", "return redis.call('LPOS', KEYS[1], ARGV[1], 'COUNT', 0)", "integer[]"],
    ["LPOS key element RANK <computed>", "return redis.call('LPOS', KEYS[1], ARGV[1], 'RANK', ARGV[2])", "nil|integer"],
    ["through a local", "local v = redis.call('LPOP', KEYS[1], 5)\nreturn v", "nil|string[]"],
  ])("%s → %s", (_, script, type) => {
    expect(inferred(`---@key k\n---@arg a\n---@arg b\n${script}`)).toBe(type);
  });

  test("a declaration exactly right for the call is no error; one no reply matches stays one", () => {
    const lpop = "---@key k\n---@return string[]|nil\nreturn redis.call('LPOP', KEYS[1], 2)";
    expect(returnCodes(lpop)).toEqual([]);
    expect(returnCodes("---@key k\n---@return integer\nreturn redis.call('LPOP', KEYS[1], 2)")).toEqual([
      "error LG220",
    ]);
    expect(returnCodes("---@key k\n---@return string[]\nreturn redis.call('SPOP', KEYS[1], 3)")).toEqual([]);
    const rank =
      "---@key k\n---@arg m\n---@return [integer, string]|nil\nreturn redis.call('ZRANK', KEYS[1], ARGV[1], 'WITHSCORE')";
    expect(returnCodes(rank)).toEqual([]);
    expect(returnCodes("---@key k\n---@arg v\n---@return string\nreturn redis.call('SET', KEYS[1], ARGV[1])")).toEqual(
      [],
    );
  });

  test("arguments that are not literals: a warning naming the ones that would make the declaration wrong", () => {
    const script =
      "---@key k\n---@arg m\n---@arg opt\n---@return integer|nil\nreturn redis.call('ZRANK', KEYS[1], ARGV[1], ARGV[2])";
    const [warning, ...rest] = run(script).diagnostics.filter((d) => d.code.startsWith("LG22"));
    expect(rest).toEqual([]);
    expect(warning?.severity).toBe("warning");
    expect(warning?.code).toBe("LG223");
    expect(warning?.message).toBe(
      "this return replies nil|[integer, string] for ZRANK with WITHSCORE, which ---@return integer|nil does not declare " +
        "(ZRANK replies nil|[integer, string] with WITHSCORE, nil|integer without WITHSCORE)",
    );
    // Nothing the call can reply matches: an error, as before.
    const never = script.replace("integer|nil", "string[]");
    expect(returnCodes(never)).toEqual(["error LG220"]);
    // A call whose words may expand (unpack) leaves the count open too.
    const popAll = "---@key k\n---@return string|nil\nreturn redis.call('LPOP', KEYS[1], unpack(ARGV))";
    expect(returnCodes(popAll)).toEqual(["warning LG223"]);
  });

  test("the explanation names the shape it picked and the arguments that picked it", () => {
    const { returns } = run("---@key k\nreturn redis.call('LPOP', KEYS[1], 2)").signature;
    expect(returns.explanation).toEqual(["line 2: nil|string[] (LPOP with a count replies nil|string[])"]);
  });

  test("every rule picks shapes the shipped table has, so none silently falls back to the union", () => {
    const calls: [string, string[]][] = [
      ["LPOP", ["K", "2"]],
      ["SPOP", ["K"]],
      ["SRANDMEMBER", ["K", "2"]],
      ["ZRANDMEMBER", ["K", "2"]],
      ["HRANDFIELD", ["K"]],
      ["ZREVRANK", ["K", "M", "WITHSCORE"]],
      ["SET", ["K", "V", "GET"]],
      ["SET", ["K", "V", "XX"]],
      ["ZADD", ["K", "INCR", "1", "M"]],
      ["LPOS", ["K", "E", "COUNT", "1"]],
    ];
    for (const [name, words] of calls) {
      const selected = selectReply(name, lookupCommand(name)!.reply!, { words, exact: true });
      expect(selected?.when, `${name} ${words.join(" ")}`).toBeDefined();
    }
  });
});

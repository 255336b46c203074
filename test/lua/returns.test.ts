import { describe, expect, test } from "vitest";
import { readAnnotations } from "../../src/lua/annotations.js";
import { checkScript } from "../../src/lua/check.js";
import { replyText } from "../../src/lua/lua-types.js";
import { parseLua } from "../../src/lua/parse.js";
import type { Diagnostic, Signature } from "../../src/model.js";
import { testLookup } from "./reply-table.js";
import { source } from "./stages.js";

function run(text: string): { signature: Signature; diagnostics: Diagnostic[] } {
  const file = source(text);
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) throw new Error(parsed.diagnostics[0]?.message);
  return checkScript(file, parsed.chunk, readAnnotations(file, parsed.chunk).signature, undefined, testLookup);
}

/** The return type luagen settles on for an unannotated script: `unknown` when it cannot tell. */
function inferred(text: string): string {
  const { returns } = run(text).signature;
  return returns.origin === "inferred" ? replyText(returns.type) : "unknown";
}

/** `line:col CODE` of the return diagnostics. */
function returnProblems(text: string): string[] {
  return run(text)
    .diagnostics.filter((d) => d.code === "LG220" || d.code === "LG221")
    .map((d) => `${d.line}:${d.column} ${d.code}`);
}

describe("the script's reply, converted as Redis does (RESP2)", () => {
  test.each([
    ["a number → integer", "return 42", "integer"],
    ["a fraction → integer (truncated)", "return 3.7", "integer"],
    ["a string → bulk string", "return 'x'", "string"],
    ["true → 1", "return true", "integer"],
    ["false → nil", "return false", "nil"],
    ["nil → nil", "return nil", "nil"],
    ["a bare return → nil", "return", "nil"],
    ["no return at all → nil", "redis.call('DEL', KEYS[1])", "nil"],
    ["{ok=...} → status", "return { ok = 'DONE' }", "status"],
    ["redis.status_reply → status", "return redis.status_reply('DONE')", "status"],
    ["a table constructor → tuple", "return { 1, 'a', false }", "[integer, string, nil]"],
    ["an empty table → empty array", "return {}", "[]"],
    ["a table cut at its first nil", "return { 1, nil, 'a' }", "[integer]"],
    [
      "a table with an element that may be nil: both lengths",
      "return { 1, tonumber(ARGV[1]) }",
      "[integer]|[integer, integer]",
    ],
    ["only the first of several values", "return 1, 'two'", "integer"],
  ])("%s", (_, script, expected) => {
    expect(inferred(script)).toBe(expected);
  });

  test("{err=...} and redis.error_reply reject the call: they are not a reply type", () => {
    expect(inferred("if ARGV[1] then return redis.error_reply('bad') end\nreturn 1")).toBe("integer");
    expect(inferred("if ARGV[1] then return { err = 'bad' } end\nreturn 'x'")).toBe("string");
    expect(inferred("error('always')")).toBe("unknown");
  });
});

describe("command replies, as a script sees them", () => {
  test.each([
    ["integer → number → integer", "return redis.call('INCR', KEYS[1])", "integer"],
    ["bulk or nil → string or false → string|nil", "return redis.call('GET', KEYS[1])", "string|nil"],
    ["status or nil → {ok=} or false → status|nil", "return redis.call('SET', KEYS[1], 'v', 'NX')", "status|nil"],
    ["array → table → array", "return redis.call('LRANGE', KEYS[1], 0, -1)", "string[]"],
    ["nil elements stay nil (false inside the table)", "return redis.call('MGET', KEYS[1], KEYS[2])", "(string|nil)[]"],
    ["the command name in any case", "return redis.call('incr', KEYS[1])", "integer"],
    ["through an alias", "local rcall = redis.call\nreturn rcall('INCR', KEYS[1])", "integer"],
    ["redis.pcall: its error table is not a reply", "return redis.pcall('INCR', KEYS[1])", "integer"],
    ["server.call, Valkey's name for it", "return server.call('GET', KEYS[1])", "string|nil"],
    ["server.pcall through an alias", "local call = server.pcall\nreturn call('INCR', KEYS[1])", "integer"],
    [
      "a local named server is not the API",
      "local server = { call = function() return 'x' end }\nreturn server.call('INCR')",
      "unknown",
    ],
  ])("%s", (_, script, expected) => {
    expect(inferred(script)).toBe(expected);
  });

  test("a subcommand's reply, when its container has none", () => {
    expect(inferred("return redis.call('OBJECT', 'ENCODING', KEYS[1])")).toBe("string|nil");
  });

  test("without an injected lookup, the command table luagen ships answers", () => {
    const file = source("return redis.call('INCR', KEYS[1])");
    const parsed = parseLua(file);
    const { signature } = checkScript(file, parsed.chunk!, undefined);
    expect(replyText(signature.returns.type)).toBe("integer");
  });

  test("a command not in the table, or a computed name, is unknown", () => {
    expect(inferred("return redis.call('OBJECT', 'FREQ', KEYS[1])")).toBe("unknown");
    expect(inferred("return redis.call(ARGV[1], KEYS[1])")).toBe("unknown");
  });
});

describe("a script that leaves RESP2 (redis.setresp)", () => {
  test.each([
    ["redis.setresp(3)", "redis.setresp(3)\nreturn redis.call('INCR', KEYS[1])"],
    ["a computed protocol", "redis.setresp(tonumber(ARGV[1]))\nreturn 1"],
    ["inside a helper", "local function v3() redis.setresp(3) end\nv3()\nreturn redis.call('GET', KEYS[1])"],
    ["through an alias", "local set = redis.setresp\nset(3)\nreturn 'x'"],
    ["server.setresp(3), Valkey's name for it", "server.setresp(3)\nreturn server.call('INCR', KEYS[1])"],
  ])("%s: every return is unknown, never RESP2's shape", (_, script) => {
    expect(inferred(script)).toBe("unknown");
  });

  test("no LG220 from RESP2's rules once the script leaves RESP2", () => {
    const get = "---@key k\n---@return integer|nil\nreturn redis.call('GET', KEYS[1])";
    expect(returnProblems(get)).toEqual(["3:1 LG220"]);
    expect(returnProblems(get.replace(/^return/m, "redis.setresp(3)\nreturn"))).toEqual([]);
  });

  test("redis.setresp(2) stays RESP2", () => {
    expect(inferred("redis.setresp(2)\nreturn redis.call('INCR', KEYS[1])")).toBe("integer");
  });
});

describe("expressions and locals", () => {
  test.each([
    ["tonumber → number|nil", "return tonumber(ARGV[1])", "integer|nil"],
    ["tostring → string", "return tostring(ARGV[1])", "string"],
    ["# → number", "return #KEYS", "integer"],
    ["arithmetic → number", "return ARGV[1] * 2", "integer"],
    [".. → string", "return 'a' .. ARGV[1]", "string"],
    ["cjson.encode → string", "return cjson.encode({ 1 })", "string"],
    ["x or default keeps x's truthy part", "return tonumber(ARGV[1]) or 0", "integer"],
    ["a local assigned once", "local n = redis.call('INCR', KEYS[1])\nreturn n", "integer"],
    ["a reassignment that keeps the type", "local n = 0\nfor i = 1, 3 do n = n + i end\nreturn n", "integer"],
    ["a declared argument is a string", "---@key k\n---@arg a string\n---@arg b? string\nreturn ARGV[1]", "string"],
    [
      "a helper function's returns",
      "local function f(x)\n  if x then return 1 end\n  return 2\nend\nreturn f(ARGV[1])",
      "integer",
    ],
    [
      "a helper that can end without a return",
      "local function f(x)\n  if x then return 'a' end\nend\nreturn f(ARGV[1])",
      "string|nil",
    ],
    [
      "a table ending in a call that gives one value",
      "return { 'n', redis.call('INCR', KEYS[1]) }",
      "[string, integer]",
    ],
    [
      "a table passed to a read-only built-in keeps its type",
      "local t = { 1, 2 }\nlocal s = table.concat(t)\nreturn t",
      "[integer, integer]",
    ],
  ])("%s", (_, script, expected) => {
    expect(inferred(script)).toBe(expected);
  });

  test.each([
    ["a reassignment that changes the type", "local v = redis.call('GET', KEYS[1])\nif not v then v = 0 end\nreturn v"],
    ["a local declared with no value and assigned later", "local v\nif ARGV[1] then v = 1 else v = 2 end\nreturn v"],
    ["a table changed after it was built", "local t = {}\nt[1] = 'a'\nreturn t"],
    ["a table passed to a function that may change it", "local t = { 1 }\ntable.insert(t, 'x')\nreturn t"],
    ["a table aliased", "local t = { 1 }\nlocal u = t\nu[2] = 'x'\nreturn t"],
    ["a function parameter", "local function f(x) return x end\nreturn f(1)"],
    ["an optional argument", "---@key k\n---@arg a? string\nreturn ARGV[1]"],
    ["a global luagen does not know", "return os"],
    ["a recursive function", "local function f(n) if n > 0 then return f(n - 1) end return 0 end\nreturn f(3)"],
    ["a call of a table field", "local m = {}\nfunction m.f() return 1 end\nreturn m.f()"],
    ["a table ending in a call that may give several values", "return { 1, unpack(ARGV) }"],
    ["one unknown return among known ones", "if ARGV[1] then return cjson.decode(ARGV[1]) end\nreturn 1"],
  ])("unknown: %s", (_, script) => {
    expect(inferred(script)).toBe("unknown");
  });

  test("a shadowed built-in is not the built-in", () => {
    expect(inferred("local tonumber = function(x) return x end\nreturn tonumber(ARGV[1])")).toBe("unknown");
  });

  test("a nested function's returns are not the script's", () => {
    expect(inferred("local function f() return 'a' end\nredis.call('DEL', KEYS[1])\nreturn 1")).toBe("integer");
  });
});

describe("narrowing follows the tests control passed", () => {
  const get = "local v = redis.call('GET', KEYS[1])\n";
  test.each([
    ["inside the branch that tested it", `${get}if v then return v end\nreturn 1`, "string|integer"],
    ["after a branch that returns when it is false", `${get}if not v then return 0 end\nreturn v`, "integer|string"],
    ["after `== false` returns", `${get}if v == false then return 0 end\nreturn v`, "integer|string"],
    ["in `v and v or ...`", `${get}return v and v or 0`, "string|integer"],
  ])("narrowed: %s", (_, script, expected) => {
    expect(inferred(script)).toBe(expected);
  });

  test.each([
    ["tested in a branch that falls through", `${get}if v then redis.call('DEL', KEYS[1]) end\nreturn v`, "string|nil"],
    [
      "`== nil` (a command gives false, not nil)",
      `${get}if v == nil then return 0 end\nreturn v`,
      "integer|string|nil",
    ],
    [
      "reassigned after the test",
      `${get}if not v then return 0 end\nv = redis.call('GET', KEYS[1])\nreturn v`,
      "integer|string|nil",
    ],
    [
      "assigned by a function",
      `${get}local function f() v = redis.call('GET', KEYS[1]) end\nif not v then return 0 end\nf()\nreturn v`,
      "integer|string|nil",
    ],
  ])("kept: %s", (_, script, expected) => {
    expect(inferred(script)).toBe(expected);
  });
});

describe("---@return checked against every return", () => {
  test("GET's reply is not an integer: an error at that return, naming both types and the origin", () => {
    const { diagnostics } = run("---@key k\n---@return integer\nlocal v = redis.call('GET', KEYS[1])\nreturn v\n");
    expect(diagnostics).toMatchObject([
      {
        code: "LG220",
        severity: "error",
        line: 4,
        column: 1,
        message: "this return replies string|nil (v (line 3): GET replies string|nil), but ---@return declares integer",
        hint: expect.stringContaining("Lua false (a command's nil reply) replies nil"),
      },
    ]);
  });

  test("each return is checked, through branches and loops", () => {
    const script =
      "---@return integer\nfor i = 1, 3 do\n  if ARGV[i] then return 'x' end\nend\nwhile true do return false end";
    expect(returnProblems(script)).toEqual(["3:19 LG220", "5:15 LG220"]);
  });

  test("unknown never errors", () => {
    expect(returnProblems("---@return integer\nreturn cjson.decode(ARGV[1])")).toEqual([]);
    expect(returnProblems("---@return [integer, string]\nreturn redis.call('OBJECT', 'FREQ', KEYS[1])")).toEqual([]);
  });

  test("a value narrowed by a test before the return is not reported", () => {
    const script =
      "---@key k\n---@return string\nlocal v = redis.call('GET', KEYS[1])\nif v then return v end\nreturn ''";
    expect(returnProblems(script)).toEqual([]);
  });

  test("a status fits string and a string fits status (both are strings to the caller)", () => {
    expect(returnProblems("---@return string\nreturn redis.call('PING')")).toEqual([]);
    expect(returnProblems("---@return status\nreturn 'OK'")).toEqual([]);
  });

  test("an array fits a tuple its elements fit; a tuple must have the declared length", () => {
    expect(
      returnProblems("---@key k\n---@return [string, string]\nreturn redis.call('LRANGE', KEYS[1], 0, 1)"),
    ).toEqual([]);
    expect(returnProblems("---@return [integer, string]\nreturn { 1 }")).toEqual(["2:1 LG220"]);
    expect(returnProblems("---@return integer[]\nreturn { 1, 'x' }")).toEqual(["2:1 LG220"]);
  });

  test("a fraction is truncated: LG221 with the rule in the hint", () => {
    const [d] = run("---@return integer\nreturn 2.5").diagnostics;
    expect(d).toMatchObject({ code: "LG221", message: "this return gives 2.5, which Redis replies as the integer 2" });
    expect(d.hint).toContain("truncating");
  });

  test("a declared number: whole returns fit, a certain fraction is LG221, a possible one LG222", () => {
    const codes = (script: string) => run(script).diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes("---@key k\n---@return number\nreturn redis.call('INCR', KEYS[1]) * 2")).toEqual([]);
    expect(codes("---@return number\nreturn 7 / 2")).toEqual(["error LG221"]);
    expect(codes("---@key k\n---@return number\nreturn redis.call('INCR', KEYS[1]) / 2")).toEqual(["warning LG222"]);
    // integer declares the truncated value: no warning.
    expect(codes("---@key k\n---@return integer\nreturn redis.call('INCR', KEYS[1]) / 2")).toEqual([]);
    expect(codes("---@key k\n---@return number\nreturn redis.call('GET', KEYS[1])")).toEqual(["error LG220"]);
  });

  test("without ---@return, what Redis changes is a warning (LG222), and the inferred type shows the reply", () => {
    const { signature, diagnostics } = run("return { 1, nil, 3 }");
    expect(diagnostics.filter((d) => d.code.startsWith("LG22")).map((d) => `${d.severity} ${d.code}`)).toEqual([
      "warning LG222",
    ]);
    expect(replyText(signature.returns.type)).toBe("[integer]");
  });

  test("a nil before the end of a table: LG221, reported once", () => {
    const { diagnostics } = run("---@return [integer, nil, string]\nreturn { 1, nil, 'x' }");
    expect(diagnostics.map((d) => d.code)).toEqual(["LG221"]);
    expect(diagnostics[0].message).toBe(
      "this table has nil at position 2: Redis cuts an array reply at its first nil, so the value after it is lost",
    );
    expect(diagnostics[0].hint).toContain("use false");
  });

  test("the explanation lists every return and the end of the script", () => {
    const { returns } = run(
      "if ARGV[1] then return redis.call('INCR', KEYS[1]) end\nredis.call('DEL', KEYS[1])",
    ).signature;
    expect(returns.explanation).toEqual([
      "line 1: integer (INCR replies integer)",
      "end of script: nil (it can end without a return)",
    ]);
    expect(replyText(returns.type)).toBe("integer|nil");
  });
});

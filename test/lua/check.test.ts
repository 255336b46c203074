import { describe, expect, test } from "vitest";
import { fixture, runLuaStages, source } from "./stages.js";

/** `line:col CODE` of every diagnostic the stages give for an inline script. */
function codes(text: string): string[] {
  return runLuaStages(source(text)).diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
}

describe("inferred signatures", () => {
  test("keys and arguments up to the highest literal index, typed string | number", () => {
    const { signature, diagnostics } = runLuaStages(fixture("lg205-unannotated"));
    expect(signature).toEqual({
      summary: "",
      keys: [{ name: "key1", description: "", rest: false, line: 1, column: 1, nameColumn: 1 }],
      args: [
        {
          name: "arg1",
          description: "",
          type: { kinds: ["string", "number"], literals: [] },
          optional: false,
          rest: false,
          line: 1,
          column: 1,
          nameColumn: 1,
        },
        {
          name: "arg2",
          description: "",
          type: { kinds: ["string", "number"], literals: [] },
          optional: false,
          rest: false,
          line: 1,
          column: 1,
          nameColumn: 1,
        },
      ],
      returns: { type: { kind: "integer" }, description: "", origin: "inferred", explanation: expect.any(Array) },
      inferred: true,
    });
    expect(diagnostics).toMatchObject([
      { code: "LG205", severity: "warning", line: 1, column: 1, hint: expect.stringContaining("---@key name") },
    ]);
  });

  test("a script that reads neither KEYS nor ARGV", () => {
    const { signature, diagnostics } = runLuaStages(source("return redis.call('PING')\n"));
    expect(signature).toMatchObject({ keys: [], args: [], inferred: true });
    expect(diagnostics[0].message).toBe("no annotations: inferred 0 keys and 0 arguments, returning status|string");
  });

  test("a computed index adds advice to declare a rest parameter", () => {
    const { diagnostics } = runLuaStages(source("for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end\n"));
    expect(diagnostics[0].hint).toContain(
      "KEYS is read with a computed index, by its length or whole, so it takes any number: declare ---@key ...name",
    );
  });
});

/** The inferred parameters of an unannotated script, as the generated signature lists them. */
function inferred(text: string): { keys: string[]; args: string[]; message: string | undefined } {
  const { signature, diagnostics } = runLuaStages(source(text));
  const shown = (params: readonly { name: string; rest: boolean }[] = []) =>
    params.map((p) => (p.rest ? `...${p.name}` : p.name));
  return {
    keys: shown(signature?.keys),
    args: shown(signature?.args),
    message: diagnostics.find((d) => d.code === "LG205")?.message,
  };
}

// Scripts written for other loaders take as many keys or arguments as they are given; the generated
// function must be callable the way the script is used (issue 27).
describe("inferred rest parameters: a table read by a computed index, by length or whole", () => {
  test("a loop over #KEYS: a rest key, and the warning says so", () => {
    const result = inferred("for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end\nreturn #KEYS\n");
    expect(result.keys).toEqual(["...keys"]);
    expect(result.args).toEqual([]);
    expect(result.message).toBe("no annotations: inferred 1 key (...keys) and 0 arguments, returning integer");
  });

  test("ipairs(ARGV) after a literal ARGV[1]: the fixed argument first, then the rest", () => {
    const text =
      "local ttl = ARGV[1]\nfor i, v in ipairs(ARGV) do\n  if i > 1 then redis.call('SADD', KEYS[1], v) end\nend\nreturn 1\n";
    expect(inferred(text)).toMatchObject({ keys: ["key1"], args: ["arg1", "...args"] });
  });

  test("unpack(KEYS) and unpack(ARGV)", () => {
    expect(inferred("return redis.call('DEL', unpack(KEYS))\n")).toMatchObject({ keys: ["...keys"], args: [] });
    expect(inferred("return redis.call('RPUSH', KEYS[1], unpack(ARGV))\n")).toMatchObject({
      keys: ["key1"],
      args: ["...args"],
    });
  });

  test("a variable index, and table.getn", () => {
    expect(inferred("local i = 2\nreturn KEYS[i]\n").keys).toEqual(["...keys"]);
    expect(inferred("return table.getn(ARGV)\n").args).toEqual(["...args"]);
  });

  test("literal indices only: fixed parameters, no rest", () => {
    expect(inferred("return redis.call('SET', KEYS[2], ARGV[1])\n")).toMatchObject({
      keys: ["key1", "key2"],
      args: ["arg1"],
    });
  });
});

describe("KEYS and ARGV past what is declared", () => {
  test("no keys or arguments declared at all", () => {
    const { diagnostics } = runLuaStages(source("---@return integer\nreturn #ARGV[1] + #KEYS[2]\n"));
    expect(diagnostics.map((d) => d.message)).toEqual([
      "KEYS[2] is read but no keys are declared",
      "ARGV[1] is read but no arguments are declared",
    ]);
  });

  test("each read is reported, with a hint naming the rest form", () => {
    const { diagnostics } = runLuaStages(source("---@key a\nreturn { KEYS[1], KEYS[2], KEYS[2] }\n"));
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["2:19 LG200", "2:28 LG200"]);
    expect(diagnostics[0].hint).toBe("declare it with ---@key, or declare a rest key (---@key ...name)");
  });

  test("a rest parameter accepts any index", () => {
    expect(
      codes("---@key first\n---@key ...others\n---@arg ...values string\nreturn { KEYS[1], KEYS[9], ARGV[7] }\n"),
    ).toEqual([]);
  });

  test("KEYS[1.0] is a literal index; KEYS[0], KEYS[i] and KEYS['x'] are not", () => {
    expect(codes("---@return integer\nreturn KEYS[1.0]\n")).toEqual(["2:8 LG200"]);
    expect(codes("---@return string[]\nlocal i = 1\nreturn { KEYS[0], KEYS[i], KEYS['x'] }\n")).toEqual([]);
  });

  test("a local named KEYS shadows Redis's table", () => {
    expect(codes("---@return integer\nlocal KEYS = { 'a' }\nreturn KEYS[5]\n")).toEqual([]);
    expect(codes("---@return integer\nlocal function f(ARGV) return ARGV[3] end\nreturn f({})\n")).toEqual([]);
  });
});

describe("declared but never read", () => {
  test("any use of the table other than a literal index counts as reading every entry", () => {
    for (const use of ["#KEYS", "unpack(KEYS)", "KEYS[tonumber(ARGV[1])]", "ipairs(KEYS)", "f(KEYS)"]) {
      expect(
        codes(`---@key a\n---@key b\n---@arg n integer\nlocal f = tostring\nreturn ${use}, ARGV[1]\n`),
        use,
      ).toEqual([]);
    }
  });

  test("a field that happens to be called KEYS is not Redis's table", () => {
    expect(codes("---@key a\nlocal t = { KEYS = 1 }\nreturn t.KEYS\n")).toEqual(["1:4 LG202"]);
  });

  test("rest parameters may be empty, so they are never unread", () => {
    expect(codes("---@key ...all\n---@arg ...values string\nreturn 1\n")).toEqual([]);
  });

  test("an optional argument that is never read is reported too", () => {
    expect(codes("---@arg a string\n---@arg b? string\nreturn ARGV[1]\n")).toEqual(["2:4 LG203"]);
  });
});

describe("writes to undeclared globals", () => {
  test("locals, forward-declared locals, fields and indexes are fine", () => {
    const script = [
      "---@return integer",
      "local a, b",
      "a, b = 1, 2",
      "local t = {}",
      "t.x, t[1] = a, b",
      "local function f() return 1 end",
      "local g",
      "function g() return 2 end",
      "function t.h() return 3 end",
      "function t:m() return 4 end",
      "for i = 1, 2 do local c = i end",
      "return f() + g()",
    ].join("\n");
    expect(codes(script)).toEqual([]);
  });

  test("each global target is reported where it is written, with a fix", () => {
    const { diagnostics } = runLuaStages(
      source("---@return integer\nlocal a\na, b = 1, 2\nif a then c = 3 end\nreturn a\n"),
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.hint}`)).toEqual([
      "3:4 LG204 declare it local: local b",
      "4:11 LG204 declare it local: local c",
    ]);
  });

  test("a global function is reported at its name", () => {
    const { diagnostics } = runLuaStages(
      source("---@return integer\nfunction add(x, y) return x + y end\nreturn add(1, 2)\n"),
    );
    expect(diagnostics).toMatchObject([
      { code: "LG204", line: 2, column: 10, hint: "declare it local: local function add" },
    ]);
  });

  test("global writes are checked in unannotated scripts too", () => {
    expect(codes("x = 1\nreturn x\n")).toEqual(["1:1 LG204", "1:1 LG205"]);
  });
});

describe("reads of globals no server defines (LG206)", () => {
  test("a helper or local the script expects from elsewhere: once per name, at its first read", () => {
    const script = [
      "---@return integer",
      "local capacity = process_tick(now, false)",
      "if capacity > 0 then return process_tick(now, true) end",
      "return 0",
    ].join("\n");
    const { diagnostics } = runLuaStages(source(script));
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message} | ${d.hint}`)).toEqual([
      `2:18 LG206 'process_tick' is not defined: Redis fails the script when it reads it ("Script attempted to access nonexistent global variable 'process_tick'") | define it in this script (local process_tick = ...), or ---@include the file that does`,
      `2:31 LG206 'now' is not defined: Redis fails the script when it reads it ("Script attempted to access nonexistent global variable 'now'") | define it in this script (local now = ...), or ---@include the file that does`,
    ]);
  });

  test("a misspelt builtin gets a did-you-mean; Lua's print, require and io are not in Redis", () => {
    const hints = (text: string) => runLuaStages(source(text)).diagnostics.map((d) => `${d.code} ${d.hint}`);
    expect(hints("---@return integer\nreturn tonumbr('1')\n")).toEqual(["LG206 did you mean tonumber?"]);
    expect(codes("---@return nil\nprint(1)\nlocal json = require('cjson')\nio.write('x')\n")).toEqual([
      "2:1 LG206",
      "3:14 LG206",
      "4:1 LG206",
    ]);
  });

  test("what the server defines, locals, fields and a local declared after its use", () => {
    const script = [
      "---@key k",
      "---@return string",
      "local t = { print = 1, now = 2 }",
      "local started = os.clock() + t.now + #KEYS + #ARGV",
      "local ok, decoded = pcall(cjson.decode, redis.call('GET', KEYS[1]))",
      "local function loop(n) if n > 0 then return loop(n - 1) end return tostring(n) end",
      "return string.format('%s %s %s', bit.band(1, 1), cmsgpack.pack(struct.pack('>I', 1)), loop(started))",
    ].join("\n");
    expect(codes(script)).toEqual([]);
    // In Lua, `local f = function() f() end` calls the global f: the local is not in scope yet.
    expect(codes("---@return nil\nlocal f = function(n) return f(n) end\nreturn f(1)\n")).toEqual(["2:30 LG206"]);
  });

  test("a local declared after the function that reads it: the hint names the local", () => {
    const script = [
      "---@return integer",
      "local function total(n) return n + step(n) end",
      "local function step(n) return 1 end",
      "return total(1)",
    ].join("\n");
    const { diagnostics } = runLuaStages(source(script));
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} | ${d.hint}`)).toEqual([
      "2:36 LG206 | the local step of line 3 is not in scope here: declare it before (local step), then assign it",
    ]);
    // Declared first and assigned later, as the hint says: no error.
    const fixed =
      "---@return integer\nlocal step\nlocal function total(n) return n + step(n) end\nstep = function(n) return 1 end\nreturn total(1)\n";
    expect(codes(fixed)).toEqual([]);
  });

  test("a fallback after `or` on a global the server has never runs there: no error", () => {
    const script = [
      "---@return string",
      "local json = cjson or require('cjson')",
      "local b = bit or bit32",
      "local pack = (cmsgpack or msgpack) or require('msgpack')",
      "return json.encode({ b.band(1, 1), pack.pack(1) })",
    ].join("\n");
    expect(codes(script)).toEqual([]);
    // A fallback after something that may be nil still runs, and fails there.
    expect(
      codes("---@arg a string\n---@return nil\nlocal json = ARGV[1] or require('cjson')\nlocal b = bit32 or bit\n"),
    ).toEqual(["3:25 LG206", "4:11 LG206"]);
  });

  test("are checked in unannotated scripts too", () => {
    expect(codes("return helper(KEYS[1])\n")).toEqual(["1:8 LG206", "1:1 LG205"]);
  });
});

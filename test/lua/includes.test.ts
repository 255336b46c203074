import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildScripts } from "../../src/build.js";
import { expandIncludes, includeTarget } from "../../src/lua/includes.js";
import type { SourceFile } from "../../src/model.js";
import { originOf } from "../../src/origins.js";
import { isPartial } from "../../src/scan.js";

/** A project in memory: path → text. Every file is given to the stages; `_` files and `includes/` are partials. */
function project(files: Record<string, string>): { files: SourceFile[]; library: Map<string, string> } {
  const list = Object.entries(files).map(([path, text]) => ({
    path,
    relativePath: path.replace(/^lua\//, ""),
    text,
    partial: false,
  }));
  for (const file of list) file.partial = isPartial(file.relativePath);
  return { files: list, library: new Map(Object.entries(files)) };
}

function expand(files: Record<string, string>, script = Object.keys(files)[0]) {
  const { files: list, library } = project(files);
  return expandIncludes(
    list.find((f) => f.path === script)!,
    library,
  );
}

/** Every line of the expanded source, mapped through the origins, is that file's own line, word for word. */
function expectOriginsExact(
  files: Record<string, string>,
  expanded: { source: string; origins: { line: number; file: string; fileLine: number }[] },
) {
  expanded.source.split("\n").forEach((text, i) => {
    const origin = originOf(expanded.origins, i + 1);
    expect(origin, `line ${i + 1}`).toBeDefined();
    expect(
      files[origin!.file].replace(/\r\n/g, "\n").split("\n")[origin!.line - 1],
      `line ${i + 1} from ${origin!.file}:${origin!.line}`,
    ).toBe(text);
  });
}

describe("expandIncludes", () => {
  const files = {
    "lua/a.lua": "---@key k\n---@include \"lib/_b.lua\"\nlocal x = b()\n--- @include 'includes/c'\nreturn x\n",
    "lua/lib/_b.lua": '---@include "../includes/c"\nlocal function b() return c() end\n',
    "lua/includes/c.lua": "local function c()\n  return 1\nend\n",
  };

  it("replaces each include line with the included file's text, depth first, each file at most once", () => {
    const expanded = expand(files);
    expect(expanded.source).toBe(
      [
        "---@key k",
        "local function c()",
        "  return 1",
        "end",
        "local function b() return c() end",
        "local x = b()",
        "return x",
        "",
      ].join("\n"),
    );
    expect(expanded.included).toEqual(["lua/lib/_b.lua", "lua/includes/c.lua"]);
    expect(expanded.diagnostics).toEqual([]);
  });

  it("records where every line came from: from `line` on, `file`'s lines from `fileLine` on", () => {
    const expanded = expand(files);
    expect(expanded.origins).toEqual([
      { line: 1, file: "lua/a.lua", fileLine: 1 },
      { line: 2, file: "lua/includes/c.lua", fileLine: 1 },
      { line: 5, file: "lua/lib/_b.lua", fileLine: 2 },
      { line: 6, file: "lua/a.lua", fileLine: 3 },
      { line: 7, file: "lua/a.lua", fileLine: 5 },
    ]);
    expectOriginsExact(files, expanded);
  });

  it("maps lines through the origins with originOf", () => {
    const { origins } = expand(files);
    expect(originOf(origins, 1)).toEqual({ file: "lua/a.lua", line: 1 });
    expect(originOf(origins, 3)).toEqual({ file: "lua/includes/c.lua", line: 2 });
    expect(originOf(origins, 5)).toEqual({ file: "lua/lib/_b.lua", line: 2 });
    expect(originOf(origins, 7)).toEqual({ file: "lua/a.lua", line: 5 });
    expect(originOf(origins, 0)).toBeUndefined();
    expect(originOf([], 1)).toBeUndefined();
  });

  it("reads both spellings, either quotes and a trailing semicolon; a path without an extension gets .lua", () => {
    const spellings = ['---@include "p"', "--- @include 'p'", '-- @include "p.lua";', "  ---  @include 'p' ;"];
    for (const spelling of spellings) {
      const expanded = expand({ "lua/a.lua": `${spelling}\nreturn p\n`, "lua/p.lua": "local p = 1\n" });
      expect(expanded.diagnostics, spelling).toEqual([]);
      expect(expanded.source, spelling).toBe("local p = 1\nreturn p\n");
    }
    expect(includeTarget("src/lua/a.lua", "includes/removeLock")).toBe("src/lua/includes/removeLock.lua");
    expect(includeTarget("src/lua/lib/b.lua", "../shared/./c.lua")).toBe("src/lua/shared/c.lua");
    expect(includeTarget("a.lua", "../outside/x")).toBe("../outside/x.lua");
  });

  it("leaves other comments alone: ----@include, @includes, and an include inside a line of code", () => {
    const text = '----@include "p"\n---@includes "p"\nlocal s = "---@include \\"p\\""\nreturn s\n';
    const expanded = expand({ "lua/a.lua": text, "lua/p.lua": "local p = 1\n" });
    expect(expanded.source).toBe(text);
    expect(expanded.included).toEqual([]);
  });

  it("inlines files whatever their line endings, and keeps a missing final line break", () => {
    const expanded = expand({
      "lua/a.lua": '\uFEFF---@include "p"\r\n---@include "q"\r\nreturn p + q',
      "lua/p.lua": "\uFEFFlocal p = 1\r\n",
      "lua/q.lua": "local q = 2",
    });
    expect(expanded.source).toBe("local p = 1\nlocal q = 2\nreturn p + q");
    expect(expanded.origins).toEqual([
      { line: 1, file: "lua/p.lua", fileLine: 1 },
      { line: 2, file: "lua/q.lua", fileLine: 1 },
      { line: 3, file: "lua/a.lua", fileLine: 3 },
    ]);
  });

  it("inlines nothing for an empty file", () => {
    const expanded = expand({ "lua/a.lua": '---@include "empty"\nreturn 1\n', "lua/empty.lua": "" });
    expect(expanded.source).toBe("return 1\n");
    expect(expanded.origins).toEqual([{ line: 1, file: "lua/a.lua", fileLine: 2 }]);
    expect(expanded.included).toEqual(["lua/empty.lua"]);
  });

  it("reports a missing file at the include's path, naming the chain", () => {
    const expanded = expand({
      "lua/a.lua": '---@include "lib/_b"\nreturn 1\n',
      "lua/lib/_b.lua": "local b = 1\n--- @include 'nope'\n",
    });
    expect(expanded.diagnostics.map((d) => [d.file, d.line, d.column, d.code, d.message])).toEqual([
      [
        "lua/lib/_b.lua",
        2,
        15,
        "LG110",
        "included file not found: lua/lib/nope.lua (lua/a.lua → lua/lib/_b.lua → lua/lib/nope.lua)",
      ],
    ]);
  });

  it("reports a cycle at the include that closes it, naming the chain", () => {
    const cyclic = expand({
      "lua/a.lua": '---@include "includes/x"\nreturn 1\n',
      "lua/includes/x.lua": '---@include "y"\n',
      "lua/includes/y.lua": 'local y = 1\n---@include "x"\n',
    });
    expect(cyclic.diagnostics.map((d) => [d.file, d.line, d.column, d.code, d.message])).toEqual([
      [
        "lua/includes/y.lua",
        2,
        14,
        "LG111",
        "include cycle: lua/a.lua → lua/includes/x.lua → lua/includes/y.lua → lua/includes/x.lua",
      ],
    ]);
    const self = expand({ "lua/a.lua": 'return 1\n---@include "a.lua"\n' });
    expect(self.diagnostics.map((d) => [d.line, d.code, d.message])).toEqual([
      [2, "LG111", "include cycle: lua/a.lua → lua/a.lua"],
    ]);
  });

  it("reports a malformed include line, at the path", () => {
    const lines = [
      "---@include lib.lua",
      '---@include "lib.lua',
      '---@include "/abs/lib.lua"',
      '---@include ""',
      '---@include "lib" x',
      "---@include",
    ];
    const expanded = expand({ "lua/a.lua": lines.join("\n") });
    expect(expanded.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      "1:13 LG112 the path after @include must be in quotes, found 'lib.lua'",
      "2:13 LG112 unterminated path string",
      "3:13 LG112 included paths are relative to the including file, not absolute: '/abs/lib.lua'",
      "4:13 LG112 @include needs a path in quotes",
      "5:13 LG112 unexpected text after the included path",
      "6:12 LG112 @include needs a path in quotes",
    ]);
  });
});

describe("a script with includes, through the Lua stages", () => {
  const build = (files: Record<string, string>) => {
    const { files: list, library } = project(files);
    return buildScripts(list, { library });
  };

  it("embeds and hashes the expanded source, keeps origins, and generates no partial", () => {
    const built = build({
      "lua/a.lua": '---@return integer\n---@include "_one"\nreturn one()\n',
      "lua/_one.lua": "local function one() return 1 end\n",
    });
    expect(built.diagnostics).toEqual([]);
    expect(built.scripts.map((s) => s.file.path)).toEqual(["lua/a.lua"]);
    const [script] = built.scripts;
    expect(script.source).toBe("---@return integer\nlocal function one() return 1 end\nreturn one()\n");
    expect(script.sha1).toBe(createHash("sha1").update(script.source).digest("hex"));
    expect(script.origins).toEqual([
      { line: 1, file: "lua/a.lua", fileLine: 1 },
      { line: 2, file: "lua/_one.lua", fileLine: 1 },
      { line: 3, file: "lua/a.lua", fileLine: 3 },
    ]);
    expect(built.sources.get("lua/_one.lua")).toBe("local function one() return 1 end\n");
  });

  it("has no origins when the script includes nothing", () => {
    const built = build({ "lua/a.lua": "---@return integer\nreturn 1\n" });
    expect(built.scripts[0].origins).toBeUndefined();
  });

  it("reads annotations from the script only: an included file's doc comments describe its own functions", () => {
    const built = build({
      "lua/a.lua":
        '---Sum.\n---@key k\n---@include "_f"\n---@arg n integer\n---@return integer\nreturn f(KEYS[1]) + ARGV[1]\n',
      "lua/_f.lua":
        "---Reads a key.\n---@param key string\n---@return integer\nlocal function f(key) return redis.call('GET', key) end\n",
    });
    expect(built.diagnostics).toEqual([]);
    const { signature } = built.scripts[0];
    expect(signature.summary).toBe("Sum.");
    expect(signature.keys.map((k) => [k.name, k.line])).toEqual([["k", 2]]);
    expect(signature.args.map((a) => [a.name, a.line])).toEqual([["n", 4]]);
  });

  it("reads the script's doc comment after an include on its first line", () => {
    const built = build({
      "lua/a.lua": '---@include "_f"\n---@key k\n---@return integer\nreturn f(KEYS[1])\n',
      "lua/_f.lua": "local function f(k) return 1 end\n",
    });
    expect(built.diagnostics).toEqual([]);
    expect(built.scripts[0].signature.keys.map((k) => [k.name, k.line])).toEqual([["k", 2]]);
  });

  it("reports what it finds in an included file there, at the file's own line, naming the script", () => {
    const built = build({
      "lua/a.lua":
        '---@key k\n---@return integer\n---@include "includes/helpers"\n\nlocal v = redis.call("GET", KEYS[1])\nreturn KEYS[4]\n',
      "lua/includes/helpers.lua": "-- helpers\nlocal function second()\n  return KEYS[2]\nend\ncount = 1\n",
    });
    expect(built.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      "lua/includes/helpers.lua:5:1 LG204 assignment to undeclared global 'count': Redis refuses writes to globals at run time (included by lua/a.lua)",
      "lua/includes/helpers.lua:3:10 LG200 KEYS[2] is read but only 1 key is declared (included by lua/a.lua)",
      "lua/a.lua:6:8 LG200 KEYS[4] is read but only 1 key is declared",
    ]);
    expect(built.scripts).toEqual([]);
  });

  it("resolves a helper the script calls once its file is included, and reports one the partial lacks there", () => {
    const alone = build({ "lua/a.lua": "---@return integer\nreturn process_tick(1)\n" });
    expect(alone.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(["lua/a.lua:2:8 LG206"]);
    const built = build({
      "lua/a.lua": '---@include "includes/tick"\n---@return integer\nreturn process_tick(1)\n',
      "lua/includes/tick.lua": "local process_tick = function(n)\n  return n + now\nend\n",
    });
    expect(built.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      `lua/includes/tick.lua:2:14 LG206 'now' is not defined: Redis fails the script when it reads it ("Script attempted to access nonexistent global variable 'now'") (included by lua/a.lua)`,
    ]);
  });

  it("reports a syntax error in an included file there", () => {
    const built = build({
      "lua/a.lua": '---@return integer\n---@include "_bad"\nreturn 1\n',
      "lua/_bad.lua": "local x = 1\nlocal = 2\n",
    });
    expect(built.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      "lua/_bad.lua:2:7 LG001",
    ]);
  });

  it("fails the script on an include error, and still reports the script's other errors", () => {
    const built = build({ "lua/a.lua": '---@return integer\n---@include "nope"\nx = 1\nreturn 1\n' });
    expect(built.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["2:14 LG110", "3:1 LG204"]);
    expect(built.scripts).toEqual([]);
  });
});

describe("isPartial", () => {
  it.each([
    ["_keys.lua", true],
    ["lib/_keys.lua", true],
    ["includes/removeLock.lua", true],
    ["queue/includes/deep/x.lua", true],
    ["keys.lua", false],
    ["lib/keys_.lua", false],
    ["my_includes/x.lua", false],
    ["includes.lua", false],
  ])("%s → %s", (relativePath, partial) => {
    expect(isPartial(relativePath)).toBe(partial);
  });
});

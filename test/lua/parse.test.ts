import luaparse, { type Node } from "luaparse";
import { describe, expect, test } from "vitest";
import { nodePosition, normalizeSource, parseLua, walk } from "../../src/lua/parse.js";
import { source } from "./stages.js";

describe("normalizeSource", () => {
  test("drops a leading BOM, and only a leading one", () => {
    expect(normalizeSource("\uFEFFreturn 1")).toBe("return 1");
    expect(normalizeSource("return '\uFEFF'")).toBe("return '\uFEFF'");
  });

  test("turns CRLF into LF", () => {
    expect(normalizeSource("local a = 1\r\nreturn a\r\n")).toBe("local a = 1\nreturn a\n");
  });

  test("keeps a lone CR, trailing spaces, multibyte characters and the shebang", () => {
    const text = "#!lua flags=no-writes\nlocal a = 'x\ry'  \nreturn 'héllo ✓ 😀'\t\n";
    expect(normalizeSource(text)).toBe(text);
  });

  test("a BOM and CRLF together", () => {
    expect(normalizeSource("\uFEFF---@key k\r\nreturn KEYS[1]\r\n")).toBe("---@key k\nreturn KEYS[1]\n");
  });
});

describe("parseLua", () => {
  test("parses Lua 5.1 with comments and keeps the normalised source", () => {
    const parsed = parseLua(source("\uFEFF---@key k\r\nreturn KEYS[1]\r\n"));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.source).toBe("---@key k\nreturn KEYS[1]\n");
    expect(parsed.chunk?.comments?.map((c) => c.raw)).toEqual(["---@key k"]);
  });

  test("a shebang does not break parsing and stays in the source", () => {
    const parsed = parseLua(source("#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])\n"));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.chunk?.body).toHaveLength(1);
    expect(parsed.source.startsWith("#!lua flags=no-writes\n")).toBe(true);
  });

  test("#! later in the file is still an error (Lua has no such syntax)", () => {
    expect(parseLua(source("return 1\n#!lua\n")).diagnostics.map((d) => d.code)).toEqual(["LG001"]);
  });

  test("Lua 5.2 syntax (goto) is a syntax error, as in Redis", () => {
    const { diagnostics, chunk } = parseLua(source("goto done\n::done::\n"));
    expect(chunk).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
  });

  // luaparse reports 0-based columns for token errors and 1-based ones for lexer errors.
  test.each([
    ["a token error points at the token", "local x = = 1", 1, 11, "<expression> expected near '='"],
    ["an unexpected character points at it", "local x = 1 @", 1, 13, "unexpected symbol '@' near '1'"],
    [
      "an error at the end of the input points past the last character",
      "return 1 +",
      1,
      11,
      "<expression> expected near '<eof>'",
    ],
    ["a missing end points past the last character", "if x then", 1, 10, "'end' expected near '<eof>'"],
    ["an unfinished string stays on its own line", 'local s = "abc\nreturn s', 1, 15, "unfinished string near '\"abc'"],
    ["the error is on a later line", "local a = 1\nlocal b = = 2\n", 2, 11, "<expression> expected near '='"],
    ["after CRLF lines and a BOM", "\uFEFF-- c\r\nlocal b = = 2\r\n", 2, 11, "<expression> expected near '='"],
    ["after a shebang", "#!lua\nlocal b = = 2\n", 2, 11, "<expression> expected near '='"],
  ])("%s", (_, text, line, column, message) => {
    const parsed = parseLua(source(text, "dir/x.lua"));
    expect(parsed.chunk).toBeUndefined();
    expect(parsed.diagnostics).toEqual([
      { severity: "error", code: "LG001", file: "dir/x.lua", line, column, message },
    ]);
  });
});

// Lua 5.1's grammar ends a block with `laststat [';']`, and Redis runs `break;`; luaparse 0.3.1 does not.
// Each form below was run on redis-server 7.0.15 (EVAL ... 0): the accepted ones return, the refused
// one is refused by Redis too.
describe("break followed by ';' (Lua 5.1 accepts it, luaparse 0.3.1 does not)", () => {
  test.each([
    ["break;", "for i = 1, 3 do\n  break;\nend\nreturn 1\n"],
    ["break ;", "while true do break ; end\nreturn 1\n"],
    ["a comment between", "while true do break --[[ done ]] ; end\nreturn 1\n"],
    ["in repeat ... until", "repeat\n  break;\nuntil false\nreturn 1\n"],
    ["in a nested if", "for i = 1, 3 do\n  if i == 2 then break; end\nend\nreturn 1\n"],
    ["return; and return x; (luaparse already accepts them)", "do return; end\nreturn 1;\n"],
  ])("%s parses, and the source embedded is the file's, byte for byte", (_, text) => {
    const parsed = parseLua(source(text));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.source).toBe(text);
  });

  test("a semicolon in a string or comment next to 'break' stays as it is", () => {
    const text = 'local s = "break;" -- break;\nwhile true do break; end\nreturn s\n';
    const parsed = parseLua(source(text));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.source).toBe(text);
    const local = parsed.chunk?.body[0] as { init: { raw: string }[] };
    expect(local.init[0]?.raw).toBe('"break;"');
  });

  test("two semicolons after break are still an error (Redis refuses them too), at the second one", () => {
    const parsed = parseLua(source("while true do\n  break;;\nend\n"));
    expect(parsed.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([["LG001", 2, 9]]);
  });

  test("an error after a break; is reported at its own line and column", () => {
    const parsed = parseLua(source("while true do break; end\nlocal = 1\n"));
    expect(parsed.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([["LG001", 2, 7]]);
  });
});

describe("nodePosition", () => {
  // luaparse's own `locations` are the reference: luagen parses without them (they cost a node three
  // objects) and finds a node's line and column from its offset.
  test.each([
    ["plain lines", "local a = 1\nlocal b = a + 2\n  return { a, b }\n"],
    ["a lone CR and LF-CR as line breaks", "local a = 1\rlocal b = 2\n\rreturn a .. b\n"],
    ["multibyte text before a node on the same line", "local s = 'héllo ✓ 😀'; local t = s\nreturn t -- ✓\n"],
    ["a long string and a long comment over several lines", "--[[ one\ntwo ]] local a = [[x\ny\nz]] return a\n"],
    ["the first character, and a last line without a break", "return redis.call('GET', KEYS[1])"],
  ])("%s: every node and comment where luaparse's locations put it", (_, lua) => {
    const parsed = parseLua({ path: "p.lua", relativePath: "p.lua", text: lua, partial: false });
    const reference = luaparse.parse(lua, {
      luaVersion: "5.1",
      comments: true,
      locations: true,
      ranges: true,
      scope: true,
    });
    const positions = (chunk: Node, at: (node: Node) => { line: number; column: number }) => {
      const all: string[] = [];
      walk(chunk, (node) => {
        if (node.type !== "Chunk") all.push(`${node.type}@${at(node).line}:${at(node).column}`);
        return true;
      });
      return all;
    };
    const chunk = parsed.chunk!;
    const expected = positions(reference, (node) => ({
      line: node.loc!.start.line,
      column: node.loc!.start.column + 1,
    }));
    expect(positions(chunk, (node) => nodePosition(node, chunk))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(3);
  });

  test("refuses a chunk parseLua did not make, rather than guess", () => {
    const chunk = luaparse.parse("return 1", { luaVersion: "5.1", ranges: true });
    expect(() => nodePosition(chunk.body[0]!, chunk)).toThrow(/parseLua/);
  });
});

describe("a template tag where Lua was expected", () => {
  const parse = (text: string) => parseLua({ path: "t.lua", relativePath: "t.lua", text, partial: false }).diagnostics;

  test.each([
    [
      "ERB, as sidekiq-unique-jobs writes its includes",
      '-- shared code\n<%= include_partial "shared/_common.lua" %>\nreturn 1\n',
    ],
    ["Jinja/Handlebars", "local a = 1\n{{ helpers }}\nreturn a\n"],
    ["a template block", "{% include 'x.lua' %}\nreturn 1\n"],
  ])("%s: the syntax error says what the line is and points to ---@include", (_, text) => {
    const [diagnostic] = parse(text);
    expect(diagnostic?.code).toBe("LG001");
    expect(diagnostic?.hint).toMatch(/template tag, not Lua.*---@include/);
  });

  test("the hint writes the include for the partial the tag names", () => {
    const [diagnostic] = parse('<%= include_partial "shared/_common.lua" %>\nreturn 1\n');
    expect(diagnostic?.hint).toContain('---@include "shared/_common.lua"');
  });

  test("an ordinary syntax error gets no such hint", () => {
    const [diagnostic] = parse("local a = \nreturn 1 %\n");
    expect(diagnostic?.code).toBe("LG001");
    expect(diagnostic?.hint).toBeUndefined();
  });
});

import { describe, expect, test } from "vitest";
import { normalizeSource, parseLua } from "../../src/lua/parse.js";
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

import { describe, expect, test } from "vitest";
import { buildScripts } from "../../src/build.js";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { parseLua } from "../../src/lua/parse.js";
import { source } from "./stages.js";

// §3 of issue 8: no input makes the parser crash; each is LG001 at file:line:col with a code frame.

const CASES: Array<[string, string, { line: number; column: number }]> = [
  ["an @ first", "@x = 1\n", { line: 1, column: 1 }],
  ["a ! first", "!x\n", { line: 1, column: 1 }],
  ["a $ first", "$x\n", { line: 1, column: 1 }],
  ["a backtick first", "`x`\n", { line: 1, column: 1 }],
  ["an @ after comments", "-- a comment\n--[[ a long\none ]]  @\n", { line: 3, column: 9 }],
  ["a NUL byte", "return 1\0\n", { line: 1, column: 9 }],
  ["a BOM, then @", "\uFEFF@\n", { line: 1, column: 1 }],
  ["a shebang, then $", "#!lua flags=no-writes\n$\n", { line: 2, column: 1 }],
  ["control bytes", "\u0001\u0002\u001b[31m\n", { line: 1, column: 1 }],
  ["2,000 parentheses", `return ${"(".repeat(2000)}1${")".repeat(2000)}\n`, { line: 1, column: 207 }],
  ["20,000 concatenations", `return ${Array(20001).fill("'a'").join("..")}\n`, { line: 1, column: 1003 }],
];

describe("input luaparse cannot cope with", () => {
  test.each(CASES)("%s: LG001 at its position, with a code frame", (_, text, at) => {
    const parsed = parseLua(source(text, "lua/bad.lua"));
    expect(parsed.chunk).toBeUndefined();
    expect(parsed.diagnostics).toMatchObject([{ code: "LG001", file: "lua/bad.lua", ...at }]);
    const printed = formatDiagnostic(parsed.diagnostics[0], { sources: new Map([["lua/bad.lua", parsed.source]]) });
    expect(printed.split("\n")[0]).toMatch(
      /^lua\/bad\.lua:\d+:\d+ - error LG001: (unexpected symbol '.'( near '.+')?$|chunk has too many syntax levels)/,
    );
    expect(printed).toMatch(/\n +\| +\^/);
    // Nothing the terminal would act on: no control characters but tabs and line breaks.
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("chains of left-associative operators, which Redis's parser reads in a loop", () => {
  const chain = (n: number, op: string, operand: string) =>
    Array(n + 1)
      .fill(operand)
      .join(` ${op} `);
  const built = (text: string) => buildScripts([source(text, "lua/chain.lua")]);

  test("a thousand operators are checked as any script", () => {
    const { scripts, diagnostics } = built(
      `---@key k\n---@return integer\nlocal seen = ${chain(1000, "or", "KEYS[1]")}\nreturn ${chain(1000, "+", "1")}\n`,
    );
    expect(diagnostics).toEqual([]);
    expect(scripts.map((s) => s.signature.returns.type)).toEqual([{ kind: "integer" }]);
  });

  test("twenty thousand, too deep for the checks' recursion: LG004 where the chain starts, not a crash", () => {
    for (const [op, operand] of [
      ["or", "KEYS"],
      ["+", "1"],
      ["==", "1"],
    ]) {
      const { scripts, diagnostics } = built(`---@return integer\nlocal x = ${chain(20000, op, operand)}\nreturn 1\n`);
      expect(scripts).toEqual([]);
      expect(
        diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
        op,
      ).toEqual([
        `2:11 LG004 an expression 20001 levels deep, a chain of that many operators: luagen's checks cannot follow it (Redis runs it)`,
      ]);
    }
  });
});

describe("code frames of long lines (minified or generated scripts)", () => {
  const frameOf = (text: string, line: number, column: number) =>
    formatDiagnostic(
      { severity: "error", code: "LG001", message: "m", file: "lua/long.lua", line, column },
      { sources: new Map([["lua/long.lua", text]]) },
    ).split("\n");
  /** The character the caret points at in a printed frame. */
  const under = (frame: string[]) => {
    const caret = frame.at(-1)!;
    return frame.at(-2)![caret.indexOf("^")];
  };

  test("show 120 characters around the caret, cut with an ellipsis, the caret on its character", () => {
    const long = `${"a = 1; ".repeat(2000)}return @ ${"b = 2; ".repeat(2000)}`;
    const column = long.indexOf("@") + 1;
    const frame = frameOf(`local a, b\n${long}\n`, 2, column);
    expect(frame[1]).toBe("  1 | local a, b");
    expect(frame[2]).toMatch(/^ {2}2 \| ….*a = 1; return @ b = 2;.*…$/);
    expect(frame[2]!.length).toBeLessThanOrEqual(7 + 120 + 2);
    expect(under(frame)).toBe("@");
  });

  test("cut only at the end when the caret is near the start, and not at all for a short line", () => {
    const frame = frameOf(`x${"y".repeat(500)}\n`, 1, 1);
    expect(frame[1]).toBe(`  1 | x${"y".repeat(119)}…`);
    expect(under(frame)).toBe("x");
    const short = frameOf("local x = 1\nreturn @\n", 2, 8);
    expect(short.slice(1)).toEqual(["  1 | local x = 1", "  2 | return @", "    |        ^"]);
  });
});

import luaparse, { type Chunk, type Identifier, type Node } from "luaparse";
import type { Diagnostic, ExpandedSource, Position, SourceFile } from "../model.js";
import { diagnosticAt } from "../origins.js";
import { KEYWORD, lex, MAX_SYNTAX_LEVELS, PUNCTUATOR, tooDeep, type Token } from "./depth.js";

/**
 * The text luagen embeds and hashes: a leading UTF-8 BOM dropped and CRLF turned into
 * LF, so a Windows checkout yields the same bytes. Nothing else changes (a lone CR
 * stays: rewriting it would change what Redis runs).
 */
export function normalizeSource(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
}

export interface ParsedLua {
  /** The normalised source (shebang kept, includes inlined), as embedded in the output. */
  source: string;
  /** Undefined when the file has a syntax error. */
  chunk: Chunk | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Lua 5.1 is what Redis embeds; comments carry the annotations, scope marks globals. Positions come
 * from `ranges` and the chunk's line table (`nodePosition`), not `locations`: that gives every node
 * three objects more (`parseLua` over 1,000 synthetic scripts: 455 ms with them, 369 ms without).
 */
const OPTIONS = { luaVersion: "5.1", comments: true, ranges: true, scope: true } as const;

/** What luaparse attaches to the SyntaxError it throws. */
interface LuaparseError extends SyntaxError {
  line: number;
  column: number;
  index: number;
}

/**
 * Parses `file`, or `expanded` (the file with its includes inlined) when given: node positions are
 * then positions in `expanded.source`, and a syntax error is reported in the file it came from.
 */
export function parseLua(file: SourceFile, expanded?: ExpandedSource): ParsedLua {
  const source = expanded?.source ?? normalizeSource(file.text);
  const shown = hideShebang(source);
  // Lexed once: the depth check and the `break;` rewrite both read these tokens.
  const tokens = lex(shown);
  const lua = hideBreakSemicolons(shown, tokens);
  const fail = (at: Position, message: string, hint?: string): ParsedLua => ({
    source,
    chunk: undefined,
    diagnostics: [diagnosticAt("LG001", file.path, expanded?.origins, at, message, hint)],
  });
  // Before luaparse, which overflows the stack on a few thousand levels.
  const deep = tooDeep(tokens);
  if (deep !== undefined) {
    return fail(
      deep,
      `chunk has too many syntax levels: Redis's Lua parser refuses blocks and expressions nested more than ${MAX_SYNTAX_LEVELS} levels deep`,
      "split the expression with local variables, or build long strings with table.concat",
    );
  }
  try {
    const chunk = luaparse.parse(lua, OPTIONS);
    (chunk as Lined)[LINE_STARTS] = lineStarts(lua);
    return { source, chunk, diagnostics: [] };
  } catch (error) {
    const { at, message } = syntaxError(lua, error);
    return fail(at, message, templateHint(lua, at.line));
  }
}

/** A template tag at the start of a line: ERB's `<%= include_partial ... %>`, `{{ }}`, `{% %}`. */
const TEMPLATE_TAG = /^\s*(<%|\{\{|\{%)/;

/**
 * Folders written for a loader that runs scripts through a template engine first (sidekiq-unique-jobs
 * pulls shared code in with ERB) fail to parse at the first tag: say what the line is, and what
 * luagen has instead.
 */
function templateHint(lua: string, line: number): string | undefined {
  const starts = lineStarts(lua);
  const text = lua.slice(starts[line - 1] ?? lua.length, starts[line] ?? lua.length);
  if (!TEMPLATE_TAG.test(text)) return undefined;
  const named = /["']([^"']+\.lua)["']/.exec(text)?.[1] ?? "shared/_code.lua";
  return `this line is a template tag, not Lua: luagen reads a script as Redis runs it; to share code between scripts, write ---@include "${named}" (the path relative to this script; docs/includes.md)`;
}

/** luaparse's error as a position and a message; for the errors luaparse raises by accident, our own. */
function syntaxError(lua: string, error: unknown): { at: Position; message: string } {
  if (isLuaparseError(error)) {
    const message = error.message.replace(/^\[\d+:\d+\] /, "");
    // At the first token luaparse's "near" names a token of the previous file it parsed: drop it.
    const first = lex(lua.slice(0, error.index))?.length === 1;
    return {
      at: errorPosition(lua, error),
      message: first ? message.replace(/^(unexpected symbol '.') near '.*'$/s, "$1") : message,
    };
  }
  if (error instanceof TypeError) return firstTokenError(lua);
  if (error instanceof RangeError) return { at: { line: 1, column: 1 }, message: "nested too deeply to parse" };
  throw error;
}

/**
 * luaparse throws a TypeError (not its SyntaxError) when the very first token is a character Lua
 * has no token for (`@`, `!`, `$`, a backtick): it has no previous token to name. Read once more
 * behind a `;`, the same character is the second token and luaparse reports it properly.
 */
function firstTokenError(lua: string): { at: Position; message: string } {
  try {
    luaparse.parse(`;${lua}`, { luaVersion: "5.1" });
  } catch (error) {
    if (isLuaparseError(error) && error.index >= 1) {
      const at = errorPosition(lua, { line: error.line, index: error.index - 1 });
      return { at, message: `unexpected symbol '${lua.charAt(error.index - 1)}'` };
    }
  }
  return { at: { line: 1, column: 1 }, message: "unexpected symbol" };
}

/**
 * Redis 7 reads a first line `#!lua flags=...`; Lua does not. Turning `#!` into `--`
 * makes it a comment of the same length, so every line and column stays where it was.
 */
function hideShebang(source: string): string {
  return source.startsWith("#!") ? `--${source.slice(2)}` : source;
}

/**
 * Lua 5.1 lets `break`, like `return`, be followed by one `;` (`laststat [';']` in its grammar), and
 * Redis runs `break;`; luaparse 0.3.1 refuses it ("'end' expected near ';'"). Each such `;` becomes a
 * space, so every offset, line and column stays where it was. `tokens` are `lua`'s; a source the
 * lexer refuses (undefined) is left to luaparse to report.
 */
export function hideBreakSemicolons(lua: string, tokens: readonly Token[] | undefined): string {
  if (tokens === undefined) return lua;
  let text = lua;
  for (let i = 1; i < tokens.length; i++) {
    const [previous, token] = [tokens[i - 1]!, tokens[i]!];
    if (token.type !== PUNCTUATOR || token.value !== ";" || previous.type !== KEYWORD || previous.value !== "break") {
      continue;
    }
    text = `${text.slice(0, token.range[0])} ${text.slice(token.range[1])}`;
  }
  return text;
}

function isLuaparseError(error: unknown): error is LuaparseError {
  return error instanceof SyntaxError && typeof (error as Partial<LuaparseError>).index === "number";
}

/**
 * luaparse's `column` is 1-based when its lexer raises and 0-based when a token does,
 * but `index` is always the offset it stopped at (the token's start, or the lexer's
 * position). Deriving the column from `index` and the start of `line` removes the
 * difference. A lexer error may stop past the end of the line (an unfinished string
 * stops after the newline): the column is kept just past the line's last character.
 */
function errorPosition(source: string, error: Pick<LuaparseError, "line" | "index">): Position {
  const starts = lineStarts(source);
  const start = starts[Math.min(error.line, starts.length) - 1]!;
  const end = source.slice(start).search(/[\r\n]|$/) + start;
  return { line: error.line, column: Math.min(Math.max(error.index, start), end) - start + 1 };
}

/** The offset of each line's first character, counting line breaks as luaparse does. */
function lineStarts(source: string): number[] {
  const starts = [0];
  const breaks = /\r\n|\n\r|\n|\r/g;
  for (let match = breaks.exec(source); match !== null; match = breaks.exec(source)) {
    starts.push(match.index + match[0].length);
  }
  return starts;
}

const LINE_STARTS = Symbol("luagen line starts");

/** A chunk `parseLua` made: it carries its source's line table. */
type Lined = Chunk & { [LINE_STARTS]?: number[] };

/**
 * What `compute` gives for a chunk, computed once and kept on the chunk itself, for analyses
 * several checks read. Not in a module-level WeakMap: V8's young-generation GC keeps such a map's
 * entries alive, so each chunk's analysis, and through it its AST, was promoted to the old
 * generation. A cold run of 1,000 scripts spent twice the GC time on that (BENCHMARKS.md).
 */
export function perChunk<T>(compute: (chunk: Chunk) => T): (chunk: Chunk) => T {
  const key = Symbol("luagen per-chunk");
  return (chunk) => {
    const memo = chunk as unknown as Record<symbol, T | undefined>;
    return (memo[key] ??= compute(chunk));
  };
}

/** Identifiers that name a variable carry `isLocal` (`scope: true`); field and key names carry none. */
type Scoped = Identifier & { isLocal?: boolean | null };

/** A read or write of a global variable: not a local, and not a field or key name (`cfg.server`, `{ server = 1 }`). */
export function isGlobal(node: Node | null): node is Identifier {
  return node?.type === "Identifier" && (node as Scoped).isLocal === false;
}

/**
 * Where the syntax tree is deepest, and how deep: found with a stack of its own, since what it
 * measures is a tree too deep for recursion.
 */
export function deepestNode(chunk: Chunk): { at: Position; depth: number } {
  let deepest: { node: Node; depth: number } = { node: chunk, depth: 0 };
  const pending: Array<{ value: unknown; depth: number }> = [{ value: chunk.body, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    if (Array.isArray(value)) {
      for (const item of [...value].reverse()) pending.push({ value: item, depth });
    } else if (isNode(value)) {
      if (depth > deepest.depth) deepest = { node: value, depth };
      // Pushed last to first, so that the first node found at the greatest depth is the leftmost.
      const children = Object.entries(value).filter(([key, child]) => key !== "range" && typeof child === "object");
      for (const [, child] of children.reverse()) if (child !== null) pending.push({ value: child, depth: depth + 1 });
    }
  }
  return { at: nodePosition(deepest.node, chunk), depth: deepest.depth };
}

/** A node's 1-based line and column in the source of `chunk`, which holds it: its offset found in the line table. */
export function nodePosition(node: Node, chunk: Chunk): Position {
  const starts = (chunk as Lined)[LINE_STARTS];
  if (starts === undefined) throw new Error("nodePosition: the chunk was not made by parseLua");
  const offset = nodeOffset(node);
  let [low, high] = [0, starts.length - 1];
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}

/** A node's offset in the source (`ranges: true` sets it; the typings omit it). */
export function nodeOffset(node: Node): number {
  return (node as { range?: [number, number] }).range?.[0] ?? 0;
}

/**
 * Depth-first over luaparse nodes: any property holding a node (an object with a
 * string `type`) or an array of them. `visit` returns false to skip a node's children.
 * Every check walks every script, so this is hot: `for...in` rather than an array of
 * values per node, and a node's `range` (offsets, never nodes) is not entered.
 */
export function walk(value: unknown, visit: (node: Node) => boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (isNode(value) && visit(value)) {
    const fields = value as unknown as Record<string, unknown>;
    for (const key in fields) {
      if (key === "range") continue;
      const child = fields[key];
      if (typeof child === "object" && child !== null) walk(child, visit);
    }
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

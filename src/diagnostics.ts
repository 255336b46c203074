import type { Diagnostic, Severity } from "./model.js";

/**
 * Every diagnostic code luagen emits, with its severity and a one-line meaning.
 * Codes are stable: tests, docs and users' CI logs refer to them.
 */
export const CODES = {
  LG001: { severity: "error", title: "Lua syntax error" },
  LG002: { severity: "error", title: "the file could not be read, or is not UTF-8" },
  LG003: { severity: "warning", title: "a symbolic link to a folder or file scanned already: skipped" },
  LG004: { severity: "error", title: "an expression too deep for luagen's checks (Redis runs it)" },
  LG100: { severity: "error", title: "malformed annotation tag" },
  LG101: { severity: "error", title: "unknown annotation tag" },
  LG102: { severity: "error", title: "unknown type" },
  LG103: { severity: "error", title: "duplicate parameter name" },
  LG104: { severity: "error", title: "optional argument before a required one" },
  LG105: { severity: "error", title: "rest parameter that is not the last of its kind" },
  LG106: { severity: "error", title: "tag given twice (@return, @name)" },
  LG107: { severity: "error", title: "return type Redis cannot deliver (boolean)" },
  LG108: { severity: "error", title: "@param used instead of @key/@arg" },
  LG109: { severity: "warning", title: "a luagen tag behind two dashes (-- @key), which is ignored" },
  LG110: { severity: "error", title: "---@include names a file that does not exist" },
  LG111: { severity: "error", title: "---@include cycle" },
  LG112: { severity: "error", title: "malformed ---@include line" },
  LG113: { severity: "error", title: "---@include of a file that is not .lua" },
  LG200: { severity: "error", title: "KEYS[n] read past the declared keys" },
  LG201: { severity: "error", title: "ARGV[n] read past the declared arguments" },
  LG202: { severity: "warning", title: "declared key never read" },
  LG203: { severity: "warning", title: "declared argument never read" },
  LG204: { severity: "error", title: "write to an undeclared global" },
  LG205: { severity: "warning", title: "no annotations: signature inferred" },
  LG206: { severity: "error", title: "a read of a global no supported server defines" },
  LG220: { severity: "error", title: "a return's reply does not match ---@return" },
  LG221: { severity: "error", title: "a returned value Redis changes on the way out (fraction, nil inside a table)" },
  LG222: {
    severity: "warning",
    title: "a returned value Redis may change on the way out (no ---@return, or a possible fraction under number)",
  },
  LG223: {
    severity: "warning",
    title: "a return that matches ---@return for some of the replies the call's arguments may select, not all",
  },
  LG230: { severity: "error", title: "unknown Redis command or subcommand in redis.call/pcall" },
  LG231: { severity: "error", title: "wrong number of arguments for a Redis command" },
  LG232: { severity: "error", title: "a command Redis refuses in scripts (noscript)" },
  LG233: { severity: "error", title: "a write command in a no-writes script" },
  LG234: { severity: "error", title: "malformed #!lua shebang: unknown engine, option or flag" },
  LG235: { severity: "warning", title: "a key named by a string literal, not passed in KEYS" },
  LG236: {
    severity: "warning",
    title: "a call some supported servers run and others refuse (no server setting, or a fact luagen does not know)",
  },
  LG237: { severity: "error", title: "a command the server setting does not have yet (or at all)" },
  LG238: { severity: "warning", title: "a call of a redis.* function Redis's Lua API does not have" },
  LG239: { severity: "error", title: "Valkey's global server, with a Redis server setting" },
  LG300: { severity: "error", title: "exported name or parameter name is not a valid identifier, or is reserved" },
  LG301: { severity: "error", title: "two scripts export the same name" },
  LG302: {
    severity: "error",
    title: "output path taken by a file luagen generates itself, or by a file it did not generate",
  },
  LG303: { severity: "error", title: "output path no import can reach" },
  LG304: { severity: "warning", title: "a file name no export can take: the script is exported under a derived name" },
  LG305: { severity: "error", title: "two scripts, or two parameters of one script, take the same Python name" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;

/** Builds a diagnostic whose severity comes from the code's registry entry. */
export function diagnostic(
  code: Code,
  file: string,
  at: { line: number; column: number },
  message: string,
  hint?: string,
): Diagnostic {
  const d: Diagnostic = { severity: CODES[code].severity, code, message, file, line: at.line, column: at.column };
  if (hint !== undefined) d.hint = hint;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by file, then position, so output is the same whatever order stages ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code),
  );
}

/** Source texts by diagnostic file path, for code frames; only `get` is ever asked. */
export type SourceTexts = Pick<ReadonlyMap<string, string>, "get">;

export interface FormatOptions {
  sources?: SourceTexts;
  color?: boolean;
  /** How to show a diagnostic's file (the CLI: relative to its working directory); as it is by default. */
  shown?: (file: string) => string;
}

/** `text` in the ANSI colour `code` when `on`, else as it is. */
export function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** `1 key`, `2 keys`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * `path:line:col - error LGnnn: message`, then a code frame with a caret under the
 * column, then the hint. The first line is what editors' problem matchers read.
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const color = options.color ?? false;
  const severity = paint(color, d.severity === "error" ? "31" : "33", d.severity);
  const lines = [
    `${paint(color, "36", options.shown?.(d.file) ?? d.file)}:${d.line}:${d.column} - ${severity} ${d.code}: ${printable(d.message)}`,
  ];
  const source = options.sources?.get(d.file);
  if (source !== undefined) lines.push(...codeFrame(source, d.line, d.column));
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

/** The most of a line a code frame shows: a minified or generated script's line is cut around the caret. */
const FRAME_WIDTH = 120;

/** The offending line with one line of context before it and a caret under the column. */
export function codeFrame(source: string, line: number, column: number): string[] {
  const all = source.split("\n");
  if (line < 1 || line > all.length) return [];
  const first = Math.max(1, line - 1);
  const width = String(line).length;
  const text = (n: number) => all[n - 1]!.replace(/\r$/, "");
  const caret = Math.max(0, column - 1);
  // Where the shown part of every line starts: the caret's line decides, so the lines stay aligned.
  const start = Math.max(0, Math.min(caret - FRAME_WIDTH / 2, text(line).length - FRAME_WIDTH));
  const frame: string[] = [];
  for (let n = first; n <= line; n++) {
    frame.push(`  ${String(n).padStart(width)} | ${printable(clipped(text(n), start))}`);
  }
  frame.push(`  ${" ".repeat(width)} | ${" ".repeat(caret - start + (start > 0 ? 1 : 0))}^`);
  return frame;
}

/** A line that fits, whole; else FRAME_WIDTH characters of it from `start`, with an ellipsis for each side cut off. */
function clipped(text: string, start: number): string {
  if (text.length <= FRAME_WIDTH) return text;
  const end = start + FRAME_WIDTH;
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${text.length > end ? "…" : ""}`;
}

/**
 * `text` with control characters (not tabs) shown as symbols of the same width (NUL → ␀, ESC → ␛),
 * so a binary or hostile file can neither drive the terminal nor move the caret off its column.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
  });
}

import path from "node:path";
import { diagnostic, type Code } from "../diagnostics.js";
import type { Diagnostic, ExpandedSource, Position, SourceFile, SourceOrigin } from "../model.js";
import { normalizeSource } from "./parse.js";

/**
 * `---@include "lib/keys.lua"`, or BullMQ's `--- @include 'includes/removeLock'`: two or three
 * dashes, the tag, a quoted path, alone on its line (a trailing `;` is tolerated, as BullMQ does).
 * The line is read as text, the way BullMQ reads it: put includes where a whole line can go.
 */
const DIRECTIVE = /^[ \t]*-{2,3}[ \t]*@include\b[ \t]*/;
const QUOTED = /^(["'])(.*?)\1[ \t;]*$/;
const EXAMPLE = 'for example ---@include "lib/keys.lua" (relative to this file; ".lua" may be left out)';

type Directive =
  { kind: "include"; spec: string; column: number } | { kind: "malformed"; message: string; column: number };

/**
 * Whether `text` may hold an include directive: most scripts hold none, and a cold run reads
 * every script twice for them (the scanner for the files to read, the build to inline them).
 */
function mayInclude(text: string): boolean {
  return text.includes("@include");
}

/** Reads one line as an include directive; undefined when it is not one. Columns are 1-based, at the path. */
function readDirective(line: string): Directive | undefined {
  const start = DIRECTIVE.exec(line);
  if (start === null) return undefined;
  const rest = line.slice(start[0].length);
  const column = start[0].length + 1;
  const malformed = (message: string): Directive => ({ kind: "malformed", message, column });
  if (rest.trim() === "") return malformed("@include needs a path in quotes");
  if (!/^["']/.test(rest)) return malformed(`the path after @include must be in quotes, found '${rest.trim()}'`);
  const quoted = QUOTED.exec(rest);
  if (quoted === null) {
    return malformed(
      rest.indexOf(rest[0], 1) < 0 ? "unterminated path string" : "unexpected text after the included path",
    );
  }
  const spec = quoted[2];
  if (spec.trim() === "") return malformed("@include needs a path in quotes");
  if (path.posix.isAbsolute(spec) || path.win32.isAbsolute(spec)) {
    return malformed(`included paths are relative to the including file, not absolute: '${spec}'`);
  }
  return { kind: "include", spec, column: column + 1 };
}

/** The path (as shown, relative to the working directory) an include in `from` names; `.lua` when it has no extension. */
export function includeTarget(from: string, spec: string): string {
  const file = path.posix.extname(spec) === "" ? `${spec}.lua` : spec;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), file));
}

/**
 * Every Lua file the well-formed include lines of `text` (the file at `from`) name. The scanner
 * follows them; it never reads a file that is not `.lua` (an `.env` named by mistake or on purpose).
 */
export function includedPaths(from: string, text: string): string[] {
  if (!mayInclude(text)) return [];
  return normalizeSource(text)
    .split("\n")
    .map(readDirective)
    .flatMap((d) => (d?.kind === "include" ? [includeTarget(from, d.spec)] : []))
    .filter(isLuaPath);
}

/** Only Lua is ever included: a `.lua` name (any case), or a name without extension, which gets `.lua`. */
function isLuaPath(target: string): boolean {
  return path.posix.extname(target).toLowerCase() === ".lua";
}

/**
 * Inlines every `---@include` of `file`, recursively, from `library` (file texts by path, as the
 * scanner read them): each include line is replaced by the included file's text (normalised, its
 * final line break dropped). A file is inlined at most once per script: a later include of it, direct
 * or through another file, inlines nothing. A missing file, a cycle or a malformed include is an
 * error at the include's path; its line stays in the source (a Lua comment), so the other stages
 * still run and report what else is wrong. Pure: it reads nothing but `library`.
 */
export function expandIncludes(
  file: SourceFile,
  library: ReadonlyMap<string, string>,
): ExpandedSource & { diagnostics: Diagnostic[] } {
  if (!mayInclude(file.text)) {
    // What the expansion below gives a file without directives, without splitting it into lines.
    return {
      source: normalizeSource(file.text),
      origins: [{ line: 1, file: file.path, fileLine: 1 }],
      included: [],
      diagnostics: [],
    };
  }
  const expansion = new Expansion(library);
  expansion.inline(file.path, normalizeSource(file.text).split("\n"), [file.path]);
  const { lines, origins, included, diagnostics } = expansion;
  return { source: lines.join("\n"), origins, included, diagnostics };
}

class Expansion {
  readonly lines: string[] = [];
  readonly origins: SourceOrigin[] = [];
  readonly included: string[] = [];
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly library: ReadonlyMap<string, string>) {}

  /** `chain`: the files being inlined, outermost first, ending with `file`. */
  inline(file: string, lines: readonly string[], chain: readonly string[]): void {
    for (const [i, text] of lines.entries()) {
      const directive = readDirective(text);
      if (directive === undefined || !this.include(file, { line: i + 1, column: directive.column }, directive, chain)) {
        this.push(text, file, i + 1);
      }
    }
  }

  /** Inlines what a directive names; false when it is in error and its line stays as it is. */
  private include(file: string, at: Position, directive: Directive, chain: readonly string[]): boolean {
    if (directive.kind === "malformed") return this.fail("LG112", file, at, directive.message, EXAMPLE);
    const target = includeTarget(file, directive.spec);
    const route = [...chain, target].join(" → ");
    if (chain.includes(target)) {
      return this.fail(
        "LG111",
        file,
        at,
        `include cycle: ${route}`,
        "a file cannot include itself, directly or through the files it includes",
      );
    }
    if (!isLuaPath(target)) {
      // Named, never read: nothing of it reaches the output or a code frame.
      return this.fail("LG113", file, at, `only .lua files can be included, not ${target}`, EXAMPLE);
    }
    if (this.included.includes(target)) return true; // at most once per script
    const text = this.library.get(target);
    if (text === undefined)
      return this.fail("LG110", file, at, `included file not found: ${target} (${route})`, EXAMPLE);
    this.included.push(target);
    this.inline(target, ownLines(text), [...chain, target]);
    return true;
  }

  private fail(code: Code, file: string, at: Position, message: string, hint: string): false {
    this.diagnostics.push(diagnostic(code, file, at, message, hint));
    return false;
  }

  /** Appends one line, starting a new origin entry unless it continues the previous one. */
  private push(text: string, file: string, fileLine: number): void {
    const line = this.lines.push(text);
    const last = this.origins.at(-1);
    if (last === undefined || last.file !== file || last.fileLine + (line - last.line) !== fileLine) {
      this.origins.push({ line, file, fileLine });
    }
  }
}

/** An included file's lines: normalised, without the empty line its final line break would leave. */
function ownLines(text: string): string[] {
  const source = normalizeSource(text);
  if (source === "") return [];
  return (source.endsWith("\n") ? source.slice(0, -1) : source).split("\n");
}

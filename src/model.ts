/**
 * The shared model: the values the pipeline's stages (scan → parse → check → emit → write)
 * hand from one to the next. Types only; which stage reads or writes what is said in generate.ts.
 */

import type { ArgKind, SourceOrigin } from "./descriptor.js";

/** A position in a source file: 1-based line and column, as editors show them. */
export interface Position {
  line: number;
  column: number;
}

/** One `.lua` file found by the scanner, read but not yet interpreted. */
export interface SourceFile {
  /**
   * Path relative to the project root (root.ts), with `/` separators: what headers, `file:` and
   * diagnostics show (the CLI prints diagnostics relative to its working directory).
   */
  path: string;
  /** Path relative to the input root it was found under, with `/`: mirrored into the output folder. */
  relativePath: string;
  /** The file's text exactly as read from disk (may hold CRLF and a BOM). */
  text: string;
  /**
   * A partial: its name starts with `_`, or it sits in a folder named `includes` below the input
   * root. It is only ever inlined by `---@include`, never generated as a script of its own.
   */
  partial: boolean;
}

/**
 * Where lines of an expanded source come from: the runtime's own type (see descriptor.ts), its
 * `file` a path as shown to the user.
 */
export type { SourceOrigin };

/**
 * A script's text with every `---@include` inlined: what the Lua stages parse and check, and
 * what is embedded and hashed.
 */
export interface ExpandedSource {
  /** Normalised (CRLF → LF, BOM dropped), each include line replaced by the included file's text. */
  source: string;
  /** Where each line of `source` comes from, in order; the first entry is line 1. */
  origins: SourceOrigin[];
  /** The files inlined, in the order they were first included; empty when the script includes none. */
  included: string[];
}

/** A scalar argument type, as written after an `@arg` name: the runtime's `ArgKind`. */
export type { ArgKind };

/** An argument type: a union of scalar kinds and string literals (`integer`, `"asc"|"desc"`, `string|number`). */
export interface ArgType {
  kinds: ArgKind[];
  literals: string[];
}

/**
 * A return type, following Redis's Lua-to-reply conversion. `number` is what `---@return number`
 * declares: the integer reply of a Lua number (TypeScript `number`), checked to be whole.
 */
export type ReturnType =
  | { kind: "integer" | "number" | "string" | "nil" | "status" | "unknown" }
  | { kind: "array"; element: ReturnType }
  | { kind: "tuple"; elements: ReturnType[] }
  | { kind: "union"; members: ReturnType[] };

export interface KeyParam {
  name: string;
  description: string;
  /** `@key ...name`: every remaining key, passed as one array. */
  rest: boolean;
  /** Where its tag's `@` is: what a diagnostic about the whole tag points at. */
  line: number;
  column: number;
  /** Where its name starts on that line: what a diagnostic about the name points at. */
  nameColumn: number;
}

export interface ArgParam {
  name: string;
  description: string;
  type: ArgType;
  optional: boolean;
  rest: boolean;
  /** Where its tag's `@` is: what a diagnostic about the whole tag points at. */
  line: number;
  column: number;
  /** Where its name starts on that line: what a diagnostic about the name points at. */
  nameColumn: number;
}

/** What a script declares (or what luagen inferred for it). */
export interface Signature {
  summary: string;
  keys: KeyParam[];
  args: ArgParam[];
  returns: {
    type: ReturnType;
    description: string;
    /**
     * Absent when `@return` declares the type. `missing`: no `@return` (the type is `unknown`);
     * `inferred`: no `@return`, and luagen inferred the type from every return of the script.
     */
    origin?: "missing" | "inferred";
    /** Per return, what luagen infers it replies and why (`--explain-types` prints it). */
    explanation?: string[];
  };
  /** From `@name`, when given. */
  name?: string;
  /** True when the script had no annotations and the signature was inferred from KEYS/ARGV reads. */
  inferred: boolean;
}

/** A script that parsed and checked cleanly: everything emission needs. */
export interface Script {
  file: SourceFile;
  /**
   * The text that is embedded and hashed: CRLF → LF, BOM dropped, includes inlined, otherwise
   * exactly as read.
   */
  source: string;
  sha1: string;
  /** Where the lines of `source` come from; only when the script includes other files. */
  origins?: SourceOrigin[];
  /** The exported function's name; the descriptor is `${name}Script`. */
  name: string;
  /**
   * The name the file's name gives, when no export could take it (a reserved word, a leading digit,
   * a name index.ts takes) and `name` was derived from it instead: `delete` → `runDelete`.
   */
  renamedFrom?: string;
  signature: Signature;
  /** The flags of its `#!lua flags=...` line (`no-writes`, ...); absent when it has no shebang. */
  flags?: string[];
}

/** A file the generator wants to exist in the output folder. */
export interface GeneratedFile {
  /** Relative to the output folder, with `/`. */
  path: string;
  content: string;
}

export type Severity = "error" | "warning";

/** Errors are values until the CLI prints them. */
export interface Diagnostic {
  severity: Severity;
  /** Stable code, `LGnnn`; documented in docs/diagnostics.md. */
  code: string;
  message: string;
  /** Path as shown to the user (relative to the project root, `/` separators). */
  file: string;
  line: number;
  column: number;
  /** Optional advice printed after the message. */
  hint?: string;
}

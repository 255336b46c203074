/**
 * What a generated module hands the runtime: the descriptor of one script. These declarations are
 * the runtime's own (templates/typescript/runtime.ts), repeated here because the runtime is copied into
 * users' projects and must stay one standalone file, while luagen's build compiles only src/.
 * test/emit/descriptor.test.ts proves the two identical (tsc compares the types; `originOf` is
 * the same text in both), so a change to one that is not made to the other fails the tests.
 * The emitter builds a `ScriptDescriptor` value and prints it (emit/typescript/descriptor.ts): a field the
 * runtime adds is a type error there until luagen fills it in.
 */

/** How an argument may be encoded; an `ArgSpec` lists one or more. */
export type ArgKind = "string" | "number" | "integer" | "boolean" | "json";

/** One `@key` tag: `KEYS[i]`, or with `rest` all remaining keys. */
export interface KeySpec {
  readonly name: string;
  readonly rest: boolean;
}

/** One `@arg` tag: `ARGV[i]`, or with `rest` all remaining arguments. */
export interface ArgSpec {
  readonly name: string;
  readonly kinds: readonly ArgKind[];
  /** String literals the argument may be (`"asc"|"desc"`); empty when none. */
  readonly literals: readonly string[];
  readonly optional: boolean;
  readonly rest: boolean;
}

/** Everything the runtime knows about one script; generated, then frozen. */
export interface ScriptDescriptor {
  /** The exported function name, e.g. `incrCapped`; used in error messages. */
  readonly name: string;
  /** The `.lua` file it came from, e.g. `src/lua/incr-capped.lua`. */
  readonly file: string;
  /** The exact Lua source, as sent by EVAL. */
  readonly source: string;
  /** SHA-1 hex of `source`, as sent by EVALSHA. */
  readonly sha1: string;
  /** `KEYS` count, or `null` when a rest key makes it vary per call. */
  readonly numberOfKeys: number | null;
  readonly keys: readonly KeySpec[];
  readonly args: readonly ArgSpec[];
  /**
   * Where the lines of `source` come from, when it was assembled from several files
   * (`---@include`): from line `line` of `source` on, the lines are `file`'s from `fileLine`
   * on, until the next entry. Absent: every line is `file`'s own, one for one.
   */
  readonly origins?: readonly SourceOrigin[];
  /** The flags of the script's `#!lua flags=...` line (`no-writes`, `allow-cross-slot-keys`, ...); absent without one. */
  readonly flags?: readonly string[];
  /** With `--mode functions`: the library that holds the script as a function (under the script's `name`). */
  readonly library?: LibraryDescriptor;
}

/** A Redis Functions library of a folder's scripts (`--mode functions`); generated, then frozen. */
export interface LibraryDescriptor {
  /** `<base>_<version>`: what FUNCTION LOAD registers. */
  readonly name: string;
  /** A hash of the code: a library of other code has another name. */
  readonly version: string;
  /** What FUNCTION LOAD takes. */
  readonly code: string;
  /** By script name: its function's name, and the library line its body starts on (line 1 of the script). */
  readonly functions: Readonly<Record<string, { readonly name: string; readonly line: number }>>;
  /** Valkey GLIDE: makes the transaction a direct call loads the library in, with its call (the runtime's `NewBatch`). */
  readonly newBatch?: (client: object, atomic: boolean) => object;
}

/** One entry of `ScriptDescriptor.origins`. */
export interface SourceOrigin {
  readonly line: number;
  readonly file: string;
  readonly fileLine: number;
}

/**
 * The file and line that line `line` of an assembled source came from: the last entry starting
 * at or before it, counted on from its `fileLine`; undefined when no entry covers the line.
 */
export function originOf(origins: readonly SourceOrigin[], line: number): { file: string; line: number } | undefined {
  let found: SourceOrigin | undefined;
  for (const origin of origins) {
    if (origin.line > line) break;
    found = origin;
  }
  return found === undefined ? undefined : { file: found.file, line: found.fileLine + (line - found.line) };
}

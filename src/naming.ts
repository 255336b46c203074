import { diagnostic } from "./diagnostics.js";
import type { Diagnostic, Script } from "./model.js";

/**
 * `incr-capped.lua`, `incr_capped.lua` → `incrCapped`; `rate/sliding-window.lua` → `slidingWindow`;
 * `größe.lua` → `größe`. Words are runs of identifier characters (any script, as TypeScript
 * allows), split at `_` too; NFC, so a macOS (NFD) checkout gives the same name.
 */
export function functionNameFor(relativePath: string): string {
  const base = relativePath
    .slice(relativePath.lastIndexOf("/") + 1)
    .replace(/\.lua$/i, "")
    .normalize("NFC");
  const words = base.split(/[^\p{ID_Continue}$\u200C\u200D]+|_+/u).filter(Boolean);
  return words.map((word, i) => withFirst(word, i === 0 ? (c) => c.toLowerCase() : (c) => c.toUpperCase())).join("");
}

/** `word` with its first character cased by `change`, unless that changes its length (`ß` → `SS`). */
function withFirst(word: string, change: (c: string) => string): string {
  const [first = "", ...rest] = word;
  const changed = change(first);
  return ([...changed].length === 1 ? changed : first) + rest.join("");
}

// Reserved in strict-mode ES modules, plus names that would shadow what generated code relies on.
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" "),
);

/** What TypeScript accepts as an identifier: ECMAScript's ID_Start/ID_Continue, plus `$`, `_`, ZWNJ, ZWJ. */
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/**
 * Types index.ts re-exports from the runtime beside every script's function: a script may not
 * take one of these names. (In a script's own module nothing can clash: see emit/typescript/module.ts.)
 */
export const INDEX_RUNTIME_TYPES = ["ScriptBatch", "ScriptClient", "ScriptDescriptor"] as const;

/**
 * What index.ts exports for typed batches (emit/typescript/batch.ts), and the methods every typed batch has:
 * no script may take one of these names, whichever client the output is for. (The names index.ts
 * only imports or declares locally cannot clash: a script's `export { name } from` binds nothing
 * locally, and its imported descriptor always ends in `Script`.)
 */
export const BATCH_NAMES = {
  exported: [
    "multi",
    "pipeline",
    "Batch",
    "BatchScripts",
    "BatchControl",
    "BatchOutcome",
    "BatchError",
    "TransactionAbortedError",
    "Settled",
    "SettledReplies",
  ],
  // `then` too: a batch with a `then` method would be awaited as a promise.
  methods: ["exec", "execSettled", "length", "then"],
} as const;

/** Why index.ts cannot export a script under `name`, or undefined when it can. */
function indexNameProblem(name: string): string | undefined {
  const among = (names: readonly string[]) => names.includes(name);
  if (among(INDEX_RUNTIME_TYPES)) return "is a type index.ts exports from the runtime";
  if (among(BATCH_NAMES.exported)) return "is a name index.ts exports for typed batches";
  if (among(BATCH_NAMES.methods)) return "is a method every typed batch has";
  return undefined;
}

/**
 * The name a script without `---@name` is exported under: its file's name (`functionNameFor`), or
 * where no export can take that, `run` before it: `delete.lua` → `runDelete`, `140053a7.lua` →
 * `run140053a7`, `multi.lua` → `runMulti`. Deterministic, so a folder Redis runs as it is generates
 * without renaming files; `checkNames` warns with the name chosen (LG304).
 */
export function exportedNameFor(namePath: string): { name: string; renamedFrom?: string } {
  const name = functionNameFor(namePath);
  if (name === "" || exportProblem(name) === undefined) return { name };
  const derived = `run${withFirst(name, (c) => c.toUpperCase())}`;
  return exportProblem(derived) === undefined ? { name: derived, renamedFrom: name } : { name };
}

/** Why a script cannot be exported under `name`, or undefined when it can. */
function exportProblem(name: string): string | undefined {
  return nameProblem(name) ?? indexNameProblem(name);
}

export function isValidIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** Why `name` cannot be an exported name or a parameter, or undefined when it can. */
function nameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (RESERVED.has(name)) return "is a reserved word in TypeScript";
  if (!IDENTIFIER.test(name)) return "is not a valid TypeScript identifier";
  return undefined;
}

/**
 * A name problem in one script: the exported name or a parameter name that TypeScript would reject,
 * or a path no import can reach.
 */
export function checkNames(script: Script): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const named = script.signature.name !== undefined;
  const problem = exportProblem(script.name);
  if (script.renamedFrom !== undefined) {
    diagnostics.push(
      diagnostic(
        "LG304",
        script.file.path,
        { line: 1, column: 1 },
        `the file name ${JSON.stringify(baseName(script.file.path))} gives ${JSON.stringify(script.renamedFrom)}, which ${exportProblem(script.renamedFrom)}; the script is exported as ${JSON.stringify(script.name)}`,
        "add `---@name someName` to the doc comment to choose another name",
      ),
    );
  }
  if (problem !== undefined) {
    const from = named ? "" : ` (made from the file name ${JSON.stringify(baseName(script.file.path))})`;
    diagnostics.push(
      diagnostic(
        "LG300",
        script.file.path,
        { line: 1, column: 1 },
        `the exported name ${JSON.stringify(script.name)}${from} ${problem}`,
        named ? "choose another name in `---@name`" : "add `---@name someName` to the doc comment, or rename the file",
      ),
    );
  }
  for (const param of [...script.signature.keys, ...script.signature.args]) {
    const problem = nameProblem(param.name);
    if (problem !== undefined) {
      diagnostics.push(
        diagnostic(
          "LG300",
          script.file.path,
          { line: param.line, column: param.nameColumn },
          `the parameter name "${param.name}" ${problem}`,
          "rename the parameter in its tag",
        ),
      );
    }
  }
  const unimportable = UNIMPORTABLE.exec(script.file.relativePath);
  if (unimportable) {
    diagnostics.push(
      diagnostic(
        "LG303",
        script.file.path,
        { line: 1, column: 1 },
        `the module for ${script.file.relativePath} cannot be imported: its path holds ${JSON.stringify(unimportable[0])}, ` +
          "which an import path cannot carry to both TypeScript and Node (Node reads #, ? and % as URL syntax; both read \\ as a folder separator)",
        "rename the file or folder",
      ),
    );
  }
  return diagnostics;
}

/**
 * What an import path cannot hold so that TypeScript and Node both find the file: Node resolves
 * relative imports as URLs (`#` starts a fragment, `?` a query, `%` an escape, which TypeScript
 * does not decode), and both read `\` as `/`.
 */
const UNIMPORTABLE = /[\\%#?]/;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The module that holds the Functions library: `_`-named, as no script's module can be (partials emit nothing). */
export const LIBRARY_MODULE = "_library";

/** Reserved root-level outputs: a script may not generate over them. */
export const RESERVED_OUTPUTS = ["index.ts", "runtime.ts"];

/**
 * The index re-exports every function and descriptor in one flat namespace, so names must be
 * unique across folders; so must output paths, compared as a case-insensitive file system
 * (macOS, Windows) compares them.
 */
export function checkCollisions(scripts: readonly Script[]): Diagnostic[] {
  return [...nameClashes(scripts), ...outputClashes(scripts)];
}

/** One LG301 per pair of scripts, however many of their exported names clash. */
function nameClashes(scripts: readonly Script[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, Script>();
  for (const script of scripts) {
    const reported = new Set<Script>();
    for (const exported of [script.name, `${script.name}Script`]) {
      const other = byName.get(exported);
      if (other && other !== script && !reported.has(other)) {
        reported.add(other);
        diagnostics.push(
          diagnostic(
            "LG301",
            script.file.path,
            { line: 1, column: 1 },
            `"${exported}" is exported by both ${other.file.path} and ${script.file.path}`,
            "give one of them another name with `---@name otherName`",
          ),
        );
      }
      byName.set(exported, script);
    }
  }
  return diagnostics;
}

function outputClashes(scripts: readonly Script[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byOutput = new Map<string, { output: string; script?: Script }>(
    RESERVED_OUTPUTS.map((output) => [foldedPath(output), { output }]),
  );
  for (const script of scripts) {
    const output = outputPathFor(script);
    const taken = byOutput.get(foldedPath(output));
    if (taken) diagnostics.push(outputClash(script, output, taken));
    else byOutput.set(foldedPath(output), { output, script });
  }
  return diagnostics;
}

function outputClash(script: Script, output: string, taken: { output: string; script?: Script }): Diagnostic {
  const path = script.file.path;
  const sameFile = "one file on a case-insensitive file system (macOS, Windows)";
  let message: string;
  if (taken.script === undefined) {
    message =
      taken.output === output
        ? `${path} would generate ${output}, which luagen writes itself`
        : `${path} would generate ${output}, which luagen writes itself as ${taken.output}: ${sameFile}`;
  } else {
    message =
      taken.output === output
        ? `${path} and ${taken.script.file.path} would both generate ${output}`
        : `${path} and ${taken.script.file.path} would generate ${output} and ${taken.output}: ${sameFile}`;
  }
  return diagnostic("LG302", path, { line: 1, column: 1 }, message, "rename the file or move it into a folder");
}

/** An output path as a case-insensitive, normalisation-insensitive file system sees it. */
function foldedPath(output: string): string {
  return output.normalize("NFC").toLowerCase();
}

/** `rate/sliding-window.lua` → `rate/sliding-window.ts`. */
export function outputPathFor(script: Script): string {
  return script.file.relativePath.replace(/\.lua$/i, "") + ".ts";
}

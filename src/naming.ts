import { diagnostic } from "./diagnostics.js";
import type { Diagnostic, Script } from "./model.js";

/** `incr-capped.lua`, `incr_capped.lua` → `incrCapped`; `rate/sliding-window.lua` → `slidingWindow`. */
export function functionNameFor(relativePath: string): string {
  const base = relativePath.slice(relativePath.lastIndexOf("/") + 1).replace(/\.lua$/i, "");
  const words = base.split(/[^A-Za-z0-9$]+/).filter(Boolean);
  return words
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

// Reserved in strict-mode ES modules, plus names that would shadow what generated code relies on.
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" "),
);

export function isValidIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name);
}

/** A name problem in one script: the exported name or a parameter name that TypeScript would reject. */
export function checkNames(script: Script): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (!isValidIdentifier(script.name)) {
    diagnostics.push(
      diagnostic(
        "LG300",
        script.file.path,
        { line: 1, column: 1 },
        `the exported name "${script.name}" is not a valid TypeScript identifier`,
        'add `---@name someName` to the doc comment, or rename the file',
      ),
    );
  }
  for (const param of [...script.signature.keys, ...script.signature.args]) {
    if (!isValidIdentifier(param.name)) {
      diagnostics.push(
        diagnostic(
          "LG300",
          script.file.path,
          { line: param.line, column: 1 },
          `the parameter name "${param.name}" is a reserved word in TypeScript`,
          "rename the parameter in its tag",
        ),
      );
    }
  }
  return diagnostics;
}

/** Reserved root-level outputs: a script may not generate over them. */
export const RESERVED_OUTPUTS = ["index.ts", "runtime.ts"];

/**
 * The index re-exports every function and descriptor in one flat namespace, so names must be
 * unique across folders; so must output paths.
 */
export function checkCollisions(scripts: readonly Script[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, Script>();
  const byOutput = new Map<string, Script>();
  for (const script of scripts) {
    for (const exported of [script.name, `${script.name}Script`]) {
      const other = byName.get(exported);
      if (other && other !== script) {
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
    const output = outputPathFor(script);
    const taken = byOutput.get(output);
    if (RESERVED_OUTPUTS.includes(output) || taken) {
      diagnostics.push(
        diagnostic(
          "LG302",
          script.file.path,
          { line: 1, column: 1 },
          taken
            ? `${script.file.path} and ${taken.file.path} would both generate ${output}`
            : `${script.file.path} would generate ${output}, which luagen writes itself`,
          "rename the file or move it into a folder",
        ),
      );
    }
    byOutput.set(output, script);
  }
  return diagnostics;
}

/** `rate/sliding-window.lua` → `rate/sliding-window.ts`. */
export function outputPathFor(script: Script): string {
  return script.file.relativePath.replace(/\.lua$/i, "") + ".ts";
}

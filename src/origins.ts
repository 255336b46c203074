import { diagnostic, type Code } from "./diagnostics.js";
import type { Diagnostic, Position, SourceOrigin } from "./model.js";

/**
 * The file and line that line `line` of an expanded source came from: the last entry starting at
 * or before it, counted on from its `fileLine`. The same mapping turns Redis's `user_script:N` in
 * a runtime error into the included file's own line. Undefined when no entry covers the line.
 */
export function originOf(origins: readonly SourceOrigin[], line: number): { file: string; line: number } | undefined {
  let found: SourceOrigin | undefined;
  for (const origin of origins) {
    if (origin.line > line) break;
    found = origin;
  }
  return found === undefined ? undefined : { file: found.file, line: found.fileLine + (line - found.line) };
}

/**
 * A diagnostic at a position of a script's expanded source, placed in the file and at the line that
 * position came from (columns are unchanged: lines are inlined whole). One in an included file also
 * names the script, since a partial can be fine in one script and wrong in another.
 */
export function diagnosticAt(
  code: Code,
  script: string,
  origins: readonly SourceOrigin[] | undefined,
  at: Position,
  message: string,
  hint?: string,
): Diagnostic {
  const origin = (origins && originOf(origins, at.line)) ?? { file: script, line: at.line };
  const where = origin.file === script ? "" : ` (included by ${script})`;
  return diagnostic(code, origin.file, { line: origin.line, column: at.column }, message + where, hint);
}

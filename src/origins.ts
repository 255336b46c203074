import { diagnostic, type Code } from "./diagnostics.js";
import { originOf, type SourceOrigin } from "./descriptor.js";
import type { Diagnostic, Position } from "./model.js";

/**
 * `originOf`: the file and line that a line of an expanded source came from. The same mapping
 * turns Redis's `user_script:N` in a runtime error into the included file's own line.
 */
export { originOf };

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

import path from "node:path";
import { formatDiagnostic, paint, plural } from "./diagnostics.js";
import { explainTypes } from "./explain.js";
import type { RunOutcome } from "./generate.js";
import type { WritePlan } from "./write.js";

/** Where and how the CLI prints: injected so tests and `--watch` can reuse it. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Replaces the status line on stderr (a progress counter); "" clears it. Used only when `tty`. */
  status: (text: string) => void;
  cwd: string;
  /** Colour per stream: only where that stream is a TTY, and never with NO_COLOR set. */
  color: { stdout: boolean; stderr: boolean };
  /** stderr is a TTY: a progress counter may overwrite its line. */
  tty: boolean;
}

export interface ReportOptions {
  out: string;
  quiet: boolean;
  strict: boolean;
  check: boolean;
  /** `--explain-types`: print each script's return type and why. */
  explainTypes?: boolean;
}

/** Prints a run's diagnostics and its outcome; returns the exit code (0 or 1). */
export async function report(result: RunOutcome, options: ReportOptions, io: Io): Promise<0 | 1> {
  const shown = relativeTo(io.cwd, result.root);
  for (const d of result.diagnostics) {
    if (options.quiet && d.severity === "warning" && !options.strict) continue;
    io.stderr(formatDiagnostic(d, { sources: result.sources, color: io.color.stderr, shown }) + "\n");
  }
  if (options.explainTypes) for (const line of explainTypes(result.scripts, shown)) io.stdout(line);
  switch (result.kind) {
    case "failed": {
      const errors = result.diagnostics.filter((d) => d.severity === "error" || options.strict).length;
      io.stderr(
        paint(io.color.stderr, "31", `luagen: ${plural(errors, "error")}; nothing was written to ${options.out}`),
      );
      return 1;
    }
    case "planned":
      return reportCheck(result.plan, options, io);
    case "written":
      if (!options.quiet)
        io.stdout(
          paint(
            io.color.stdout,
            "32",
            summaryLine(result.scripts.length, options.out, result.summary, result.diagnostics.length),
          ),
        );
      return 0;
  }
}

/** Diagnostics name files relative to the project root; on the terminal, relative to where luagen runs. */
function relativeTo(cwd: string, root: string): (file: string) => string {
  return (file) => path.relative(cwd, path.resolve(root, file)).split(path.sep).join("/");
}

/** `--check`: a unified diff per stale file, then the missing and extra ones. */
async function reportCheck(plan: WritePlan, options: ReportOptions, io: Io): Promise<0 | 1> {
  const { createTwoFilesPatch } = await import("diff");
  const shown = (file: string) => path.posix.join(options.out.split(path.sep).join("/"), file);
  for (const file of plan.write) {
    if (file.previous === undefined) continue;
    io.stdout(
      createTwoFilesPatch(`a/${shown(file.path)}`, `b/${shown(file.path)}`, file.previous, file.content).trimEnd(),
    );
  }
  const missing = plan.write.filter((f) => f.previous === undefined).map((f) => f.path);
  for (const file of missing) io.stdout(`missing: ${shown(file)}`);
  for (const file of plan.remove) io.stdout(`extra: ${shown(file)}`);
  const stale = plan.write.length - missing.length;
  if (stale + missing.length + plan.remove.length === 0) {
    if (!options.quiet) io.stdout(upToDateLine(options.out, plan.unchanged.length));
    return 0;
  }
  io.stderr(
    paint(
      io.color.stderr,
      "31",
      `luagen: ${options.out} is out of date: ${stale} stale, ${missing.length} missing, ${plan.remove.length} extra; run luagen without --check`,
    ),
  );
  return 1;
}

/**
 * A run the stamp answered (stamp.ts), having written `written` modules (rebuild.ts) or none: what a
 * full run that found the other files unchanged prints.
 */
export function reportStamped(
  stamp: { scripts: number; files: number },
  written: number,
  options: ReportOptions,
  io: Io,
): 0 {
  if (options.quiet) return 0;
  const counts = { written, unchanged: stamp.files - written, removed: 0 };
  io.stdout(
    options.check ? upToDateLine(options.out, stamp.files) : summaryLine(stamp.scripts, options.out, counts, 0),
  );
  return 0;
}

/** What `--check` prints when the output folder holds exactly what would be generated. */
function upToDateLine(out: string, files: number): string {
  return `luagen: ${out} is up to date (${plural(files, "file")})`;
}

export function summaryLine(
  scripts: number,
  out: string,
  s: { written: number; unchanged: number; removed: number },
  warnings: number,
): string {
  const warned = warnings > 0 ? `, ${plural(warnings, "warning")}` : "";
  return `luagen: ${plural(scripts, "script")} → ${out} (${s.written} written, ${s.unchanged} unchanged, ${s.removed} removed${warned})`;
}

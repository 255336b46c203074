import { applyWrites } from "./write.js";
import type { RunContext } from "./context.js";
import { generateTargets, type GenerateOptions, type GenerateResult, type RunOutcome } from "./generate.js";
import { report, type Io, type ReportOptions } from "./report.js";

/** One target of a run: what to generate and how to report it. */
export interface Run {
  options: GenerateOptions;
  reporting: ReportOptions;
}

/**
 * How several targets ended: a usage or file-system error for the caller to print, or reported,
 * with the exit code and, when every target got past planning, each one's outcome.
 */
export type TargetsEnded =
  | Extract<GenerateResult, { kind: "usage-error" | "fs-error" }>
  | { kind: "reported"; code: number; outcomes?: RunOutcome[] };

/**
 * Several targets (the config's `"targets"`) from one build (`generateTargets`): each is planned
 * first, writing nothing, and only when every one of them succeeded are they written — every
 * folder's files staged before the first is renamed into place — so a failure in one (LG305 is
 * the Python target's own) leaves every folder as it was. The checks are the same for all, so
 * diagnostics print once, with the first target. Used by a run and by each `--watch` round.
 */
export async function generateEveryTarget(runs: readonly Run[], context: RunContext, io: Io): Promise<TargetsEnded> {
  const results = await generateTargets(
    runs.map(({ options }) => ({ ...options, check: true })),
    context,
  );
  const planned: Extract<RunOutcome, { kind: "planned" }>[] = [];
  for (const [i, result] of results.entries()) {
    if (result.kind === "usage-error" || result.kind === "fs-error") return result;
    if (result.kind !== "planned") return { kind: "reported", code: await report(result, runs[i]!.reporting, io) };
    planned.push(result);
  }
  const summaries = runs[0]!.options.check ? undefined : await applyWrites(planned.map(({ plan }) => plan));
  let code = 0;
  const outcomes: RunOutcome[] = [];
  for (const [i, { reporting }] of runs.entries()) {
    // Printed with the first target only; every outcome keeps them, for its stamp (a warning is no clean run).
    const result = { ...planned[i]!, diagnostics: i === 0 ? planned[i]!.diagnostics : [] };
    const outcome: RunOutcome = summaries ? { ...result, kind: "written", summary: summaries[i]! } : result;
    outcomes.push({ ...outcome, diagnostics: planned[0]!.diagnostics });
    code = Math.max(code, await report(outcome, reporting, io));
  }
  return { kind: "reported", code, outcomes };
}

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
 * The targets of a run (one, or the config's `"targets"`) from one build (`generateTargets`): each
 * is planned first, writing nothing, and only when every one of them succeeded are they written,
 * every folder's files staged before the first is renamed into place, so a failure in one (LG305
 * is the Python target's own) leaves every folder as it was. The checks are the same for all, so
 * diagnostics print once, with the first target. Used by a run of several targets and by each
 * `--watch` round.
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
    const result = planned[i]!;
    const outcome: RunOutcome = summaries ? { ...result, kind: "written", summary: summaries[i]! } : result;
    outcomes.push(outcome);
    // A planned target's diagnostics are the build's (its own are errors): printed once, with the first.
    code = Math.max(code, await report(i === 0 ? outcome : { ...outcome, diagnostics: [] }, reporting, io));
  }
  return { kind: "reported", code, outcomes };
}

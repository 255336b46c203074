// Runs the project's own TypeScript compiler on a tsconfig, as a user's build would.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./workspace.js";

const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const execFileAsync = promisify(execFile);

/** `tsc -p project`: its exit code and everything it printed. */
export async function tsc(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [TSC, "-p", project], { cwd: path.dirname(project) });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/**
 * The strictest settings a careful team turns on (issue 8 §6): `strict` plus every check that
 * is off by default and could reject code we generate. Generated code must compile under all
 * of them, with either module resolution.
 */
export const STRICTEST = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
} as const;

// Runs the project's own TypeScript compiler on a tsconfig, as a user's build would.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
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

/**
 * Writes `dir/tsconfig.json` for a type-check of generated code and a consumer: no emit, ES2022,
 * node's types, `strict` unless `options` say otherwise. `scope` is the tsconfig's `include`
 * (folders and files) or, as `{ files }`, an exact file list. Returns the file's path, for `tsc`.
 */
export function writeTsconfig(
  dir: string,
  options: Record<string, unknown>,
  scope: readonly string[] | { files: readonly string[] } = ["gen", "consumer.ts"],
): string {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "ES2022",
    skipLibCheck: true,
    types: ["node"],
    ...options,
  };
  const file = path.join(dir, "tsconfig.json");
  const files = Array.isArray(scope) ? { include: scope } : { files: (scope as { files: readonly string[] }).files };
  writeFileSync(file, JSON.stringify({ compilerOptions, ...files }, null, 2));
  return file;
}

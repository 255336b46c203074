import { readFileSync } from "node:fs";
import { mkdir, readdir, rmdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import { GENERATED_MARK } from "./emit/header.js";
import type { GeneratedFile } from "./model.js";

/** What a write would do to the output folder; computed before anything changes. */
export interface WritePlan {
  outDir: string;
  /** New or changed files; `previous` is the content they replace, when there is one. */
  write: Array<GeneratedFile & { previous?: string }>;
  unchanged: string[];
  remove: string[];
  /** Paths luagen wants to write that hold a file it did not generate: never overwritten. */
  foreign: string[];
}

export interface WriteSummary {
  written: number;
  unchanged: number;
  removed: number;
}

/** Compares the wanted files with the output folder as it is. Reads only. */
export async function planWrite(outDir: string, files: readonly GeneratedFile[]): Promise<WritePlan> {
  const existing = await readGenerated(outDir);
  const wanted = new Set(files.map((f) => f.path));
  const plan: WritePlan = { outDir, write: [], unchanged: [], remove: [], foreign: [] };
  for (const file of files) {
    const current = existing.get(file.path);
    if (current === undefined) plan.write.push(file);
    else if (!isGenerated(current)) plan.foreign.push(file.path);
    else if (current === file.content) plan.unchanged.push(file.path);
    else plan.write.push({ ...file, previous: current });
  }
  for (const [file, content] of existing) if (!wanted.has(file) && isGenerated(content)) plan.remove.push(file);
  plan.remove.sort();
  return plan;
}

/** Carries out a plan: writes changed files only, removes stale generated ones and the folders they leave empty. */
export async function applyWrite(plan: WritePlan): Promise<WriteSummary> {
  const folders = new Set(plan.write.map((file) => path.dirname(path.join(plan.outDir, file.path))));
  for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
  await Promise.all(plan.write.map((file) => writeFile(path.join(plan.outDir, file.path), file.content, "utf8")));
  for (const file of plan.remove) {
    await unlink(path.join(plan.outDir, file));
    await removeEmptyParents(plan.outDir, path.dirname(file));
  }
  return { written: plan.write.length, unchanged: plan.unchanged.length, removed: plan.remove.length };
}

export function isGenerated(content: string): boolean {
  return content.startsWith(GENERATED_MARK);
}

async function readGenerated(outDir: string): Promise<Map<string, string>> {
  const names = await fg("**/*.ts", { cwd: outDir, onlyFiles: true, dot: false }).catch(() => [] as string[]);
  // Synchronous for the same reason as the scanner's reads: many small files.
  return new Map(names.sort().map((name) => [name, readFileSync(path.join(outDir, name), "utf8")]));
}

async function removeEmptyParents(outDir: string, relativeDir: string): Promise<void> {
  for (let dir = relativeDir; dir !== "." && dir !== ""; dir = path.dirname(dir)) {
    const absolute = path.join(outDir, dir);
    if ((await readdir(absolute)).length > 0) return;
    await rmdir(absolute);
  }
}

import { readFileSync } from "node:fs";
import path from "node:path";
import { emitModule } from "./emit/typescript/emit.js";
import { buildScripts } from "./build.js";
import { checkSettings, emitSettings, type GenerateOptions } from "./generate.js";
import { usesFunctions } from "./libraries.js";
import type { GeneratedFile, Script, SourceFile } from "./model.js";
import { PathError } from "./path-error.js";
import { readSourceText } from "./scan.js";
import { shapeOf, type Stamp, type StampCheck } from "./stamp.js";
import { applyWrite, isGenerated } from "./write.js";

/**
 * More changed scripts than this go through a full run, whose run context (context.ts) reuses the
 * others' builds: a rebuild is for the edit-and-build loop, not for a checkout.
 */
const MAX_REBUILT = 32;

/** What a rebuild did: its scripts, and the modules whose text changed (written unless `check`). */
export interface Rebuilt {
  scripts: Script[];
  changed: GeneratedFile[];
}

/**
 * A run over only the scripts whose own text changed since a clean stamped run (stamp.ts), when
 * nothing else did: no folder, included file or output file, and no option. Each goes through the
 * same stages as in a full run (build, emit, write); what the full run adds, index.ts and the
 * cross-script checks, depends only on the other scripts and on each script's shape, so a script
 * whose shape is unchanged leaves them as they are.
 *
 * Whatever it cannot be sure of, it leaves to a full run by returning undefined, having changed
 * nothing: a changed file that is not a script or is included, a diagnostic (the full run reports
 * every script's), a script whose shape changed (index.ts would), a module that is not luagen's,
 * and, under `check`, a module that is stale (the full run prints the diff).
 */
export async function rebuild(
  options: GenerateOptions,
  seen: StampCheck,
  outDir: string,
): Promise<Rebuilt | undefined> {
  // A Functions library holds every script's code: a change to one is a change to it (a full run).
  if (usesFunctions(options.mode) || options.target === "python") return undefined;
  const files = changedScripts(seen);
  if (files === undefined) return undefined;
  const settings = checkSettings(options);
  if ("error" in settings) return undefined;
  const library = includedTexts(seen.stamp, files);
  if (library === undefined) return undefined;
  const built = buildScripts(files, { library, ...settings });
  if (built.diagnostics.length > 0 || built.scripts.length !== files.length) return undefined;
  if (built.scripts.some((script) => shapeOf(script) !== partOf(seen.stamp, script.file.path).shape)) return undefined;

  const changed: GeneratedFile[] = [];
  const emitting = emitSettings(options);
  for (const module of built.scripts.map((script) => emitModule(script, emitting))) {
    const current = readIfAny(path.join(outDir, module.path));
    if (current === undefined || !isGenerated(current)) return undefined;
    if (current !== module.content) changed.push(module);
  }
  if (options.check && changed.length > 0) return undefined;
  if (!options.check && changed.length > 0) {
    try {
      await applyWrite({ outDir, write: changed, unchanged: [], remove: [], foreign: [] });
    } catch (error) {
      // A link or a folder where a module was: the full run says so, with the rest of its checks.
      if (error instanceof PathError) return undefined;
      throw error;
    }
  }
  return { scripts: built.scripts, changed };
}

/** The changed paths as the scripts to rebuild, read from disk; undefined when they are not only scripts. */
function changedScripts({ stamp, changed }: StampCheck): SourceFile[] | undefined {
  if (changed.length > MAX_REBUILT) return undefined;
  const included = new Set(Object.values(stamp.parts).flatMap((part) => part.includes));
  const files: SourceFile[] = [];
  for (const at of changed) {
    const part = stamp.parts[at];
    if (part === undefined || included.has(part.path)) return undefined;
    const text = readSourceText(at);
    if (text === undefined) return undefined;
    files.push({ path: part.path, relativePath: part.relativePath, text, partial: false });
  }
  return files;
}

/**
 * The files the scripts included when stamped, by path, for `---@include`. They are unchanged; a
 * script that now includes another file gets LG110 from the include stage, and a full run.
 */
function includedTexts(stamp: Stamp, files: readonly SourceFile[]): Map<string, string> | undefined {
  const library = new Map<string, string>();
  for (const file of files) {
    for (const include of partOf(stamp, file.path).includes) {
      const text = library.get(include) ?? readSourceText(path.resolve(stamp.root, include));
      if (text === undefined) return undefined;
      library.set(include, text);
    }
  }
  return library;
}

function partOf(stamp: Stamp, file: string) {
  return stamp.parts[path.resolve(stamp.root, file)]!;
}

function readIfAny(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

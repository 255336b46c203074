import { readFileSync } from "node:fs";
import path from "node:path";
import type { LibraryMember } from "./emit/library.js";
import { buildScripts } from "./build.js";
import { checkSettings, emitSettings, libraryBase, type GenerateOptions } from "./generate.js";
import { libraryHomes, settingFolder, usesFunctions, type LibraryHome } from "./libraries.js";
import { expandIncludes } from "./lua/includes.js";
import type { GeneratedFile, Script, SourceFile } from "./model.js";
import { PathError } from "./path-error.js";
import { readSourceText } from "./scan.js";
import { shapeOf, type ScriptPart, type Stamp, type StampCheck } from "./stamp.js";
import { applyWrite, isGenerated } from "./write.js";

/**
 * More changed scripts than this go through a full run, whose run context (context.ts) reuses the
 * others' builds: a rebuild is for the edit-and-build loop, not for a checkout.
 */
const MAX_REBUILT = 32;

/** What a rebuild did: its scripts, the files whose text changed (written unless `check`), every file it compared. */
export interface Rebuilt {
  scripts: Script[];
  changed: GeneratedFile[];
  /** Relative to the output folder: the rebuilt scripts' modules, and their libraries' files. */
  compared: string[];
}

/**
 * A run over only the scripts whose own text changed since a clean stamped run (stamp.ts), when
 * nothing else did: no folder, included file or output file, and no option. Each goes through the
 * same stages as in a full run (build, emit, write), for either target; what the full run adds,
 * index.ts (or the Python package's `__init__.py`) and the cross-script checks, depends only on
 * the other scripts and on each script's shape, so a script whose shape is unchanged leaves them
 * as they are.
 *
 * With `--mode functions` the library of each rebuilt script is made again too, from the rebuilt
 * scripts and, for its other members, what the stamp recorded of them (name, flags, includes) and
 * their texts on disk, which the stamp vouches for: the same members in the same order as a full run.
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
  const files = changedScripts(seen);
  if (files === undefined) return undefined;
  const settings = checkSettings(options);
  if ("error" in settings) return undefined;
  const library = includedTexts(seen.stamp, files);
  if (library === undefined) return undefined;
  const built = buildScripts(files, { library, ...settings });
  if (built.diagnostics.length > 0 || built.scripts.length !== files.length) return undefined;
  if (built.scripts.some((script) => shapeOf(script) !== partOf(seen.stamp, script.file.path).shape)) return undefined;

  const homes = libraryHomesOf(options, seen.stamp);
  if (homes === undefined) return undefined;
  const emitter = await targetEmitter(options);
  const modules = built.scripts.map((script) => emitter.module(script, homes.get(script.file.path)));
  const libraries = touchedLibraries(built.scripts, homes, seen.stamp, emitter);
  if (libraries === undefined) return undefined;
  const changed: GeneratedFile[] = [];
  for (const file of [...modules, ...libraries]) {
    const current = readIfAny(path.join(outDir, file.path));
    if (current === undefined || !isGenerated(current)) return undefined;
    if (current !== file.content) changed.push(file);
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
  return { scripts: built.scripts, changed, compared: [...modules, ...libraries].map((file) => file.path) };
}

/**
 * What a rebuild needs of the target's emitter: a script's module and a library's files, each of
 * which depends on its own scripts and the options only (the package's or index's files do not change).
 */
interface TargetEmitter {
  module(script: Script, home: LibraryHome | undefined): GeneratedFile;
  library(members: readonly LibraryMember[], home: LibraryHome): GeneratedFile[];
}

async function targetEmitter(options: GenerateOptions): Promise<TargetEmitter> {
  const emitting = emitSettings(options);
  if (options.target === "python") {
    const { emitPythonModule, pythonLibraryFiles } = await import("./emit/python/package.js");
    return {
      module: (script, home) => emitPythonModule(script, emitting.version, home),
      library: (members, home) => pythonLibraryFiles(members, home, emitting.version),
    };
  }
  const { emitModule, libraryFiles } = await import("./emit/typescript/emit.js");
  return {
    module: (script, home) => emitModule(script, { ...emitting, library: home?.dir }),
    library: (members, home) => libraryFiles(members, home, emitting),
  };
}

/** Where each stamped script's function lives (libraries.ts), as the full run found it; undefined on an error there. */
function libraryHomesOf(options: GenerateOptions, stamp: Stamp): ReadonlyMap<string, LibraryHome> | undefined {
  if (!usesFunctions(options.mode)) return new Map();
  const files = Object.values(stamp.parts).map((part) => ({ ...sourceOf(part), text: "" }));
  const base = options.library ?? libraryBase(stamp.root);
  const homes = libraryHomes(files, options.mode!, base, settingFolder(options.cwd ?? process.cwd(), stamp.root));
  return "error" in homes ? undefined : homes;
}

/**
 * The files of every library that holds a rebuilt script, its members in the stamp's order (the
 * full run's): the rebuilt scripts as built, the others from disk; undefined when one cannot be read.
 */
function touchedLibraries(
  rebuilt: readonly Script[],
  homes: ReadonlyMap<string, LibraryHome>,
  stamp: Stamp,
  emitter: TargetEmitter,
): GeneratedFile[] | undefined {
  const byPath = new Map(rebuilt.map((script) => [script.file.path, script]));
  const touched = new Set(rebuilt.flatMap((script) => homes.get(script.file.path) ?? []));
  const parts = Object.values(stamp.parts).filter((part) => {
    const home = homes.get(part.path);
    return home !== undefined && touched.has(home);
  });
  const others = membersOnDisk(
    parts.filter((part) => !byPath.has(part.path)),
    stamp,
  );
  if (others === undefined) return undefined;
  return [...touched].flatMap((home) => {
    const members = parts
      .filter((part) => homes.get(part.path) === home)
      .map((part) => byPath.get(part.path) ?? others.get(part.path)!);
    return emitter.library(members, home);
  });
}

/**
 * The scripts the rebuild did not build, as their libraries hold them: their texts on disk,
 * includes inlined as a build does (each included file read once); undefined when one cannot be read.
 */
function membersOnDisk(parts: readonly ScriptPart[], stamp: Stamp): Map<string, LibraryMember> | undefined {
  const files: SourceFile[] = [];
  for (const part of parts) {
    const text = readSourceText(path.resolve(stamp.root, part.path));
    if (text === undefined) return undefined;
    files.push({ ...sourceOf(part), text });
  }
  const library = includedTexts(stamp, files);
  if (library === undefined) return undefined;
  const members = new Map<string, LibraryMember>();
  for (const [i, file] of files.entries()) {
    const expanded = expandIncludes(file, library);
    if (expanded.diagnostics.length > 0) return undefined;
    const { name, flags } = parts[i]!;
    members.set(file.path, { name, source: expanded.source, file: { path: file.path }, ...(flags && { flags }) });
  }
  return members;
}

function sourceOf(part: ScriptPart): Omit<SourceFile, "text"> {
  return { path: part.path, relativePath: part.relativePath, partial: false };
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
    files.push({ ...sourceOf(part), text });
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

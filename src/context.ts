import { statSync } from "node:fs";
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashOf } from "./hash.js";
import type { Diagnostic, Script } from "./model.js";

/** What parsing and checking one script gave: the script when it has no errors, and its diagnostics. */
export interface BuiltScript {
  script?: Script;
  diagnostics: Diagnostic[];
}

/**
 * One script's build: `key` hashes everything it was built from (its text, output path and
 * expanded source, so a change in an included file rebuilds it too).
 */
export interface BuildEntry {
  key: string;
  built: BuiltScript;
}

/**
 * Everything one session of runs shares, with one owner: the CLI creates a context per process,
 * `--watch` one for all its runs, and `generate(options, context)` reads it and updates it after
 * each stage. The stages themselves never see it: `buildScripts` and `emit` take the previous
 * entries and return the ones they used. `GenerateOptions` holds only what a user sets.
 */
export interface RunContext {
  /** Parse/check results by script path: exactly the last run's scripts. */
  builds: ReadonlyMap<string, BuildEntry>;
  /** Emitted module text by a hash of the script and the emit options: exactly the last run's modules. */
  modules: ReadonlyMap<string, string>;
  /**
   * File texts by absolute path, filled by the scanner: every script, partial and included file
   * the last run read. `--watch` drops a changed file's entry and watches included files from it.
   */
  readonly texts: Map<string, string>;
  /** Called as scripts are parsed and checked, for a progress display. */
  readonly onProgress?: (done: number, total: number) => void;
  /** The file `saveRunContext` keeps the caches in between processes; none keeps them in memory only. */
  readonly file?: string;
  /** Set when `builds` or `modules` changed since they were loaded or saved. */
  dirty: boolean;
}

export interface ContextOptions {
  onProgress?: (done: number, total: number) => void;
}

/** A context that lives in memory only (`--watch` within one process, the programmatic API). */
export function createRunContext(options: ContextOptions = {}): RunContext {
  return { builds: new Map(), modules: new Map(), texts: new Map(), onProgress: options.onProgress, dirty: false };
}

/** Replaces the build entries with this run's; the context turns dirty only when they differ. */
export function keepBuilds(context: RunContext, used: ReadonlyMap<string, BuildEntry>): void {
  if (sameEntries(context.builds, used)) return;
  context.builds = used;
  context.dirty = true;
}

/** Replaces the emitted modules with this run's: scripts that are gone are forgotten, so the cache does not grow. */
export function keepModules(context: RunContext, used: ReadonlyMap<string, string>): void {
  if (sameEntries(context.modules, used)) return;
  context.modules = used;
  context.dirty = true;
}

function sameEntries<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): boolean {
  return a.size === b.size && [...b].every(([key, value]) => a.get(key) === value);
}

interface Stored {
  fingerprint: string;
  build: [string, BuildEntry][];
  modules: [string, string][];
}

/**
 * A context whose caches persist in `node_modules/.cache/luagen`, one file per output folder, so
 * a rerun over 1,000 unchanged scripts does not parse them again (see BENCHMARKS.md). Starts
 * empty when there is no such file, it is unreadable, or another build of luagen wrote it.
 */
export async function openRunContext(cwd: string, outDir: string, options: ContextOptions = {}): Promise<RunContext> {
  const file = cacheFile(cwd, outDir, "json");
  if (!file) return createRunContext(options);
  const context: RunContext = { ...createRunContext(options), file };
  try {
    const stored = JSON.parse(await readFile(file, "utf8")) as Stored;
    if (stored.fingerprint !== (await fingerprint())) return context;
    return { ...context, builds: new Map(stored.build), modules: new Map(stored.modules) };
  } catch {
    return context;
  }
}

/** Writes the caches atomically (a reader never sees half a file), when they changed. A failure only costs the next run time. */
export async function saveRunContext(context: RunContext): Promise<void> {
  if (!context.dirty || !context.file) return;
  context.dirty = false;
  const stored: Stored = {
    fingerprint: await fingerprint(),
    build: [...context.builds],
    modules: [...context.modules],
  };
  try {
    await mkdir(path.dirname(context.file), { recursive: true });
    const temp = `${context.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored));
    await rename(temp, context.file);
  } catch {
    // The cache is an optimisation: a read-only node_modules must not fail the build.
  }
}

/**
 * A cache file for one output folder (`json`: the run context; `stamp.json`: the no-op stamp):
 * only in a project that has node_modules (where build tools keep theirs), never in the output
 * folder itself.
 */
export function cacheFile(cwd: string, outDir: string, extension: string): string | undefined {
  const modules = path.join(cwd, "node_modules");
  if (!statSync(modules, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  return path.join(modules, ".cache", "luagen", `${hashOf(path.resolve(outDir)).slice(0, 16)}.${extension}`);
}

let cachedFingerprint: Promise<string> | undefined;

/** Identifies this build of luagen: a cache written by any other build is ignored. */
function fingerprint(): Promise<string> {
  cachedFingerprint ??= (async () => {
    const dist = path.dirname(fileURLToPath(import.meta.url));
    const files = [...(await readdir(dist, { recursive: true }))].filter((f) => f.endsWith(".js")).sort();
    const texts = await Promise.all(files.map((f) => readFile(path.join(dist, f), "utf8")));
    const runtime = await readFile(path.resolve(dist, "..", "templates", "typescript", "runtime.ts"), "utf8");
    return hashOf(JSON.stringify([files, texts, runtime]));
  })();
  return cachedFingerprint;
}

import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildCache } from "./generate.js";

/**
 * What a run can reuse from the previous one: per script, its parse/check result (keyed by a
 * hash of everything it was built from) and its emitted module. Kept in memory by `--watch` and
 * on disk under node_modules/.cache/luagen between runs, so a rerun over 1,000 unchanged scripts
 * does not parse them again (see BENCHMARKS.md).
 */
export interface RunCache {
  build: BuildCache;
  /** Emitted module text by a hash of the script and the emit options. */
  modules: Map<string, string>;
  /** Set when an entry was added or dropped: an unchanged cache is not written again. */
  dirty: boolean;
}

export function emptyCache(): RunCache {
  return { build: new Map(), modules: new Map(), dirty: true };
}

interface Stored {
  fingerprint: string;
  build: [string, { key: string; built: unknown }][];
  modules: [string, string][];
}

export function hashOf(value: string): string {
  return createHash("sha1").update(value, "utf8").digest("hex");
}

/**
 * The cache file for one output folder: only in a project that has node_modules (where build
 * tools keep theirs), never in the output folder itself.
 */
async function cacheFile(cwd: string, outDir: string): Promise<string | undefined> {
  const modules = path.join(cwd, "node_modules");
  const exists = await readdir(modules).then(
    () => true,
    () => false,
  );
  return exists ? path.join(modules, ".cache", "luagen", `${hashOf(path.resolve(outDir)).slice(0, 16)}.json`) : undefined;
}

/** Loads the cache a previous run left; an empty one if there is none, or it was made by another build of luagen. */
export async function loadCache(cwd: string, outDir: string): Promise<RunCache> {
  const file = await cacheFile(cwd, outDir);
  if (!file) return emptyCache();
  try {
    const stored = JSON.parse(await readFile(file, "utf8")) as Stored;
    if (stored.fingerprint !== (await fingerprint())) return emptyCache();
    return { build: new Map(stored.build) as BuildCache, modules: new Map(stored.modules), dirty: false };
  } catch {
    return emptyCache();
  }
}

/** Writes the cache atomically (a reader never sees half a file). A failure only costs the next run time. */
export async function saveCache(cwd: string, outDir: string, cache: RunCache): Promise<void> {
  if (!cache.dirty) return;
  const file = await cacheFile(cwd, outDir);
  if (!file) return;
  cache.dirty = false;
  const stored: Stored = { fingerprint: await fingerprint(), build: [...cache.build], modules: [...cache.modules] };
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(stored));
    await rename(temp, file);
  } catch {
    // The cache is an optimisation: a read-only node_modules must not fail the build.
  }
}

let cachedFingerprint: Promise<string> | undefined;

/** Identifies this build of luagen: a cache written by any other build is ignored. */
function fingerprint(): Promise<string> {
  cachedFingerprint ??= (async () => {
    const dist = path.dirname(fileURLToPath(import.meta.url));
    const files = [...(await readdir(dist, { recursive: true }))].filter((f) => f.endsWith(".js")).sort();
    const texts = await Promise.all(files.map((f) => readFile(path.join(dist, f), "utf8")));
    const runtime = await readFile(path.resolve(dist, "..", "templates", "runtime.ts"), "utf8");
    return hashOf(JSON.stringify([files, texts, runtime]));
  })();
  return cachedFingerprint;
}

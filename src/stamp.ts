import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashOf } from "./hash.js";
import type { Script } from "./model.js";
import { outputPathFor } from "./naming.js";
import { isWalked } from "./walk.js";

/**
 * The stamp: after a clean run (no diagnostics), what the run looked at and wrote — every folder
 * it listed (by what it lists), every file it read, every file of the output folder (size,
 * modification and change time, inode) — and each script's part. A later run with the same options
 * and the same luagen whose every path still shows the same answers is a no-op without loading the
 * generator: nothing it would read differs, and the output folder holds what it would write. One
 * where only scripts changed rebuilds those alone (rebuild.ts). Like make and `tsc -b`, it trusts
 * the file system's times; unlike them it also compares the change time, which no tool sets back,
 * so a file edited and given its old mtime is still noticed.
 */
export interface Stamp {
  /** The options and the luagen build the stamped run had (`stampKey`). */
  key: string;
  /** For the summary line a no-op prints. */
  scripts: number;
  files: number;
  /** By absolute path: `size:mtime:ctime:inode`, in nanoseconds, or `UNSEEN`. */
  states: Record<string, string>;
  /** The project root the scripts' paths are relative to (SourceFile.path). */
  root: string;
  /** Every script, by absolute path: what a run that rebuilds only it needs (rebuild.ts). */
  parts: Record<string, ScriptPart>;
}

/** One script of a stamped run. */
export interface ScriptPart {
  /** Its `SourceFile.path` (relative to `root`) and `relativePath` (to its input folder). */
  path: string;
  relativePath: string;
  /** Every file it includes, directly or not, relative to `root`. */
  includes: string[];
  /** Its module, relative to the output folder. */
  output: string;
  /** `shapeOf` the script: whatever of it other files of the output depend on. */
  shape: string;
  /** Its exported name and `#!lua` flags: what a Functions library holds of it besides its source (rebuild.ts). */
  name: string;
  flags?: string[];
}

/**
 * The state of a script read too close to the start of its run to be sure of (see RACY_MS): it
 * matches no path, so the next run looks at that script again, and only at it.
 */
const UNSEEN = "unseen";

/**
 * What of a script index.ts and the cross-script checks read: everything but its text, hash and
 * origins, which only its own module holds, and the why of its return type, which only
 * `--explain-types` prints. Two builds of a script with the same shape leave every other generated
 * file as it is.
 */
export function shapeOf(script: Script): string {
  const { source: _source, sha1: _sha1, origins: _origins, file, signature, ...rest } = script;
  const returns = { ...signature.returns, explanation: undefined };
  return hashOf(JSON.stringify([rest, { ...file, text: undefined }, { ...signature, returns }]));
}

/** The stamp's record of each script of a run: its paths, includes, module and shape. */
export function partsOf(scripts: readonly Script[], root: string): Record<string, ScriptPart> {
  const parts: Record<string, ScriptPart> = {};
  for (const script of scripts) {
    const includes = new Set((script.origins ?? []).map((origin) => origin.file));
    includes.delete(script.file.path);
    parts[path.resolve(root, script.file.path)] = {
      path: script.file.path,
      relativePath: script.file.relativePath,
      includes: [...includes].sort(),
      output: outputPathFor(script),
      shape: shapeOf(script),
      name: script.name,
      ...(script.flags && { flags: [...script.flags] }),
    };
  }
  return parts;
}

/**
 * A path edited this close to (or after) the start of the run that read it may have changed
 * between the read and the stamp, within the time resolution of the file system (FAT: 2 s):
 * such a run is not stamped, so the next one looks again (git's "racily clean" rule).
 */
const RACY_MS = 2_000;

/**
 * The disk's answer for a path, and its mtime in ms; undefined when it cannot answer: nothing
 * there, a file where a folder was (ENOTDIR), no permission. Any of those means a full run,
 * which reports them properly, never an error from here.
 */
function stateOf(file: string): { state: string; mtimeMs: number } | undefined {
  try {
    // Times as Node's doubles (sub-microsecond), not BigInt nanoseconds: a stat of each of the
    // 2,000-odd paths of a 1,000-script project took ~21 ms as BigInt against ~12 ms so.
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return undefined;
    const { mtimeMs } = stats;
    if (stats.isDirectory()) return { state: `folder:${listingOf(file)}`, mtimeMs };
    return { state: `${stats.size}:${mtimeMs}:${stats.ctimeMs}:${stats.ino}`, mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * A folder's state is what the scan sees of it (walk.ts): the names and kinds of its entries. Its
 * times change whenever an editor saves a file in it by writing a temporary file and renaming it
 * over the old one, which leaves the listing, and so the scan, as it was.
 */
function listingOf(folder: string): string {
  const entries = readdirSync(folder, { withFileTypes: true }).filter(isWalked);
  return hashOf(
    entries
      .map((entry) => `${entry.isSymbolicLink() ? "l" : entry.isDirectory() ? "d" : "f"}${entry.name}`)
      .sort()
      .join("/"),
  );
}

/** What identifies a run's result besides the files: its options and this build of luagen (by its files' states). */
export function stampKey(options: unknown): string {
  return hashOf(JSON.stringify([options, ownFiles().map((file) => [file, stateOf(file)?.state])]));
}

/**
 * The files of this build of luagen that a run's output depends on: dist's modules and every
 * template a target copies into its output (runtime.ts, runtime.py).
 */
export function ownFiles(): string[] {
  const dist = path.dirname(fileURLToPath(import.meta.url));
  const templates = path.resolve(dist, "..", "templates");
  const below = (folder: string, keep: (file: string) => boolean) =>
    readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter(keep)
      .sort()
      .map((file) => path.join(folder, file));
  return [...below(dist, (file) => file.endsWith(".js")), ...below(templates, (file) => /\.(?:ts|py)$/.test(file))];
}

/** A stamp for the run's options, and the paths that no longer show what it recorded. */
export interface StampCheck {
  stamp: Stamp;
  /** Empty: nothing changed, the run is a no-op. */
  changed: string[];
}

/**
 * The stamp in `file`, when it is there, well formed and for `key`, with what changed since; anything
 * else (no file, a truncated or hand-edited one) means a full run.
 */
export function readStamp(file: string, key: string): StampCheck | undefined {
  let stamp: unknown;
  try {
    stamp = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!isStamp(stamp) || stamp.key !== key) return undefined;
  const changed = Object.entries(stamp.states)
    .filter(([at, state]) => state === UNSEEN || stateOf(at)?.state !== state)
    .map(([at]) => at);
  return { stamp, changed };
}

function isStamp(value: unknown): value is Stamp {
  const stamp = value as Partial<Stamp> | null;
  return (
    typeof stamp === "object" &&
    stamp !== null &&
    typeof stamp.key === "string" &&
    Number.isInteger(stamp.scripts) &&
    Number.isInteger(stamp.files) &&
    isRecord(stamp.states) &&
    Object.values(stamp.states).every((state) => typeof state === "string") &&
    typeof stamp.root === "string" &&
    isRecord(stamp.parts) &&
    Object.values(stamp.parts).every(isPart)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPart(value: unknown): value is ScriptPart {
  const part = value as Partial<ScriptPart> | null;
  return (
    isRecord(part) &&
    typeof part.path === "string" &&
    typeof part.relativePath === "string" &&
    typeof part.output === "string" &&
    typeof part.shape === "string" &&
    typeof part.name === "string" &&
    (part.flags === undefined || isStrings(part.flags)) &&
    isStrings(part.includes)
  );
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Writes the stamp of a clean run that started at `startedMs` (epoch ms), atomically; nothing when
 * a folder or included file it read changed too recently to be sure of, or is gone (a script that
 * did is stamped `UNSEEN`: the next run rebuilds it alone). `known` holds states already checked
 * (a rebuild's unchanged paths). A failure only costs the next run time, as with the run context.
 */
export function writeStamp(
  file: string,
  stamp: Omit<Stamp, "states">,
  paths: { looked: readonly string[]; written: readonly string[]; known?: Readonly<Record<string, string>> },
  startedMs: number,
): void {
  const states: Record<string, string> = { ...paths.known };
  // What the run read must be older than the run; what it wrote is its own.
  for (const at of paths.looked) {
    const seen = stateOf(at);
    if (seen !== undefined && seen.mtimeMs <= startedMs - RACY_MS) states[at] = seen.state;
    else if (seen !== undefined && at in stamp.parts) states[at] = UNSEEN;
    else return;
  }
  for (const at of paths.written) {
    const seen = stateOf(at);
    if (seen === undefined) return;
    states[at] = seen.state;
  }
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ ...stamp, states }));
    renameSync(temp, file);
  } catch {
    // An optimisation only: a read-only node_modules must not fail the build.
  }
}

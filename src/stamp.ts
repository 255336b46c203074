import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashOf } from "./hash.js";

/**
 * The no-op stamp: after a clean run (no diagnostics), what the run looked at and wrote — every
 * folder it listed, every file it read, every file of the output folder — each as the disk
 * showed it (size, modification and change time, inode). A later run with the same options and
 * the same luagen whose every path still shows the same answers without loading the generator:
 * nothing it would read differs, and the output folder holds what it would write. Like make and
 * `tsc -b`, it trusts the file system's times; unlike them it also compares the change time, which
 * no tool sets back, so a file edited and given its old mtime is still noticed.
 */
export interface Stamp {
  /** The options and the luagen build the stamped run had (`stampKey`). */
  key: string;
  /** For the summary line a no-op prints. */
  scripts: number;
  files: number;
  /** By absolute path: `size:mtime:ctime:inode`, in nanoseconds. */
  states: Record<string, string>;
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
    const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (stats === undefined) return undefined;
    const state = `${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.ino}`;
    return { state, mtimeMs: Number(stats.mtimeNs / 1_000_000n) };
  } catch {
    return undefined;
  }
}

/** What identifies a run's result besides the files: its options and this build of luagen (by its files' states). */
export function stampKey(options: unknown): string {
  const dist = path.dirname(fileURLToPath(import.meta.url));
  const own = readdirSync(dist, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .sort()
    .map((file) => [file, stateOf(path.join(dist, file))?.state]);
  const runtime = stateOf(path.resolve(dist, "..", "templates", "runtime.ts"))?.state;
  return hashOf(JSON.stringify([options, own, runtime]));
}

/**
 * The stamp in `file`, when it is there, well formed, for `key`, and every path still shows what
 * it recorded; anything else (no file, a truncated or hand-edited one) means a full run.
 */
export function freshStamp(file: string, key: string): Stamp | undefined {
  let stamp: unknown;
  try {
    stamp = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!isStamp(stamp) || stamp.key !== key) return undefined;
  for (const [at, state] of Object.entries(stamp.states)) if (stateOf(at)?.state !== state) return undefined;
  return stamp;
}

function isStamp(value: unknown): value is Stamp {
  const stamp = value as Partial<Stamp> | null;
  return (
    typeof stamp === "object" &&
    stamp !== null &&
    typeof stamp.key === "string" &&
    Number.isInteger(stamp.scripts) &&
    Number.isInteger(stamp.files) &&
    typeof stamp.states === "object" &&
    stamp.states !== null &&
    Object.values(stamp.states).every((state) => typeof state === "string")
  );
}

/**
 * Writes the stamp of a clean run that started at `startedMs` (epoch ms), atomically; nothing
 * when a path it read changed too recently to be sure of, or is gone. A failure only costs the
 * next run time, as with the run context.
 */
export function writeStamp(
  file: string,
  stamp: Omit<Stamp, "states">,
  looked: readonly string[],
  written: readonly string[],
  startedMs: number,
): void {
  const states: Record<string, string> = {};
  // What the run read must be older than the run; what it wrote is its own.
  for (const at of looked) {
    const seen = stateOf(at);
    if (seen === undefined || seen.mtimeMs > startedMs - RACY_MS) return;
    states[at] = seen.state;
  }
  for (const at of written) {
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

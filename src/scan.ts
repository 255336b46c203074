import { readFileSync, realpathSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import type FastGlob from "fast-glob";
import { diagnostic } from "./diagnostics.js";
import { includedPaths } from "./lua/includes.js";
import type { Diagnostic, Position, SourceFile } from "./model.js";
import { decodeUtf8 } from "./utf8.js";
import { isLua, walkLua } from "./walk.js";

export interface ScanResult {
  /** Every `.lua` file found under the inputs, scripts and partials (`partial: true`) alike. */
  files: SourceFile[];
  /**
   * The text of every file read, by `path`: those found under the inputs and those reached only
   * through `---@include`. The include stage reads nothing else.
   */
  library: Map<string, string>;
  /** Inputs that name nothing: a usage error, not a script error. */
  missing: string[];
  /** The folder each input stands for (absolute): a folder, a file's folder, a glob's static part. */
  roots: string[];
  /** Files found but not readable (or not UTF-8), links skipped. */
  diagnostics: Diagnostic[];
  /**
   * What the scan looked at (absolute paths): every folder it listed and every file it read, for
   * the no-op stamp (stamp.ts). Undefined when an input is a glob, whose listing fast-glob keeps.
   */
  looked?: { folders: string[]; files: string[] };
}

interface Found {
  absolute: string;
  /** Its real path, when the walk that found it knows it. */
  real?: string;
  /** The folder the file's output path is relative to. */
  root: string;
}

const IGNORE = ["**/node_modules/**"];

/**
 * fast-glob, loaded on first use: only an input that names no file or folder (a glob) or an
 * exclusion needs it, and loading it is about 50 ms of a run that needs nothing else of it
 * (measured: `import("fast-glob")` alone, this machine), a sixth of a one-script rebuild.
 */
let fastGlob: typeof FastGlob | undefined;
function fg(): typeof FastGlob {
  fastGlob ??= createRequire(import.meta.url)("fast-glob") as typeof FastGlob;
  return fastGlob;
}

/**
 * Finds the `.lua` files named by `inputs` (folders, files or globs, relative to `cwd`), reads
 * them (unless `texts`, by absolute path, already holds them), and returns them sorted by their
 * POSIX relative path so everything downstream is deterministic. Their `path` is relative to
 * `root`, the project root (see root.ts): the same from any working directory. Files that `---@include` reaches
 * outside the inputs are read too, into `library`: this is the stage that touches the disk.
 */
export async function scan(
  inputs: readonly string[],
  cwd: string,
  exclude: readonly string[] = [],
  texts: Map<string, string> = new Map(),
  root: string = cwd,
): Promise<ScanResult> {
  // By real path: a file reached through two inputs or two names is scanned once.
  const found = new Map<string, Found>();
  const missing: string[] = [];
  const roots = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const excluded = await excludedFiles(exclude, cwd);
  let folders: string[] | undefined = [];
  for (const input of inputs) {
    roots.add(inputFolder(input, cwd));
    const expanded = await expand(input, cwd);
    // A glob lists its folders out of sight: from then on nothing can be stamped.
    folders = folders && expanded.folders ? folders.concat(expanded.folders) : undefined;
    const matches = expanded.found.filter((m) => !excluded.has(m.absolute));
    if (matches.length === 0 && !(await isDirectory(path.resolve(cwd, input)))) missing.push(input);
    for (const match of matches) {
      const real = match.real ?? realOrSelf(match.absolute);
      if (!found.has(real)) found.set(real, match);
    }
    diagnostics.push(...expanded.skipped.map(({ link, target }) => skippedLink(root, link, target)));
  }
  const files: SourceFile[] = [];
  const library = new Map<string, string>();
  for (const [real, { absolute, root: inputRoot }] of found) {
    const shown = toPosix(path.relative(root, absolute));
    const relativePath = toPosix(path.relative(inputRoot, absolute));
    const text = readText(absolute, texts, real);
    if (typeof text !== "string") {
      diagnostics.push(unreadable(shown, text));
      continue;
    }
    files.push({ path: shown, relativePath, text, partial: isPartial(relativePath) });
    library.set(shown, text);
  }
  files.sort((a, b) => compare(a.relativePath, b.relativePath) || compare(a.path, b.path));
  readIncludedFiles(library, root, texts, diagnostics);
  const result: ScanResult = { files, library, missing, roots: [...roots], diagnostics };
  if (folders) result.looked = { folders, files: [...library.keys()].map((file) => path.resolve(root, file)) };
  return result;
}

/**
 * One file's text read as the scan reads it (a link to a file that is not Lua, bytes that are not
 * UTF-8: not read), or undefined when it cannot be: for a rebuild of single scripts (rebuild.ts),
 * which leaves saying why to a full run.
 */
export function readSourceText(absolute: string): string | undefined {
  const text = readText(absolute, new Map());
  return typeof text === "string" ? text : undefined;
}

/** A file named `_*.lua`, or in a folder named `includes` below its input root: only ever included. */
export function isPartial(relativePath: string): boolean {
  const parts = relativePath.split("/");
  return parts[parts.length - 1].startsWith("_") || parts.slice(0, -1).includes("includes");
}

/**
 * Adds to `library` every file an include reaches that it does not hold yet, following includes
 * in those too. A file that is not there, or cannot be read, is left out: the include stage reports it
 * where it is included (LG110), with the chain that led there; why one that is there cannot be read
 * (a link to a file that is not Lua, bytes that are not UTF-8) is an LG002 added to `diagnostics`.
 */
function readIncludedFiles(
  library: Map<string, string>,
  root: string,
  texts: Map<string, string>,
  diagnostics: Diagnostic[],
): void {
  const pending = [...library];
  const tried = new Set(library.keys());
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, text] = next;
    for (const target of includedPaths(from, text)) {
      if (tried.has(target)) continue;
      tried.add(target);
      const included = readIncludedText(path.resolve(root, target), texts);
      if (typeof included !== "string") {
        if (!included.absent) diagnostics.push(unreadable(target, included));
        continue;
      }
      library.set(target, included);
      pending.push([target, included]);
    }
  }
}

/**
 * An included file's text. The scanner's own files are regular files already (the walk and the
 * globs keep only those); an include names a path, which may be a FIFO or a device, where a read
 * would wait forever or never end.
 */
function readIncludedText(absolute: string, texts: Map<string, string>): string | Unreadable {
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isFile() && !stats.isDirectory()) {
    return { at: { line: 1, column: 1 }, message: "not a regular file (a FIFO, a socket or a device): not read" };
  }
  return readText(absolute, texts);
}

interface Unreadable {
  at: Position;
  message: string;
  hint?: string;
  /** Nothing is there: for an include, "not found" says it all. */
  absent?: boolean;
}

function unreadable(shown: string, why: Unreadable): Diagnostic {
  return diagnostic("LG002", shown, why.at, why.message, why.hint);
}

/**
 * A file's text, from `texts` when it holds it, else from disk (and remembered there); why not,
 * when it cannot be read or is not UTF-8 (never decoded with replacement characters: the embedded
 * SHA-1 would no longer be the file's). Synchronous on purpose: for thousands of small files one
 * readFileSync costs a fraction of fs/promises' open/fstat/read/close round trips through the thread pool.
 */
function readText(
  absolute: string,
  texts: Map<string, string>,
  real: string = realOrSelf(absolute),
): string | Unreadable {
  const known = texts.get(absolute);
  if (known !== undefined) return known;
  if (isLua(absolute) && !isLua(real)) {
    return {
      at: { line: 1, column: 1 },
      message: `a symbolic link to ${toPosix(path.relative(path.dirname(absolute), real))}, which is not a .lua file: not read`,
      hint: "luagen reads only .lua files, so that no link can bring another file (an .env, a key) into generated code or a code frame",
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    // "ELOOP: too many symbolic links encountered, open '/abs/x.lua'": the path is the diagnostic's.
    return {
      at: { line: 1, column: 1 },
      message: `cannot read: ${(error as Error).message.replace(/, [a-z]+ '.*$/s, "")}`,
      absent: (error as NodeJS.ErrnoException).code === "ENOENT",
    };
  }
  const text = decodeUtf8(bytes);
  if (typeof text !== "string") {
    const byte = text.byte.toString(16).toUpperCase().padStart(2, "0");
    return {
      at: text,
      message: `not valid UTF-8: byte 0x${byte} at offset ${text.offset}`,
      hint: "save the file as UTF-8: luagen embeds scripts as text, byte for byte, and never alters them",
    };
  }
  texts.set(absolute, text);
  return text;
}

function realOrSelf(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

function skippedLink(cwd: string, link: string, target: string): Diagnostic {
  const shown = (p: string) => toPosix(path.relative(cwd, p)) || ".";
  return diagnostic(
    "LG003",
    shown(link),
    { line: 1, column: 1 },
    `a symbolic link to ${shown(target)}, which is scanned already (a loop, or a second name for it): skipped`,
  );
}

/** The folder an input stands for (absolute): the folder itself, a file's folder, a glob's static part. */
export function inputFolder(input: string, cwd: string): string {
  const root = watchRoot(input, cwd);
  return statSync(root, { throwIfNoEntry: false })?.isFile() ? path.dirname(root) : root;
}

/** The folder (or file) a watcher must observe to see every file an input can match. */
export function watchRoot(input: string, cwd: string): string {
  const absolute = path.resolve(cwd, input);
  // What is there is a file or a folder, glob characters in its name or not (as `expand` reads it).
  if (statSync(absolute, { throwIfNoEntry: false }) !== undefined || !fg().isDynamicPattern(toPosix(input)))
    return absolute;
  const [task] = fg().generateTasks([toPosix(input)], { cwd });
  return path.resolve(cwd, task?.base ?? ".");
}

/** An input's files; `folders` it listed, undefined for a glob (fast-glob lists them out of sight). */
async function expand(
  input: string,
  cwd: string,
): Promise<{ found: Found[]; skipped: Array<{ link: string; target: string }>; folders?: string[] }> {
  const absolute = path.resolve(cwd, input);
  if (await isDirectory(absolute)) {
    const walked = walkLua(absolute);
    const found = walked.files.map(({ at, real }) => ({ absolute: at, real, root: absolute }));
    return { found, skipped: walked.skipped, folders: walked.folders };
  }
  if (await isFile(absolute)) return { found: [{ absolute, root: path.dirname(absolute) }], skipped: [], folders: [] };
  if (!fg().isDynamicPattern(toPosix(input))) return { found: [], skipped: [], folders: [] };
  // A glob's output paths are relative to its static part: `src/lua/**/*.lua` mirrors below src/lua.
  const pattern = toPosix(input);
  const root = watchRoot(input, cwd);
  // Links in a glob's folders are not followed: fast-glob has no loop detection (name the folder to follow them).
  const names = await fg()(pattern, {
    cwd,
    ignore: IGNORE,
    onlyFiles: true,
    absolute: true,
    followSymbolicLinks: false,
  });
  const found = names.filter(isLua).map((name) => ({ absolute: path.normalize(name), root }));
  return { found, skipped: [] };
}

/** Exclusions are globs relative to cwd; a folder excludes everything below it. */
async function excludedFiles(exclude: readonly string[], cwd: string): Promise<Set<string>> {
  if (exclude.length === 0) return new Set();
  const patterns = exclude.flatMap((e) => [toPosix(e), `${toPosix(e).replace(/\/$/, "")}/**`]);
  const names = await fg()(patterns, { cwd, onlyFiles: true, absolute: true, followSymbolicLinks: false });
  return new Set(names.map((name) => path.normalize(name)));
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  type Dirent,
} from "node:fs";
import path from "node:path";
import { GENERATED_MARK, LUA_MARK, PYTHON_MARK, ROOT_HEADER } from "./emit/header.js";
import type { GeneratedFile } from "./model.js";
import { onPath, PathError, pathError } from "./path-error.js";

/** What a write would do to the output folder; computed before anything changes. */
export interface WritePlan {
  outDir: string;
  /** New or changed files; `previous` is the content they replace, when there is one. */
  write: Array<GeneratedFile & { previous?: string }>;
  unchanged: string[];
  remove: string[];
  /**
   * Paths luagen wants to write that hold a file it did not generate, or that lie at or below a
   * symbolic link: never overwritten, never written through.
   */
  foreign: string[];
}

export interface WriteSummary {
  written: number;
  unchanged: number;
  removed: number;
}

/** The file every other generated file is reached through: written last, so it never names a module not yet in place. */
const INDEX = new Set(["index.ts", "__init__.py"]);

/**
 * Compares the wanted files with the output folder as it is. Reads only. A folder that cannot be
 * read fully is a PathError: taking it for empty would overwrite what it hides.
 */
export async function planWrite(
  outDir: string,
  files: readonly GeneratedFile[],
  guard?: OutDirGuard,
  kinds: OutputKinds = TYPESCRIPT_OUTPUT,
): Promise<WritePlan> {
  if (guard) checkOutDir(outDir, guard);
  const unowned = files.find((file) => !kinds.test(file.path));
  if (unowned) throw new Error(`${unowned.path} is not among the files this target writes (${kinds})`);
  const { generated: existing, links } = readOutput(outDir, kinds);
  const wanted = new Set(files.map((f) => f.path));
  const plan: WritePlan = { outDir, write: [], unchanged: [], remove: [], foreign: [] };
  for (const file of files) {
    const current = existing.get(file.path);
    if (throughLink(file.path, links)) plan.foreign.push(file.path);
    else if (current === undefined) plan.write.push(file);
    else if (!isGenerated(current)) plan.foreign.push(file.path);
    else if (current === file.content) plan.unchanged.push(file.path);
    else plan.write.push({ ...file, previous: current });
  }
  for (const [file, content] of existing) if (!wanted.has(file) && isGenerated(content)) plan.remove.push(file);
  plan.remove.sort();
  return plan;
}

/** What an output folder must keep clear of. */
export interface OutDirGuard {
  /** The working directory: node_modules or .git above it are the project's surroundings, not its own. */
  cwd: string;
  /** The input folders (absolute). */
  inputs: readonly string[];
}

/** Folders of other tools: an output folder is never inside one and never holds one. */
const NOT_OURS = new Set(["node_modules", ".git"]);

/**
 * Refuses an output folder inside node_modules or .git, or one that is or holds an input folder
 * (`--out .`): luagen removes stale generated files, and there it could reach files that are not
 * its own (a package's template that carries the generated header). A PathError naming it.
 */
function checkOutDir(outDir: string, guard: OutDirGuard): void {
  const refuse = (reason: string) =>
    new PathError(outDir, "write into", `${reason}; give luagen an output folder of its own (e.g. src/generated)`);
  const inside = path
    .relative(guard.cwd, outDir)
    .split(path.sep)
    .find((part) => NOT_OURS.has(part));
  if (inside !== undefined) throw refuse(`it is inside ${inside}`);
  const real = realOrResolved(outDir);
  const input = guard.inputs.find((root) => isWithin(realOrResolved(root), real));
  if (input !== undefined) throw refuse(`it holds the input folder ${toPosix(path.relative(guard.cwd, input)) || "."}`);
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function isWithin(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/**
 * Carries out a plan so that a failure leaves the folder as it was: every target is checked, then
 * every file is written to a hidden temporary sibling; only when all are written are they renamed
 * into place (index.ts last), and only then are stale files removed. A rename cannot truncate: each
 * file is either old or new. Any failure is a PathError naming the path.
 */
export async function applyWrite(plan: WritePlan): Promise<WriteSummary> {
  return (await applyWrites([plan]))[0]!;
}

/**
 * `applyWrite` for several plans at once (a run of several targets): every plan's targets are
 * checked and every plan's files staged before the first is renamed into place, so a failure in one
 * folder leaves every folder as it was, not the first target written and the second not.
 */
export async function applyWrites(plans: readonly WritePlan[]): Promise<WriteSummary[]> {
  const targets = plans.flatMap(({ outDir, write }) =>
    [...write].sort((a, b) => Number(INDEX.has(a.path)) - Number(INDEX.has(b.path))).map((file) => ({ outDir, file })),
  );
  for (const { outDir, file } of targets) checkTarget(outDir, file.path);
  commit(stage(targets));
  for (const plan of plans) for (const file of plan.remove) removeGenerated(plan.outDir, file);
  return plans.map((plan) => ({
    written: plan.write.length,
    unchanged: plan.unchanged.length,
    removed: plan.remove.length,
  }));
}

/**
 * A file luagen wrote: a module starts with its header; a Functions library (`_library.lua`) starts
 * with the `#!lua name=` line Redis requires, then the header as a Lua comment.
 */
export function isGenerated(content: string): boolean {
  return content.startsWith(GENERATED_MARK) || content.startsWith(PYTHON_MARK) || isGeneratedLibrary(content);
}

/** A Functions library luagen wrote (`_library.lua`): what `luagen deploy` agrees to load. */
export function isGeneratedLibrary(content: string): boolean {
  return GENERATED_LIBRARY.test(content);
}

const GENERATED_LIBRARY = new RegExp(`^#!lua name=\\w+\\n${LUA_MARK}`);

/** Whether `file` (relative, `/`) is a link or lies below one. */
function throughLink(file: string, links: ReadonlySet<string>): boolean {
  const parts = file.split("/");
  return parts.some((_, i) => links.has(parts.slice(0, i + 1).join("/")));
}

/**
 * The files one target writes, and so the only ones a run of it reads, replaces or removes as
 * stale: a TypeScript run and a Python run may share a folder, or nest one in the other, and
 * neither takes the other's files for its own stale ones.
 */
export type OutputKinds = RegExp;

/** TypeScript modules and a Functions library (`_library.lua`). */
export const TYPESCRIPT_OUTPUT: OutputKinds = /\.(?:ts|lua)$/;

/** Python modules, the package's `py.typed` marker and a Functions library (`_library.lua`). */
export const PYTHON_OUTPUT: OutputKinds = /\.py$|(?:^|\/)(?:py\.typed|_library\.lua)$/;

interface Output {
  /** The files of the target's kinds below the output folder (not hidden, not through links), with their text. */
  generated: Map<string, string>;
  /**
   * Every symbolic link met, and every subfolder that is another run's output folder (it holds an
   * index or runtime file luagen wrote), relative: never followed, never read as this run's.
   */
  links: Set<string>;
}

/** The files luagen writes at an output folder's root only (see ROOT_HEADER). */
const ROOT_FILES = ["index.ts", "runtime.ts", "__init__.py", "runtime.py"];

/** Whether the subfolder `folder` is the output folder of another luagen run (nested in this one's). */
function isOtherOutput(folder: string, entries: readonly Dirent[]): boolean {
  return entries.some(
    (entry) =>
      entry.isFile() && ROOT_FILES.includes(entry.name) && ROOT_HEADER.test(readHead(path.join(folder, entry.name))),
  );
}

/**
 * The files of `kinds` luagen wrote below `outDir`, by path relative to it, in path order, read as
 * a run reads its output folder: no link followed, hidden folders and other runs' output folders
 * (nested in this one) left out. A missing folder holds none; an unreadable one is a PathError.
 */
export function readGenerated(outDir: string, kinds: OutputKinds): Map<string, string> {
  const { generated } = readOutput(outDir, kinds);
  for (const [file, text] of generated) if (!isGenerated(text)) generated.delete(file);
  return generated;
}

/** Reads the output folder without following links; a missing folder is empty, an unreadable one an error. */
function readOutput(outDir: string, kinds: OutputKinds): Output {
  const output: Output = { generated: new Map(), links: new Set() };
  const walk = (relative: string) => {
    const folder = path.join(outDir, relative);
    const entries = onPath("read", folder, () => readdirSync(folder, { withFileTypes: true }));
    if (relative !== "" && isOtherOutput(folder, entries)) {
      output.links.add(relative);
      return;
    }
    for (const entry of entries.sort((a, b) => compare(a.name, b.name))) {
      const name = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (NOT_OURS.has(entry.name)) {
        throw new PathError(
          outDir,
          "write into",
          `it holds ${name}, which is not luagen's; give luagen an output folder of its own`,
        );
      }
      if (entry.name.startsWith(".")) continue;
      if (entry.isSymbolicLink()) output.links.add(name);
      else if (entry.isDirectory()) walk(name);
      // Synchronous for the same reason as the scanner's reads: many small files.
      else if (entry.isFile() && kinds.test(name)) output.generated.set(name, readOwn(path.join(outDir, name)));
    }
  };
  if (lstatIfAny(outDir) !== undefined) walk("");
  return output;
}

/** Files up to this size are read whole at once; a larger one first by its head. */
const WHOLE_BYTES = 1 << 20;

/** Enough of a file's start to tell whether luagen wrote it (`isGenerated` reads its first line or two). */
const HEAD_BYTES = 4096;

/**
 * A file of the output folder: whole when luagen wrote it; of a large one that is not luagen's only
 * its head, all `isGenerated` needs, so that the user's 600 MB dump in the output folder is left
 * alone at once instead of failing the run ("Cannot create a string longer than ...").
 */
function readOwn(file: string): string {
  return withFile(file, (fd) => {
    if (fstatSync(fd).size <= WHOLE_BYTES) return readFileSync(fd, "utf8");
    const head = headOf(fd);
    // The head was read at an offset, so the file's position is still its start.
    return isGenerated(head) ? readFileSync(fd, "utf8") : head;
  });
}

/** A file's first HEAD_BYTES: all that tells whether it is the root file of another run's output. */
function readHead(file: string): string {
  return withFile(file, headOf);
}

function headOf(fd: number): string {
  const head = Buffer.alloc(HEAD_BYTES);
  return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)).toString("utf8");
}

function withFile(file: string, read: (fd: number) => string): string {
  return onPath("read", file, () => {
    const fd = openSync(file, "r");
    try {
      return read(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/**
 * Every folder on the way to `file` below the output folder is a real folder (or absent), and `file`
 * is a file (or absent). The output folder itself may be a link: the user named it.
 */
function checkTarget(outDir: string, file: string): void {
  const parts = file.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const absolute = path.join(outDir, ...parts.slice(0, i));
    const stats = onPath("write", absolute, () => lstatIfAny(absolute));
    if (stats === undefined) return;
    const isTarget = i === parts.length;
    if (stats.isSymbolicLink())
      throw new PathError(absolute, "write through", "it is a symbolic link; luagen never writes through links");
    if (isTarget && !stats.isFile()) throw new PathError(absolute, "write", "it is a folder (or not a regular file)");
    if (!isTarget && !stats.isDirectory()) throw new PathError(absolute, "write into", "it is a file, not a folder");
  }
}

function lstatIfAny(absolute: string) {
  return lstatSync(absolute, { throwIfNoEntry: false });
}

interface Staged {
  target: string;
  temp: string;
}

/** Writes every file beside its target; on a failure, removes what it wrote and the folders it made, and throws. */
function stage(targets: readonly { outDir: string; file: GeneratedFile }[]): Staged[] {
  const staged: Staged[] = [];
  const madeFolders: string[] = [];
  const folders = new Set<string>();
  try {
    for (const { outDir, file } of targets) {
      const target = path.join(outDir, file.path);
      const folder = path.dirname(target);
      if (!folders.has(folder)) {
        const made = onPath("write", folder, () => mkdirSync(folder, { recursive: true }));
        if (made !== undefined) madeFolders.push(made);
        folders.add(folder);
      }
      const temp = path.join(folder, `.${path.basename(target)}.${process.pid}.luagen-tmp`);
      // A temporary left by a killed run with the same pid is removed (a link there too, not its target);
      // "wx" then never writes through anything already at that name.
      onPath("write", target, () => {
        rmSync(temp, { force: true });
        writeFileSync(temp, file.content, { encoding: "utf8", flag: "wx" });
      });
      staged.push({ target, temp });
    }
    return staged;
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    for (const folder of madeFolders.reverse()) rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/** Renames the staged files into place in order; on a failure, removes the temporaries left and throws. */
function commit(staged: readonly Staged[]): void {
  for (const [i, { target, temp }] of staged.entries()) {
    try {
      renameSync(temp, target);
    } catch (error) {
      for (const rest of staged.slice(i)) rmSync(rest.temp, { force: true });
      throw pathError("write", target, error);
    }
  }
}

/** Removes one stale generated file, never through a link, then the folders it leaves empty. */
function removeGenerated(outDir: string, file: string): void {
  const absolute = path.join(outDir, file);
  if (!onPath("remove", absolute, () => lstatIfAny(absolute))?.isFile()) return;
  onPath("remove", absolute, () => unlinkSync(absolute));
  for (let dir = path.dirname(file); dir !== "." && dir !== ""; dir = path.dirname(dir)) {
    const folder = path.join(outDir, dir);
    if (onPath("read", folder, () => readdirSync(folder)).length > 0) return;
    onPath("remove", folder, () => rmdirSync(folder));
  }
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

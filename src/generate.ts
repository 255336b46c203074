import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildScripts, type Built } from "./build.js";
import { createRunContext, keepBuilds, keepModules, type RunContext } from "./context.js";
import { diagnostic, hasErrors, sortDiagnostics, type SourceTexts } from "./diagnostics.js";
import { COMMANDS, extendCommands, type CommandTable, type UserCommand } from "./lua/commands.js";
import { parseServer, serverNamesText, type Server } from "./lua/servers.js";
import type { Diagnostic, GeneratedFile, Script } from "./model.js";
import { PathError } from "./path-error.js";
import { projectRoot } from "./root.js";
import { inputFolder, scan, toPosix, type ScanResult } from "./scan.js";
import { LIBRARY_NAME, LIBRARY_NAME_RULE, type Client, type ModeSetting, type Target } from "./config.js";
import { libraryHomes, settingFolder, type LibraryHome } from "./libraries.js";
import { VERSION } from "./version.js";
import { applyWrite, planWrite, PYTHON_OUTPUT, TYPESCRIPT_OUTPUT, type WritePlan, type WriteSummary } from "./write.js";

export interface GenerateOptions {
  /** Folders, files or globs holding `.lua` scripts, relative to `cwd`. */
  inputs: readonly string[];
  /** The output folder, relative to `cwd`. */
  out: string;
  cwd?: string;
  /** Warnings fail the run (and so nothing is written). */
  strict?: boolean;
  /** Appended to relative imports in generated code; ".js" (NodeNext) by default. */
  importExtension?: string;
  /** The client library generated modules are typed for; ioredis by default. */
  client?: Client;
  /** Globs (relative to `cwd`) of files to leave out. */
  exclude?: readonly string[];
  /** Compare with the output folder instead of writing to it (`--check`). */
  check?: boolean;
  /** Commands added to Redis's table for the command checks (the config's `commands`). */
  commands?: Readonly<Record<string, UserCommand>>;
  /** The server the scripts run on (`redis-7.2`, `valkey-8.1`; see servers.ts): the checks use its facts. */
  server?: string;
  /**
   * `functions`: the scripts also become a Functions library (`_library.ts`), called by FCALL;
   * `scripts` by default. By folder (relative to `cwd`), a library per folder set to `functions`
   * (libraries.ts).
   */
  mode?: ModeSetting;
  /** With `mode: "functions"`, the library's base name; by default the project root folder's name. */
  library?: string;
  /** `python`: a package for redis-py (emit/python/package.ts) instead of TypeScript modules. */
  target?: Target;
  /**
   * The project root (relative to `cwd`) that paths printed into generated code are relative to:
   * the CLI passes the config file's folder. By default, the nearest folder holding a package.json
   * at or above the first input, else that input's folder (see root.ts).
   */
  root?: string;
}

/** What every run that got past scanning found: diagnostics, and the scripts that built cleanly. */
export interface RunFindings {
  /** Sorted by file, line and column. */
  diagnostics: Diagnostic[];
  /** Source texts by diagnostic path, for code frames. */
  sources: SourceTexts;
  scripts: Script[];
  /** The project root (absolute) diagnostics' paths are relative to; the CLI shows them relative to where it runs. */
  root: string;
  /** The folders the scan listed and the files it read (scan.ts), for the no-op stamp; absent for glob inputs. */
  looked?: { folders: string[]; files: string[] };
}

/**
 * How a run ended; each outcome carries exactly what it has, so no field is "maybe there".
 * `failed`: errors (or warnings under `strict`), nothing written; `planned`: `check` compared the
 * output folder with `plan` and wrote nothing; `written`: `plan` was carried out.
 */
export type GenerateResult =
  | { kind: "usage-error"; message: string }
  /** The disk refused (an unreadable folder, a failed write): one line naming the path. */
  | { kind: "fs-error"; message: string }
  | (RunFindings & { kind: "failed" })
  | (RunFindings & { kind: "planned"; plan: WritePlan; upToDate: boolean })
  | (RunFindings & { kind: "written"; plan: WritePlan; summary: WriteSummary });

/** A run that got past scanning. */
export type RunOutcome = Exclude<GenerateResult, { kind: "usage-error" | "fs-error" }>;

/**
 * scan → parse → check → emit → write. The scripts, partials and included files are read by
 * `scan`; the runtime template and the output folder (to plan the write) are read here too; the
 * output folder is changed only by the final write, never under `check`. `context` carries what
 * a session reuses between runs (see context.ts); this function is what updates it.
 */
export async function generate(
  options: GenerateOptions,
  context: RunContext = createRunContext(),
): Promise<GenerateResult> {
  return (await generateTargets([options], context))[0]!;
}

/**
 * Several targets of one run (the config's `"targets"`: options that differ only in `target` and
 * `out`): the scripts are scanned, parsed and checked once, then each target is emitted and
 * planned or written in turn. Ends early, with that result last, at the first target that
 * does not succeed; a usage error or a failed build is then the only result. Without `check`
 * each target is written as it is reached, so a later failure leaves the earlier ones written:
 * for all or none, plan them all (`check`) and write the plans together (targets.ts).
 */
export async function generateTargets(
  targets: readonly GenerateOptions[],
  context: RunContext = createRunContext(),
): Promise<GenerateResult[]> {
  const first = targets[0]!;
  try {
    const found = await find(first, context);
    if (!("built" in found)) return [found];
    const results: GenerateResult[] = [];
    for (const options of targets) {
      const result = await emitTarget(options, found, context);
      results.push(result);
      if (result.kind === "failed") break;
    }
    return results;
  } catch (error) {
    if (error instanceof PathError) return [{ kind: "fs-error", message: error.shown(first.cwd ?? process.cwd()) }];
    throw error;
  }
}

/** What scanning and building gave: the same for every target of a run. */
interface Found {
  cwd: string;
  root: string;
  scanned: ScanResult;
  built: Built;
  /** Where each script's function lives, by script path, with `mode` functions (libraries.ts). */
  homes: ReadonlyMap<string, LibraryHome>;
  /** Scanning's and building's, unsorted; a target adds its own to a copy. */
  diagnostics: readonly Diagnostic[];
}

/** scan → parse → check, after the settings every target shares are checked. */
async function find(options: GenerateOptions, context: RunContext): Promise<Found | GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  const root =
    options.root !== undefined
      ? path.resolve(cwd, options.root)
      : projectRoot(inputFolder(options.inputs[0] ?? ".", cwd));
  const settings = checkSettings(options);
  if ("error" in settings) return { kind: "usage-error", message: settings.error };
  if (options.library !== undefined && !LIBRARY_NAME.test(options.library))
    return { kind: "usage-error", message: `library ${LIBRARY_NAME_RULE}` };
  const scanned = await scan(options.inputs, cwd, options.exclude, context.texts, root);
  if (scanned.missing.length > 0) {
    return { kind: "usage-error", message: `input not found: ${scanned.missing.join(", ")}` };
  }
  const scripts = scanned.files.filter((file) => !file.partial);
  const base = options.library ?? libraryBase(root);
  const homes = libraryHomes(scripts, options.mode ?? "scripts", base, settingFolder(cwd, root));
  if ("error" in homes) return { kind: "usage-error", message: homes.error };
  const built = buildScripts(scanned.files, {
    library: scanned.library,
    previous: context.builds,
    onProgress: context.onProgress,
    ...settings,
  });
  keepBuilds(context, built.builds);
  const found = { cwd, root, scanned, built, homes, diagnostics: [...scanned.diagnostics, ...built.diagnostics] };
  return failed(options, found.diagnostics) ? { kind: "failed", ...findingsOf(found, found.diagnostics) } : found;
}

/** emit → write (or only plan, under `check`) for one target, over what `find` gave. */
async function emitTarget(options: GenerateOptions, found: Found, context: RunContext): Promise<GenerateResult> {
  const { cwd, root, scanned, built } = found;
  const diagnostics = [...found.diagnostics];
  const findings = (): RunFindings => findingsOf(found, diagnostics);
  const files =
    options.target === "python" ? await emitPythonPackage(built.scripts, found.homes, diagnostics) : undefined;
  if (failed(options, diagnostics)) return { kind: "failed", ...findings() };
  const plan = await planWrite(
    path.resolve(cwd, options.out),
    files ?? (await emitTypeScript(built.scripts, options, found.homes, context)),
    { cwd, inputs: scanned.roots },
    options.target === "python" ? PYTHON_OUTPUT : TYPESCRIPT_OUTPUT,
  );
  diagnostics.push(...foreignDiagnostics(plan, root));
  if (failed(options, diagnostics)) return { kind: "failed", ...findings() };
  if (options.check)
    return { kind: "planned", ...findings(), plan, upToDate: plan.write.length === 0 && plan.remove.length === 0 };
  return { kind: "written", ...findings(), plan, summary: await applyWrite(plan) };
}

/** Errors fail a run; so do warnings under `strict`. */
function failed(options: GenerateOptions, diagnostics: readonly Diagnostic[]): boolean {
  return hasErrors(diagnostics) || (options.strict === true && diagnostics.length > 0);
}

function findingsOf(found: Found, diagnostics: readonly Diagnostic[]): RunFindings {
  return {
    diagnostics: sortDiagnostics(diagnostics),
    sources: found.built.sources,
    scripts: found.built.scripts,
    root: found.root,
    ...(found.scanned.looked ? { looked: found.scanned.looked } : {}),
  };
}

async function emitTypeScript(
  scripts: readonly Script[],
  options: GenerateOptions,
  libraries: ReadonlyMap<string, LibraryHome>,
  context: RunContext,
): Promise<GeneratedFile[]> {
  const { emit } = await import("./emit/typescript/emit.js");
  const emitted = emit(scripts, {
    ...emitSettings(options),
    libraries,
    runtime: await readRuntimeTemplate(),
    previous: context.modules,
  });
  keepModules(context, emitted.modules);
  return emitted.files;
}

/** The Python target's files, after the names only Python cannot tell apart are checked (added to `diagnostics`). */
async function emitPythonPackage(
  scripts: readonly Script[],
  libraries: ReadonlyMap<string, LibraryHome>,
  diagnostics: Diagnostic[],
): Promise<GeneratedFile[]> {
  const { checkPythonNames } = await import("./emit/python/names.js");
  const { emitPython } = await import("./emit/python/package.js");
  diagnostics.push(...checkPythonNames(scripts));
  return emitPython(scripts, { runtime: await readRuntimeTemplate("python"), version: VERSION, libraries });
}

/** The command table and server the checks use; an error when the server setting names none. */
export function checkSettings(
  options: GenerateOptions,
): { commands: CommandTable; server?: Server } | { error: string } {
  const commands = extendCommands(COMMANDS, options.commands ?? {});
  if (options.server === undefined) return { commands };
  const server = parseServer(options.server);
  return server === undefined ? { error: `server ${serverNamesText()}` } : { commands, server };
}

/** What the emitters take from the options, defaults filled in. */
export function emitSettings(options: GenerateOptions): { importExtension: string; client: Client; version: string } {
  return { importExtension: options.importExtension ?? ".js", client: options.client ?? "ioredis", version: VERSION };
}

/** The project folder's name as a library name: `my-app` → `my_app`. */
export function libraryBase(root: string): string {
  const base = path.basename(root).replace(/[^A-Za-z0-9_]/g, "_");
  return base === "" || /^_+$/.test(base) ? "luagen" : base;
}

function foreignDiagnostics(plan: WritePlan, root: string): Diagnostic[] {
  return plan.foreign.map((file) =>
    diagnostic(
      "LG302",
      toPosix(path.relative(root, path.join(plan.outDir, file))),
      { line: 1, column: 1 },
      "this path holds a file luagen did not generate, or lies through a symbolic link or inside another luagen run's output folder; luagen leaves it alone",
      "move the file, or rename the script that generates it",
    ),
  );
}

/** A target's runtime, copied into its output: templates/<target>/ ships beside dist/ in the package. */
export async function readRuntimeTemplate(target: Target = "typescript"): Promise<string> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = target === "python" ? "runtime.py" : "runtime.ts";
  return readFile(path.resolve(here, "..", "templates", target, file), "utf8");
}

export type { GeneratedFile };

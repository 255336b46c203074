import path from "node:path";
import { parseArgs } from "node:util";
import {
  CLIENTS,
  CONFIG_FILE,
  IMPORT_EXTENSIONS,
  isOneOf,
  LIBRARY_NAME,
  LIBRARY_NAME_RULE,
  loadConfig,
  MODES,
  TARGETS,
  type Config,
  type Target,
  mustBeOneOf,
} from "./config.js";
import { parseServer, serverNamesText } from "./lua/servers.js";
import { cacheFile, openRunContext, saveRunContext } from "./context.js";
import { flagHelp, PARSER_OPTIONS } from "./flags.js";
import type { RunOutcome } from "./generate.js";
import type { Rebuilt } from "./rebuild.js";
import { init } from "./init.js";
import { usesFunctions } from "./libraries.js";
import { PathError } from "./path-error.js";
import { report, reportStamped, type Io } from "./report.js";
import type { Run } from "./targets.js";
import { partsOf, readStamp, stampKey, writeStamp, type StampCheck } from "./stamp.js";
import { VERSION } from "./version.js";

export const USAGE = `Usage: luagen <dirs, files or globs...> --out <dir> [options]
       luagen            (inputs and options from luagen.config.json or package.json "luagen")
       luagen init       (set up src/lua, the config, prebuild and lua-language-server files)
       luagen deploy --url redis://host:port [--out <dir>]
                         (--mode functions: load the library on the server, or every primary)

Generates a typed TypeScript module for every .lua Redis script found, plus index.ts and
runtime.ts, in the output folder.

Options:
${flagHelp()}

Exit codes: 0 success, 1 errors in scripts (or stale output under --check), 2 usage error.
Example: luagen src/lua --out src/generated`;

export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

export type { Io };

const defaultIo = (): Io => {
  const stderr = writer(process.stderr, () => (process.exitCode = EXIT.usage));
  const stdout = writer(process.stdout, (error) => {
    stderr(`luagen: could not write the output (${error.code ?? error.message}); the rest of it is lost\n`);
    process.exitCode = EXIT.usage;
  });
  return {
    stdout: (text) => stdout(`${text}\n`),
    stderr: (text) => stderr(`${text}\n`),
    status: (text) => stderr(`\r${text}\u001b[K`),
    cwd: process.cwd(),
    color: { stdout: colorOn(process.stdout), stderr: colorOn(process.stderr) },
    tty: process.stderr.isTTY === true,
  };
};

/**
 * Writes to `stream` until it fails; after that the rest is dropped, where Node would end the run
 * with an unhandled error and its stack trace. A reader that went away (`luagen --check | head`:
 * EPIPE) asked for no more: the run finishes with its own exit code. Any other failure (a full
 * disk under `> file`: ENOSPC) lost output the user asked for: `lost` is told, once.
 */
function writer(stream: NodeJS.WriteStream, lost: (error: NodeJS.ErrnoException) => void): (text: string) => void {
  let gone = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!gone && error.code !== "EPIPE") lost(error);
    gone = true;
  });
  return (text) => {
    if (!gone) stream.write(text);
  };
}

function colorOn(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/**
 * The CLI. Nothing escapes it: a file-system failure is one line naming the path; anything else is a
 * bug, printed as one line asking for a report (the stack only under LUAGEN_DEBUG=1). Exit 2 both.
 */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    return unexpected(io, error);
  }
}

function unexpected(io: Io, error: unknown): number {
  if (error instanceof PathError) {
    io.stderr(`luagen: ${error.shown(io.cwd)}`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(
    `luagen: internal error: ${message.split("\n")[0]} (a bug in luagen: please report it with the command you ran, see 'npm bugs luagen')`,
  );
  if (process.env.LUAGEN_DEBUG === "1" && error instanceof Error && error.stack) io.stderr(error.stack);
  return EXIT.usage;
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === "init") return init(io, argv.slice(1));
  if (argv[0] === "deploy") return (await import("./deploy.js")).deploy(io, argv.slice(1));
  const parsed = parseFlags(argv);
  if ("error" in parsed) return usageError(io, parsed.error);
  const { values } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (values.version) {
    io.stdout(VERSION);
    return EXIT.ok;
  }
  const resolved = await resolveOptions(parsed, io);
  if ("error" in resolved) return usageError(io, resolved.error);
  // chokidar and jsdiff are loaded only by the modes that use them: start-up time is most of a small run.
  if (values.watch) return (await import("./watch.js")).watch(resolved, io);
  if (resolved.length > 1) return runTargets(resolved, io);
  const { options, reporting } = resolved[0]!;
  const started = Date.now();
  const outDir = path.resolve(io.cwd, options.out);
  const stampFile = cacheFile(io.cwd, outDir, "stamp.json");
  const key = stampFile && stampKey({ ...options, check: undefined });
  // --explain-types needs the scripts themselves.
  const seen = stampFile && key && !reporting.explainTypes ? readStamp(stampFile, key) : undefined;
  if (seen?.changed.length === 0) return reportStamped(seen.stamp, 0, reporting, io);
  // The generator (luaparse, the command table, the emitters) is loaded only when there is work.
  if (seen && stampFile) {
    const { rebuild } = await import("./rebuild.js");
    const rebuilt = await rebuild(options, seen, outDir);
    if (rebuilt) {
      stampRebuilt(seen, rebuilt, { file: stampFile, outDir, started });
      return reportStamped(seen.stamp, rebuilt.changed.length, reporting, io);
    }
  }
  const { generate } = await import("./generate.js");
  const context = await openRunContext(io.cwd, outDir, { onProgress: progress(io) });
  const result = await generate(options, context);
  await saveRunContext(context);
  if (result.kind === "usage-error") return usageError(io, result.message);
  if (result.kind === "fs-error") {
    io.stderr(`luagen: ${result.message}`);
    return EXIT.usage;
  }
  const code = await report(result, reporting, io);
  if (stampFile && key) stampClean(result, { file: stampFile, key, started });
  return code;
}

/**
 * Several targets from the config (`"targets"`), all or none (targets.ts). A stamp per target,
 * under one key for the whole set: the rerun is a no-op only when every target's stamp says so;
 * otherwise a full run.
 */
async function runTargets(runs: readonly Run[], io: Io): Promise<number> {
  const started = Date.now();
  const key = stampKey(runs.map(({ options }) => ({ ...options, check: undefined })));
  const stampFiles = runs.map(({ options }) =>
    cacheFile(io.cwd, path.resolve(io.cwd, options.out), `stamp.${options.target ?? "typescript"}.json`),
  );
  const seen = stampFiles.map((file) => (file === undefined ? undefined : readStamp(file, key)));
  if (seen.every((check) => check?.changed.length === 0)) {
    for (const [i, { reporting }] of runs.entries()) reportStamped(seen[i]!.stamp, 0, reporting, io);
    return EXIT.ok;
  }
  const { generateEveryTarget } = await import("./targets.js");
  // The run cache of the first target's folder serves the one build (see generateTargets).
  const context = await openRunContext(io.cwd, path.resolve(io.cwd, runs[0]!.options.out), {
    onProgress: progress(io),
  });
  const ended = await generateEveryTarget(runs, context, io);
  await saveRunContext(context);
  if (ended.kind === "usage-error") return usageError(io, ended.message);
  if (ended.kind === "fs-error") {
    io.stderr(`luagen: ${ended.message}`);
    return EXIT.usage;
  }
  // Every target's diagnostics are the first's (printed once): a clean run is clean for all.
  for (const [i, file] of stampFiles.entries()) {
    const outcome = ended.outcomes?.[i];
    if (file !== undefined && outcome !== undefined) stampClean(outcome, { file, key, started });
  }
  return ended.code;
}

/**
 * After a run that ended clean — written, or checked and up to date, with no diagnostic (a warning
 * must print again next time) — the stamp that lets the next identical run skip the generator.
 */
function stampClean(result: RunOutcome, stamp: { file: string; key: string; started: number }): void {
  if (result.diagnostics.length > 0 || result.looked === undefined) return;
  if (result.kind === "failed" || (result.kind === "planned" && !result.upToDate)) return;
  const { plan } = result;
  const written = [...plan.write.map((file) => file.path), ...plan.unchanged].map((file) =>
    path.join(plan.outDir, file),
  );
  const looked = [...result.looked.folders, ...result.looked.files];
  const parts = partsOf(result.scripts, result.root);
  const summary = { key: stamp.key, scripts: result.scripts.length, files: written.length, root: result.root, parts };
  writeStamp(stamp.file, summary, { looked, written }, stamp.started);
}

/**
 * After a rebuild (rebuild.ts): the stamp again, with the rebuilt scripts' parts, their files and
 * the output files it compared (their modules, their libraries') looked at anew, every other path
 * as it was checked.
 */
function stampRebuilt(seen: StampCheck, rebuilt: Rebuilt, at: { file: string; outDir: string; started: number }) {
  const { stamp } = seen;
  const fresh = partsOf(rebuilt.scripts, stamp.root);
  const looked = Object.entries(fresh).flatMap(([file, part]) => [
    file,
    ...part.includes.map((f) => path.resolve(stamp.root, f)),
  ]);
  const written = rebuilt.compared.map((file) => path.join(at.outDir, file));
  const known = { ...stamp.states };
  for (const file of [...looked, ...written]) delete known[file];
  writeStamp(at.file, { ...stamp, parts: { ...stamp.parts, ...fresh } }, { looked, written, known }, at.started);
}

function usageError(io: Io, message: string): number {
  io.stderr(`luagen: ${message}\nRun 'luagen --help' for usage.`);
  return EXIT.usage;
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: PARSER_OPTIONS });
  } catch (error) {
    // node:util's messages are good but long; keep the first sentence.
    return { error: (error as Error).message.split(". ")[0] };
  }
}

type Flags = Exclude<ReturnType<typeof parseFlags>, { error: string }>;

/** Flags override the config file; the config fills in what flags leave out. */
async function resolveOptions(flags: Flags, io: Io): Promise<Run[] | { error: string }> {
  const loaded = await loadConfig(io.cwd);
  if ("error" in loaded) return loaded;
  const { config } = loaded;
  const { values, positionals } = flags;
  const inputs = positionals.length > 0 ? positionals : (config.input ?? []);
  if (inputs.length === 0)
    return { error: 'no input given (pass folders or globs, or set "input" in luagen.config.json)' };
  const outs = targetsAndOuts(values.target, values.out, config);
  if ("error" in outs) return outs;
  if (values.check && values.watch) return { error: "--check and --watch cannot be combined" };
  const importExtension = values["import-extension"] ?? config.importExtension ?? ".js";
  if (!isOneOf(importExtension, IMPORT_EXTENSIONS))
    return { error: `--import-extension ${mustBeOneOf(IMPORT_EXTENSIONS)}` };
  const client = values.client ?? config.client ?? "ioredis";
  if (!isOneOf(client, CLIENTS)) return { error: `--client ${mustBeOneOf(CLIENTS)}` };
  const server = values.server ?? config.server;
  if (server !== undefined && parseServer(server) === undefined) return { error: `--server ${serverNamesText()}` };
  if (values.mode !== undefined && !isOneOf(values.mode, MODES)) return { error: `--mode ${mustBeOneOf(MODES)}` };
  const mode = values.mode ?? config.mode ?? "scripts";
  const library = values.library ?? config.library;
  if (library !== undefined && !LIBRARY_NAME.test(library)) return { error: `--library ${LIBRARY_NAME_RULE}` };
  if (library !== undefined && !usesFunctions(mode))
    return {
      error:
        values.library !== undefined
          ? "--library needs --mode functions"
          : `${CONFIG_FILE}: "library" needs "mode": "functions"`,
    };
  const strict = values.strict ?? config.strict ?? false;
  return outs.map(({ target, out }) => ({
    options: {
      inputs,
      out,
      cwd: io.cwd,
      strict,
      importExtension,
      client,
      exclude: [...(config.exclude ?? []), ...(values.exclude ?? [])],
      check: values.check ?? false,
      ...(config.commands ? { commands: config.commands } : {}),
      ...(server !== undefined ? { server } : {}),
      ...(mode !== "scripts" ? { mode } : {}),
      ...(library !== undefined ? { library } : {}),
      ...(target === "python" ? { target } : {}),
      // Paths in generated code are relative to the folder of the config file that applies (root.ts).
      ...(loaded.file !== undefined ? { root: "." } : {}),
    },
    reporting: {
      out,
      strict,
      quiet: values.quiet ?? false,
      check: values.check ?? false,
      explainTypes: values["explain-types"] ?? false,
    },
  }));
}

/**
 * The targets a run generates, each with its output folder: `--target` (one), else the config's
 * `targets` (several, `out` by target) or `target` (one). `--out` names one folder, so it needs
 * one target.
 */
function targetsAndOuts(
  flagTarget: string | undefined,
  flagOut: string | undefined,
  config: Config,
): { target: Target; out: string }[] | { error: string } {
  if (flagTarget !== undefined && !isOneOf(flagTarget, TARGETS)) return { error: `--target ${mustBeOneOf(TARGETS)}` };
  if (config.target !== undefined && config.targets !== undefined)
    return { error: `${CONFIG_FILE}: "target" and "targets" cannot be combined` };
  const targets = flagTarget !== undefined ? [flagTarget] : (config.targets ?? [config.target ?? "typescript"]);
  if (flagOut !== undefined && targets.length > 1)
    return { error: `--out names one folder, and the config has ${targets.length} targets: add --target <lang>` };
  const outs: { target: Target; out: string }[] = [];
  for (const target of targets) {
    const out =
      flagOut ??
      (typeof config.out === "string" ? (targets.length === 1 ? config.out : undefined) : config.out?.[target]);
    if (out === undefined)
      return {
        error:
          targets.length === 1 && typeof config.out !== "object"
            ? 'missing --out <dir> (or "out" in luagen.config.json)'
            : `${CONFIG_FILE}: "out" names no folder for the ${target} target (e.g. "out": { "${target}": "..." })`,
      };
    outs.push({ target, out });
  }
  return outs;
}

/** A one-line counter on a TTY for large trees, cleared when the last script is done; silent otherwise. */
export function progress(io: Io): ((done: number, total: number) => void) | undefined {
  if (!io.tty) return undefined;
  return (done, total) => {
    if (total < 200) return;
    if (done % 100 === 0) io.status(`luagen: ${done}/${total} scripts`);
    if (done === total) io.status("");
  };
}

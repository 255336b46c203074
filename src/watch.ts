import { realpathSync } from "node:fs";
import path from "node:path";
import chokidar from "chokidar";
import { openRunContext, saveRunContext } from "./context.js";
import type { Io } from "./report.js";
import { watchRoot } from "./scan.js";
import { generateEveryTarget, type Run } from "./targets.js";

const DEBOUNCE_MS = 100;

/**
 * `--watch`: one full run, then a run after each burst of `.lua` changes. Parse and check
 * results are cached per file, so a run re-reads and re-checks only what changed (a script is
 * rebuilt when a file it includes changes); a run with errors writes nothing, so the last good
 * output stays. Files included from outside the inputs are watched too. Several targets (the
 * config's `"targets"`) are built once a round and written all or none, as in a run without
 * `--watch`. Resolves 0 on SIGINT/SIGTERM.
 */
export async function watch(runs: readonly Run[], io: Io): Promise<number> {
  const { options } = runs[0]!;
  const cwd = options.cwd ?? process.cwd();
  const context = await openRunContext(cwd, path.resolve(cwd, options.out));
  const roots = [...new Set(options.inputs.map((input) => watchRoot(input, cwd)))];
  const watcher = chokidar.watch(roots, {
    ignoreInitial: true,
    // chokidar would walk `ln -s . lua/self` forever; files the scanner reached through links are added below.
    followSymlinks: false,
    ignored: (file, stats) =>
      file.includes(`${path.sep}node_modules${path.sep}`) || (stats?.isFile() === true && !file.endsWith(".lua")),
  });
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  // `context.texts` holds every file the last run read: scripts, partials and files included from
  // elsewhere or reached through a link, which the watch on the roots does not see.
  const added = new Set<string>();
  const watchIncludedFiles = () => {
    const fresh = [...context.texts.keys()].filter(
      (file) => !added.has(file) && (!roots.some((root) => isWithin(file, root)) || throughLink(file)),
    );
    for (const file of fresh) added.add(file);
    if (fresh.length > 0) watcher.add(fresh);
  };
  const runOnce = async () => {
    const ended = await generateEveryTarget(runs, context, io);
    await saveRunContext(context);
    if (ended.kind === "usage-error" || ended.kind === "fs-error") io.stderr(`luagen: ${ended.message}`);
    watchIncludedFiles();
  };
  await runOnce();

  const rounds = serialized(runOnce);
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(rounds, DEBOUNCE_MS);
  };
  const changed = (file: string) => {
    if (!file.endsWith(".lua")) return;
    context.texts.delete(path.resolve(cwd, file));
    schedule();
  };
  watcher.on("add", changed).on("change", changed).on("unlink", changed).on("unlinkDir", schedule);
  await ready;
  io.stdout(`luagen: watching ${roots.map((r) => path.relative(cwd, r) || ".").join(", ")} (Ctrl-C to stop)`);

  return new Promise<number>((resolve) => {
    const stop = async () => {
      clearTimeout(timer);
      await watcher.close();
      await rounds.idle();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

function throughLink(file: string): boolean {
  try {
    return realpathSync(file) !== file;
  } catch {
    return false;
  }
}

function isWithin(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Runs `task` one at a time; a request during a run queues exactly one more run. */
function serialized(task: () => Promise<void>): (() => void) & { idle: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = task().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        start();
      }
    });
  };
  return Object.assign(start, { idle: async () => void (await running) });
}

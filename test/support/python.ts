// The Python target's tests run redis-py, mypy and pytest from a virtual environment of their own.
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { BIN, ROOT, tempDir } from "./workspace.js";

const execFileAsync = promisify(execFile);

/** `python3` when it runs here, else undefined: the Python tests are skipped, saying why, only then. */
export const PYTHON3 = ((): string | undefined => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return "python3";
  } catch {
    return undefined;
  }
})();

export const NO_PYTHON = "no python3 on this machine: the Python target's tests need one";

const VENV = path.join(ROOT, ".venv");
const REQUIREMENTS = path.join(ROOT, "test", "python", "requirements.txt");
const MARK = ".luagen-requirements";

/**
 * The project's `.venv`, with test/python/requirements.txt installed by pip (from the machine's
 * configured index), made once and remade when the requirements change. Built under another
 * name and renamed into place, so test files that ask at once never see half an environment;
 * used only as `python -m ...`, which does not depend on the folder's name.
 */
export async function pythonEnv(): Promise<string> {
  const python = path.join(VENV, "bin", "python");
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  const mark = path.join(VENV, MARK);
  if (existsSync(mark) && readFileSync(mark, "utf8") === wanted) return python;
  const building = `${VENV}-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  await execFileAsync(PYTHON3 ?? "python3", ["-m", "venv", building]);
  // --retries 0: an index the machine cannot reach is given up at once, not retried for minutes.
  await execFileAsync(
    path.join(building, "bin", "python"),
    ["-m", "pip", "install", "--quiet", "--retries", "0", "--disable-pip-version-check", "-r", REQUIREMENTS],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  writeFileSync(path.join(building, MARK), wanted);
  if (!(existsSync(mark) && readFileSync(mark, "utf8") === wanted)) {
    rmSync(VENV, { recursive: true, force: true });
    renameSync(building, VENV);
  } else rmSync(building, { recursive: true, force: true });
  return python;
}

/** Runs `python args` in `cwd`: its exit code and everything it printed. */
export async function runPython(
  python: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(python, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout}${e.stderr}` };
  }
}

/**
 * pyright from the project's devDependencies against the environment's redis-py: `strict` over the
 * paths given (the generated package), its default mode over the rest (consumer code, which also
 * meets redis-py's own partly untyped signatures).
 */
export async function pyright(python: string, cwd: string, files: readonly string[], strict: readonly string[]) {
  writeFileSync(path.join(cwd, "pyrightconfig.json"), JSON.stringify({ pythonVersion: "3.11", strict }));
  const cli = path.join(ROOT, "node_modules", "pyright", "index.js");
  return runPython(process.execPath, [cli, "--pythonpath", python, ...files], { cwd });
}

/** What the pytest files share, copied beside each: the flood's flusher, the client fixture, MONITOR, the cluster floods' rounds. */
const HELPERS = ["flusher.py", "fresh.py", "monitor.py", "cluster_flood.py"];

/** How pythonProject lays out the fixtures and runs luagen over them. */
export interface PythonProjectOptions {
  /** Added to luagen's flags, e.g. `["--mode", "functions"]`. */
  flags?: readonly string[];
  /**
   * Instead of the flat fixture folder: its files spread over folders under `lua/` (folder → file
   * names in test/fixtures/python/lua), generated from a luagen.config.json whose `mode` is `mode`
   * (by folder: `{ "lua/billing": "functions" }`).
   */
  byFolder?: { folders: Readonly<Record<string, readonly string[]>>; mode: Readonly<Record<string, string>> };
}

const FIXTURES = path.join(ROOT, "test", "fixtures", "python", "lua");

/**
 * A folder under test/.tmp holding the package generated from test/fixtures/python/lua as `gen`
 * and `testFile` from test/python beside it, with the HELPERS, as pytest runs it.
 */
export async function pythonProject(
  prefix: string,
  testFile: string,
  options: PythonProjectOptions = {},
): Promise<string> {
  const dir = tempDir(prefix);
  const flags = ["--target", "python", "-q", ...(options.flags ?? [])];
  const { byFolder } = options;
  if (byFolder) {
    for (const [folder, files] of Object.entries(byFolder.folders)) {
      mkdirSync(path.join(dir, "lua", folder), { recursive: true });
      for (const file of files) cpSync(path.join(FIXTURES, file), path.join(dir, "lua", folder, file));
    }
    const config = { input: "lua", out: "gen", mode: byFolder.mode };
    writeFileSync(path.join(dir, "luagen.config.json"), JSON.stringify(config));
  }
  const args = byFolder ? [BIN, ...flags] : [BIN, FIXTURES, "--out", path.join(dir, "gen"), ...flags];
  const generated = await runPython(process.execPath, args, { cwd: byFolder ? dir : ROOT });
  if (generated.code !== 0) throw new Error(`luagen --target python failed:\n${generated.output}`);
  for (const file of [testFile, ...HELPERS]) cpSync(path.join(ROOT, "test", "python", file), path.join(dir, file));
  return dir;
}

/**
 * Runs pytest on `testFile` in `dir`: every case must pass, none fail, error or be skipped, or it
 * throws with pytest's output. (No vitest import here: bench/ uses this module too.)
 */
export async function expectPytestPasses(
  python: string,
  dir: string,
  testFile: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const result = await runPython(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", testFile], {
    cwd: dir,
    env: { ...env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const passed = /\b\d+ passed\b/.test(result.output) && !/\b(failed|error|skipped)\b/.test(result.output);
  if (!passed || result.code !== 0) throw new Error(`pytest ${testFile}: exit ${result.code}\n${result.output}`);
}

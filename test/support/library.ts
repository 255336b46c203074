import path from "node:path";
import type { Redis } from "ioredis";
import { expect } from "vitest";
import { libraryFor, type Library } from "../../src/emit/library.js";
import { buildScripts } from "../../src/build.js";
import { generate } from "../../src/generate.js";
import type { Script } from "../../src/model.js";
import { scan } from "../../src/scan.js";
import { pool, underFlushStorm, type Flusher } from "./load.js";
import { commandStats } from "./script.js";
import { ROOT, tempDir, writeTree } from "./workspace.js";

export const PROJECT = path.join(ROOT, "test", "fixtures", "project");

/** The scripts of test/fixtures/project, each text through `transform` first. */
export async function projectScripts(transform: (text: string) => string = (t) => t): Promise<Script[]> {
  const scanned = await scan(["lua"], PROJECT);
  const built = buildScripts(scanned.files.map((f) => ({ ...f, text: transform(f.text) })));
  expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return built.scripts;
}

/** The Functions library of `scripts`, which must be one. */
export function library(scripts: readonly Script[], base = "fixtures"): Library {
  const made = libraryFor(scripts, base);
  if ("error" in made) throw new Error(made.error);
  return made;
}

/** One script, built from its text alone. */
export function script(text: string, file = "s.lua"): Script {
  const built = buildScripts([{ path: file, relativePath: file, text, partial: false }]);
  expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return built.scripts[0]!;
}

// Generated code in functions mode (--mode functions), for the tests that run it on servers.

const SCRIPTS = {
  "package.json": "{}\n",
  "lua/counter.lua": "---@key counter\n---@return integer\nreturn redis.call('INCR', KEYS[1])\n",
  "lua/peek.lua": "#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
  "lua/fails.lua": "---@return integer\nlocal x = 1\nerror('boom ' .. x)\n",
};

type Call = (target: unknown, ...params: unknown[]) => Promise<unknown>;

export interface Generated {
  /** The project folder; the code is in its gen/. */
  dir: string;
  counter: Call;
  peek: Call;
  fails: Call;
  loadLibrary(client: unknown): Promise<{ library: string; loaded: number; current: number }>;
  library: { name: string };
}

/** The scripts above generated with `--mode functions` for `client`, imported. */
export async function generatedFunctions(client: "ioredis" | "node-redis"): Promise<Generated> {
  const dir = tempDir(`functions-${client}`);
  writeTree(dir, SCRIPTS);
  const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir, client, mode: "functions", library: "itest" });
  expect(result.kind).toBe("written");
  const load = (file: string) => import(path.join(dir, "gen", file)) as Promise<Record<string, unknown>>;
  return { dir, ...(await load("index.ts")), ...(await load("_library.ts")) } as unknown as Generated;
}

/**
 * Issue 18's FUNCTION FLUSH flood for direct calls, whatever the client: `calls` calls, 20 in
 * flight, three of four `increment()` (INCRBY 1 of the key `flood`) and one `read()` of it, while
 * `flusher` sends FUNCTION FLUSH back to back. None may fail, the counter must end right, and some
 * FCALL must really have found no function (`checker` reads the server's command stats).
 */
export async function expectDirectCallsSurviveFunctionFlush(
  flusher: Flusher,
  checker: Redis,
  calls: number,
  increment: () => Promise<unknown>,
  read: () => Promise<unknown>,
): Promise<void> {
  const failures: unknown[] = [];
  const { flushes } = await underFlushStorm(
    [flusher],
    () =>
      pool(calls, 20, async (i) => {
        await (i % 4 === 3 ? read() : increment()).catch((error: unknown) => void failures.push(error));
      }),
    { flushing: "functions" },
  );
  expect(failures).toEqual([]);
  expect(flushes).toBeGreaterThan(10);
  expect(await checker.get("flood")).toBe(String(calls - calls / 4));
  const stats = await commandStats(checker);
  expect((stats.fcall?.failed ?? 0) + (stats.fcall_ro?.failed ?? 0)).toBeGreaterThan(0);
}

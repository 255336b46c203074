// The Python target from the CLI and the config: --target, and "targets" with an output folder
// per target, which generates every language from one run or writes nothing at all.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, runCli, tempProject, writeTree } from "../support/workspace.js";

const GET = "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n";
const BOTH = { targets: ["typescript", "python"], out: { typescript: "src/generated", python: "worker/scripts" } };

/** Every file and folder below `dir` last changed a minute ago: a run stamps only what is not racily new. */
function age(dir: string): void {
  const past = new Date(Date.now() - 60_000);
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" }))
    utimesSync(path.join(dir, entry), past, past);
  utimesSync(dir, past, past);
}

function project(config?: Record<string, unknown>, files: Record<string, string> = { "lua/get.lua": GET }): string {
  const dir = tempProject("targets");
  writeTree(dir, files);
  if (config) writeFileSync(path.join(dir, "luagen.config.json"), JSON.stringify({ input: ["lua"], ...config }));
  return dir;
}

describe("--target and the config's targets", () => {
  it("--target python writes a package: a module per script, __init__.py, runtime.py, py.typed", async () => {
    const dir = project();
    const run = await runCli(["lua", "--out", "py", "--target", "python"], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(readdirSync(path.join(dir, "py")).sort()).toEqual(["__init__.py", "get.py", "py.typed", "runtime.py"]);
    expect(run.stdout).toContain("1 script → py (4 written");
  });

  it('"targets" writes each language into its own folder, and a rerun finds both up to date', async () => {
    const dir = project(BOTH);
    const run = await runCli([], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(readdirSync(path.join(dir, "src", "generated")).sort()).toEqual(["get.ts", "index.ts", "runtime.ts"]);
    expect(readdirSync(path.join(dir, "worker", "scripts")).sort()).toEqual([
      "__init__.py",
      "get.py",
      "py.typed",
      "runtime.py",
    ]);
    expect(run.stdout).toMatch(/→ src\/generated \(3 written[\s\S]*→ worker\/scripts \(4 written/);
    const check = await runCli(["--check"], dir);
    expect([check.code, check.stderr]).toEqual([0, ""]);
    const again = await runCli([], dir);
    expect(again.stdout).toMatch(/0 written, 3 unchanged[\s\S]*0 written, 4 unchanged/);
  });

  it("a script only the Python target refuses (LG305) leaves both folders unwritten", async () => {
    const dir = project(BOTH, {
      "lua/get.lua": GET,
      "lua/pair.lua": "---@arg userId string\n---@arg user_id string\nreturn ARGV[1] .. ARGV[2]\n",
    });
    const before = readTree(dir);
    const run = await runCli([], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error LG305: parameter user_id and parameter userId are both user_id in Python");
    expect(readTree(dir)).toEqual(before);
  });

  it("a folder where the second target's module goes: one line, exit 2, and the first target's folder unwritten too", async () => {
    const dir = project(BOTH, { "lua/get.lua": GET, "worker/scripts/get.py/keep.txt": "not a module\n" });
    const before = readTree(dir);
    const run = await runCli([], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^luagen: cannot write worker\/scripts\/get\.py: it is a folder/),
    ]);
    expect(readTree(dir)).toEqual(before);
  });

  it.each([
    ["one folder", { typescript: "gen", python: "gen" }],
    ["one inside the other", { typescript: "gen", python: "gen/py" }],
    ["the other inside the one", { typescript: "gen/ts", python: "gen" }],
  ])("two targets in %s keep each other's files, run after run", async (_, out) => {
    const dir = project({ targets: ["typescript", "python"], out });
    const first = await runCli([], dir);
    expect([first.code, first.stderr]).toEqual([0, ""]);
    const written = readTree(dir);
    expect(Object.keys(written).filter((f) => f.endsWith("get.ts") || f.endsWith("get.py"))).toHaveLength(2);
    const again = await runCli([], dir);
    expect([again.code, again.stderr]).toEqual([0, ""]);
    expect(again.stdout).not.toMatch(/[1-9]\d* removed/);
    expect(readTree(dir)).toEqual(written);
    expect((await runCli(["--check"], dir)).code).toBe(0);
  });

  it("a TypeScript run leaves a Python package below its output folder alone, and the other way round", async () => {
    const dir = project();
    expect((await runCli(["lua", "--out", "gen/py", "--target", "python"], dir)).code).toBe(0);
    const ts = await runCli(["lua", "--out", "gen"], dir);
    expect(ts.stdout).toContain("0 removed");
    expect(existsSync(path.join(dir, "gen", "py", "get.py"))).toBe(true);
    expect((await runCli(["lua", "--out", "py/ts"], dir)).code).toBe(0);
    const py = await runCli(["lua", "--out", "py", "--target", "python"], dir);
    expect(py.stdout).toContain("0 removed");
    expect(existsSync(path.join(dir, "py", "ts", "get.ts"))).toBe(true);
  });

  it("a rerun with nothing changed answers from each target's stamp; a change in any folder is a full run", async () => {
    const dir = project(BOTH);
    mkdirSync(path.join(dir, "node_modules"));
    age(dir);
    expect((await runCli([], dir)).code).toBe(0);
    const cache = path.join(dir, "node_modules", ".cache", "luagen");
    const times = () =>
      Object.fromEntries(readdirSync(cache).map((f) => [f, statSync(path.join(cache, f), { bigint: true }).mtimeNs]));
    const stamped = times();
    expect(Object.keys(stamped).filter((f) => /\.stamp\.(typescript|python)\.json$/.test(f))).toHaveLength(2);

    const again = await runCli([], dir);
    expect([again.code, again.stderr]).toEqual([0, ""]);
    expect(again.stdout).toMatch(
      /→ src\/generated \(0 written, 3 unchanged[\s\S]*→ worker\/scripts \(0 written, 4 unchanged/,
    );
    // Nothing was written: not the run contexts a full run saves, not the stamps.
    expect(times()).toEqual(stamped);

    // A generated file of the second target edited by hand: the full run puts it back.
    const module = path.join(dir, "worker", "scripts", "get.py");
    const original = readFileSync(module, "utf8");
    writeFileSync(module, `${original}# edited\n`);
    const restored = await runCli([], dir);
    expect(restored.stdout).toMatch(
      /→ src\/generated \(0 written, 3 unchanged[\s\S]*→ worker\/scripts \(1 written, 3 unchanged/,
    );
    expect(readFileSync(module, "utf8")).toBe(original);
  });

  it("--target picks one of the config's targets, with its folder", async () => {
    const dir = project(BOTH);
    const run = await runCli(["--target", "python"], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(existsSync(path.join(dir, "worker", "scripts", "get.py"))).toBe(true);
    expect(existsSync(path.join(dir, "src"))).toBe(false);
  });

  it.each<[string, string[], Record<string, unknown>, string]>([
    ["an unknown target", ["--target", "go"], { out: "gen" }, '--target must be one of "typescript", "python"'],
    [
      "a target named twice",
      [],
      { targets: ["python", "python"], out: "gen" },
      'luagen.config.json: "targets" names a target twice',
    ],
    [
      "one folder for two targets",
      [],
      { targets: ["typescript", "python"], out: "gen" },
      'luagen.config.json: "out" names no folder for the typescript target (e.g. "out": { "typescript": "..." })',
    ],
    [
      "a target without its folder",
      [],
      { targets: ["typescript", "python"], out: { typescript: "gen" } },
      'luagen.config.json: "out" names no folder for the python target (e.g. "out": { "python": "..." })',
    ],
    [
      "--out with two targets",
      ["--out", "gen"],
      BOTH,
      "--out names one folder, and the config has 2 targets: add --target <lang>",
    ],
    [
      '"target" beside "targets"',
      [],
      { ...BOTH, target: "python" },
      'luagen.config.json: "target" and "targets" cannot be combined',
    ],
    [
      "an out object keyed by something else",
      [],
      { out: { go: "gen" } },
      'luagen.config.json: "out" must be a non-empty string, or an object of them by target ("typescript", "python")',
    ],
  ])("refuse %s: one line, exit 2, nothing written", async (_, args, config, message) => {
    const dir = project(config);
    const before = readTree(dir);
    const run = await runCli(args, dir);
    expect(run.stderr.trim().split("\n")[0]).toBe(`luagen: ${message}`);
    expect(run.code).toBe(2);
    expect(readTree(dir)).toEqual(before);
  });
});

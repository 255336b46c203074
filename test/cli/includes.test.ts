import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTree, runCli, tempProject, writeTree } from "../support/workspace.js";

const SCRIPT = `---Count a hit, under a namespace.
---@key counter
---@return integer
---@include "_namespace"
---@include "includes/incr"
--- @include '../shared/clock'

return incr(namespace(KEYS[1]))
`;

const PARTIALS = {
  "lua/_namespace.lua": 'local function namespace(key)\n  return "ns:" .. key\nend\n',
  "lua/includes/incr.lua":
    '---@include "../_namespace.lua"\nlocal function incr(key)\n  return redis.call("INCR", key)\nend\n',
  "lua/includes/unused/never.lua": "return 1\n",
  "shared/clock.lua": 'local function now()\n  return redis.call("TIME")[1]\nend\n',
};

/** The project above with `changes` made to it: the run must fail; its stderr is returned. */
async function failingRun(changes: Record<string, string>): Promise<string> {
  const dir = tempProject("includes");
  writeTree(dir, { "lua/hit.lua": SCRIPT, ...PARTIALS, ...changes });
  const run = await runCli(["lua", "--out", "gen"], dir);
  expect(run.code).toBe(1);
  expect(readTree(dir)["gen/index.ts"]).toBeUndefined();
  return run.stderr;
}

describe("luagen CLI with ---@include", () => {
  it("generates scripts only: partials (`_name.lua`, anything below `includes/`) are inlined, never generated", async () => {
    const dir = tempProject("includes");
    writeTree(dir, { "lua/hit.lua": SCRIPT, ...PARTIALS });
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe("luagen: 1 script → gen (3 written, 0 unchanged, 0 removed)");
    expect(Object.keys(readTree(path.join(dir, "gen")))).toEqual(["hit.ts", "index.ts", "runtime.ts"]);
    const module = readFileSync(path.join(dir, "gen/hit.ts"), "utf8");
    expect(module).toContain('    "local function namespace(key)",\n');
    expect(module).toContain('{ line: 7, file: "lua/includes/incr.lua", fileLine: 2 },');
    // A file outside the input folder may be included too.
    expect(module).toContain('{ line: 10, file: "shared/clock.lua", fileLine: 1 },');
    expect((await runCli(["lua", "--out", "gen", "--check"], dir)).code).toBe(0);
  });

  it("exits 1 on an include error, with a code frame of the file that holds the include, and writes nothing", async () => {
    const stderr = await failingRun({
      "lua/includes/incr.lua": '---@include "../_namespace.lua"\n---@include "missing"\n',
    });
    expect(stderr).toContain(
      [
        "lua/includes/incr.lua:2:14 - error LG110: included file not found: lua/includes/missing.lua (lua/hit.lua → lua/includes/incr.lua → lua/includes/missing.lua)",
        '  1 | ---@include "../_namespace.lua"',
        '  2 | ---@include "missing"',
        "    |              ^",
      ].join("\n"),
    );
    expect(stderr).toContain("nothing was written to gen");
  });

  it("points an error in included code at the included file's own line", async () => {
    const stderr = await failingRun({ "shared/clock.lua": "local function now()\n  started = true\nend\n" });
    expect(stderr).toContain(
      [
        "shared/clock.lua:2:3 - error LG204: assignment to undeclared global 'started': Redis refuses writes to globals at run time (included by lua/hit.lua)",
        "  1 | local function now()",
        "  2 |   started = true",
        "    |   ^",
      ].join("\n"),
    );
  });
});

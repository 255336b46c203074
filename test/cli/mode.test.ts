// The settings of --mode functions as a user meets them: every value luagen refuses is one line,
// exit 2, and nothing written, whether it comes from a flag or from luagen.config.json.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir, writeTree } from "../support/workspace.js";

const GET = "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n";

function project(config?: Record<string, unknown>): string {
  const dir = tempDir("mode");
  writeTree(dir, { "lua/get.lua": GET });
  if (config)
    writeFileSync(path.join(dir, "luagen.config.json"), JSON.stringify({ input: ["lua"], out: "gen", ...config }));
  return dir;
}

describe("--mode and --library", () => {
  it.each<[string, string[], Record<string, unknown> | undefined, string]>([
    [
      "an unknown mode",
      ["lua", "--out", "gen", "--mode", "fn"],
      undefined,
      '--mode must be one of "scripts", "functions"',
    ],
    [
      "a library name Redis would refuse",
      ["lua", "--out", "gen", "--mode", "functions", "--library", "my-app"],
      undefined,
      "--library must be letters, digits and underscores only (a Redis library name)",
    ],
    [
      "--library without --mode functions",
      ["lua", "--out", "gen", "--library", "app"],
      undefined,
      "--library needs --mode functions",
    ],
    [
      "an unknown mode in the config",
      [],
      { mode: "fn" },
      'luagen.config.json: "mode" must be one of "scripts", "functions", or an object of them by folder ({ "src/lua/billing": "functions" })',
    ],
    [
      "a library name in the config Redis would refuse",
      [],
      { mode: "functions", library: "a b" },
      'luagen.config.json: "library" must be letters, digits and underscores only (a Redis library name)',
    ],
    [
      "a library in the config without the mode",
      [],
      { library: "app" },
      'luagen.config.json: "library" needs "mode": "functions"',
    ],
    [
      "a mode by folder that names no mode",
      [],
      { mode: { lua: "fn" } },
      'luagen.config.json: "mode" must be one of "scripts", "functions", or an object of them by folder ({ "src/lua/billing": "functions" })',
    ],
    [
      "a mode by folder that names a folder with no script",
      [],
      { mode: { "lua/get": "functions" } },
      'mode: no script lies below "lua/get"',
    ],
    [
      "a library in the config with a mode by folder of scripts only",
      [],
      { mode: { lua: "scripts" }, library: "app" },
      'luagen.config.json: "library" needs "mode": "functions"',
    ],
  ])("refuse %s: one line, exit 2, nothing written", async (_, args, config, message) => {
    const dir = project(config);
    const run = await runCli(args, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")[0]).toBe(`luagen: ${message}`);
    expect(existsSync(path.join(dir, "gen"))).toBe(false);
  });

  it("--mode on the command line overrides the config's mode by folder", async () => {
    const dir = project({ mode: { lua: "functions" } });
    const run = await runCli(["--mode", "scripts"], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(readdirSync(path.join(dir, "gen")).sort()).toEqual(["get.ts", "index.ts", "runtime.ts"]);
  });

  it("from the config, generate the library under the configured name", async () => {
    const dir = project({ mode: "functions", library: "fromconfig" });
    const run = await runCli([], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(readdirSync(path.join(dir, "gen")).sort()).toEqual([
      "_library.lua",
      "_library.ts",
      "get.ts",
      "index.ts",
      "runtime.ts",
    ]);
    expect(readFileSync(path.join(dir, "gen", "_library.lua"), "utf8")).toMatch(
      /^#!lua name=fromconfig_[0-9a-f]{12}\n/,
    );
  });
});

import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempProject, writeTree } from "../support/workspace.js";

// §7 of issue 8: ---@include pulls in Lua and nothing else; a secret never reaches output or messages.

const SECRET = "hunter2-do-not-print";

describe("---@include of a file that is not Lua", () => {
  it.each([
    ["inside a long string", `---@return string\nreturn [[\n---@include "../.env.production"\n]]\n`],
    ["as a plain line", `---@return integer\n---@include "../.env.production"\nreturn 1\n`],
    ["a JSON file", `---@return integer\n---@include "../config.json"\nreturn 1\n`],
  ])("%s: LG113 naming the path, none of its content anywhere, nothing written", async (_, text) => {
    const dir = tempProject("include-lua-only");
    writeTree(dir, {
      ".env.production": `API_KEY=${SECRET}\n`,
      "config.json": `{"password": "${SECRET}"}\n`,
      "lua/leak.lua": text,
    });
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^lua\/leak\.lua:\d+:\d+ - error LG113: only \.lua files can be included, not (\.env\.production|config\.json)/m,
    );
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(readdirSync(dir)).not.toContain("gen");
  });

  it("still includes a .lua file, and a name without extension as .lua", async () => {
    const dir = tempProject("include-lua-only");
    writeTree(dir, {
      "lua/lib/_a.lua": "local function a() return 1 end\n",
      "lua/lib/_b.lua": "local function b() return 2 end\n",
      "lua/ok.lua": `---@return integer\n---@include "lib/_a.lua"\n---@include "lib/_b"\nreturn a() + b()\n`,
    });
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readdirSync(path.join(dir, "gen"))).toContain("ok.ts");
  });
});

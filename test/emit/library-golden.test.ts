import path from "node:path";
import luaparse from "luaparse";
import { describe, expect, it } from "vitest";
import { libraryFor } from "../../src/emit/library.js";
import { expectGolden } from "../support/golden.js";
import { library, PROJECT, projectScripts, script } from "../support/library.js";

describe("the Functions library of a folder of scripts", () => {
  it("matches the golden file, and is valid Lua 5.1", async () => {
    const made = library(await projectScripts());
    expectGolden(path.join(PROJECT, "expected-functions", "library.lua"), made.code);
    expect(() => luaparse.parse(made.code.replace(/^#!.*/, ""), { luaVersion: "5.1" })).not.toThrow();
  });

  it("is named after its base and a version that changes with any script's code, and only then", async () => {
    const first = library(await projectScripts());
    expect(first.name).toBe(`fixtures_${first.version}`);
    expect(first.version).toMatch(/^[0-9a-f]{12}$/);
    expect(library(await projectScripts()).code).toBe(first.code);
    // A Windows checkout of the same scripts is the same library.
    expect(library(await projectScripts((t) => "\uFEFF" + t.replace(/\n/g, "\r\n"))).version).toBe(first.version);
    const edited = library(await projectScripts((t) => t.replace("return added", "return added + 0")));
    expect(edited.version).not.toBe(first.version);
    expect(library(await projectScripts(), "other").version).not.toBe(first.version);
  });

  it("gives two scripts whose names spell out alike two functions", () => {
    const made = library([
      script("---@return integer\nreturn 1\n", "grüße.lua"),
      script("---@name gr_ufc__udf_e\n---@return integer\nreturn 2\n", "other.lua"),
    ]);
    expect([...made.functions.values()].map((f) => f.name)).toEqual([
      `${made.name}_gr_ufc__udf_e`,
      `${made.name}_gr_ufc__udf_e_2`,
    ]);
  });

  it("refuses a base name Redis would refuse", () => {
    expect(libraryFor([], "my-app")).toEqual({
      error: "library name 'my-app': only letters, digits and underscores are allowed",
    });
  });

  it("gives every script a function named with the library's name, read-only when flagged no-writes", () => {
    const made = library([
      script("#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n", "get.lua"),
      script("---@return integer\nreturn 1\n", "grüße.lua"),
    ]);
    expect(Object.fromEntries([...made.functions].map(([n, f]) => [n, [f.name, f.readOnly]]))).toEqual({
      get: [`${made.name}_get`, true],
      grüße: [`${made.name}_gr_ufc__udf_e`, false],
    });
    expect(made.code).toContain("  flags = { 'no-writes' },\n");
  });
});

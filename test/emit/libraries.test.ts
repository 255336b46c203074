// Which scripts go into which Functions library: the whole run's one library, or one per folder
// of a `mode` set by folder, placed where that folder's scripts land in the output folder.
import { describe, expect, it } from "vitest";
import { libraryHomes, settingFolder, usesFunctions } from "../../src/libraries.js";
import type { SourceFile } from "../../src/model.js";

/** A script at `path` (relative to the project root) found below the input root `input`. */
function file(path: string, input = "src/lua"): SourceFile {
  return { path, relativePath: path.slice(input.length + 1), text: "", partial: false };
}

const FILES = [
  file("src/lua/top.lua"),
  file("src/lua/billing/charge.lua"),
  file("src/lua/billing/refunds/refund.lua"),
  file("src/lua/cache/peek.lua"),
];

/** Each script's home as `dir:base`, or `-` when it is sent as a script. */
function homes(mode: Parameters<typeof libraryHomes>[1], files = FILES): Record<string, string> | string {
  const found = libraryHomes(files, mode, "shop", (setting) => setting.replace(/^\.\//, "").replace(/\/$/, ""));
  if ("error" in found) return found.error;
  return Object.fromEntries(
    files.map((f) => [f.path, found.has(f.path) ? `${found.get(f.path)!.dir}:${found.get(f.path)!.base}` : "-"]),
  );
}

describe("library homes", () => {
  it("with scripts mode, none; with functions for the whole run, one library at the output folder's root", () => {
    expect(homes("scripts")).toEqual(Object.fromEntries(FILES.map((f) => [f.path, "-"])));
    expect(homes("functions")).toEqual(Object.fromEntries(FILES.map((f) => [f.path, ":shop"])));
  });

  it("by folder: a library per folder set to functions, in its output subfolder, named after it", () => {
    expect(homes({ "src/lua/billing": "functions", "src/lua/cache": "functions" })).toEqual({
      "src/lua/top.lua": "-",
      "src/lua/billing/charge.lua": "billing:shop_billing",
      "src/lua/billing/refunds/refund.lua": "billing:shop_billing",
      "src/lua/cache/peek.lua": "cache:shop_cache",
    });
  });

  it("the deepest folder of the setting claims a script, whatever order the setting lists them in", () => {
    const expected = {
      "src/lua/top.lua": ":shop",
      "src/lua/billing/charge.lua": ":shop",
      "src/lua/billing/refunds/refund.lua": "billing/refunds:shop_billing_refunds",
      "src/lua/cache/peek.lua": "-",
    };
    expect(
      homes({ "src/lua": "functions", "src/lua/cache": "scripts", "src/lua/billing/refunds": "functions" }),
    ).toEqual(expected);
    expect(
      homes({ "src/lua/billing/refunds": "functions", "src/lua/cache": "scripts", "src/lua": "functions" }),
    ).toEqual(expected);
  });

  it("a folder above the input root puts its library at the output folder's root", () => {
    expect(homes({ src: "functions" })).toEqual(Object.fromEntries(FILES.map((f) => [f.path, ":shop"])));
  });

  it.each<[string, Record<string, "functions" | "scripts">, SourceFile[], string]>([
    [
      "a folder no script lies below",
      { "src/lua/bill": "functions" },
      FILES,
      'mode: no script lies below "src/lua/bill"',
    ],
    [
      "one folder named twice",
      { "src/lua/cache": "functions", "./src/lua/cache/": "scripts" },
      FILES,
      'mode: "src/lua/cache" and "./src/lua/cache/" name the same folder',
    ],
    [
      "two input roots whose libraries would share the output folder",
      { "a/lua": "functions", "b/lua": "functions" },
      [file("a/lua/x.lua", "a/lua"), file("b/lua/y.lua", "b/lua")],
      'mode: "a/lua" and "b/lua" would both be the library shop in the output folder',
    ],
    [
      "two folders whose library names are spelled alike",
      { "src/lua/a-b": "functions", "src/lua/a_b": "functions" },
      [file("src/lua/a-b/x.lua"), file("src/lua/a_b/y.lua")],
      'mode: "src/lua/a-b" and "src/lua/a_b" would both be the library shop_a_b in a_b/',
    ],
    [
      "a folder whose scripts land in two output subfolders (nested inputs)",
      { "src/lua/a": "functions" },
      [file("src/lua/a/x.lua"), file("src/lua/a/y.lua", "src/lua/a")],
      'mode: the scripts below "src/lua/a" land in more than one output folder ("a" and ""), so they have no one library folder',
    ],
  ])("refuses %s", (_, mode, files, message) => {
    expect(homes(mode, files)).toBe(message);
  });

  it("resolves a folder of the setting against where luagen runs; one above the project root is the root", () => {
    const folder = settingFolder("/p/app", "/p/app");
    expect(["src/lua/billing", "./src/lua/", "/p/app/src", ".", "..", "/", "../other"].map(folder)).toEqual([
      "src/lua/billing",
      "src/lua",
      "src",
      "",
      "",
      "",
      "../other",
    ]);
  });

  it("knows when a run calls any script through a library", () => {
    expect([
      usesFunctions(undefined),
      usesFunctions("scripts"),
      usesFunctions("functions"),
      usesFunctions({ a: "scripts" }),
      usesFunctions({ a: "scripts", b: "functions" }),
    ]).toEqual([false, false, true, false, true]);
  });
});

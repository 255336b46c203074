import path from "node:path";
import { describe, expect, it } from "vitest";
import { sortDiagnostics } from "../../src/diagnostics.js";
import { emit } from "../../src/emit/typescript/emit.js";
import { buildScripts } from "../../src/build.js";
import { readRuntimeTemplate } from "../../src/generate.js";
import { scan } from "../../src/scan.js";
import { expectGolden } from "../support/golden.js";
import { ROOT } from "../support/workspace.js";

/**
 * test/fixtures/includes: `lua/` is a project whose scripts include partials (a `_name.lua`, an
 * `includes/` folder, a partial that includes another, an include repeated, BullMQ's spelling
 * without an extension); `broken/` holds one script per include error, and errors found in
 * included code. Paths are relative to the fixture folder, as the CLI run there would show them.
 */
const FIXTURE = path.join(ROOT, "test", "fixtures", "includes");

async function build(input: string) {
  const scanned = await scan([input], FIXTURE);
  return buildScripts(scanned.files, { library: scanned.library });
}

describe("---@include (golden)", () => {
  it("generates each script with its includes inlined and its origins, and no module for a partial", async () => {
    const built = await build("lua");
    expect(built.diagnostics).toEqual([]);
    const files = emit(built.scripts, { runtime: await readRuntimeTemplate(), importExtension: ".js" }).files;
    expect(files.map((f) => f.path)).toEqual(["counter.ts", "index.ts", "release-lock.ts", "runtime.ts"]);
    for (const file of files.filter((f) => f.path !== "runtime.ts")) {
      expectGolden(path.join(FIXTURE, "expected", file.path), file.content);
    }
  });

  it("reports include errors at the include's path, and errors in included code in the included file", async () => {
    const built = await build("broken");
    const lines = sortDiagnostics(built.diagnostics).map(
      (d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`,
    );
    expectGolden(path.join(FIXTURE, "broken.diagnostics.txt"), lines.join(""));
    expect(built.scripts).toEqual([]);
  });
});

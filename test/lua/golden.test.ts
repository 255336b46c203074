import { readdirSync } from "node:fs";
import { describe, test } from "vitest";
import { sortDiagnostics } from "../../src/diagnostics.js";
import { expectGolden } from "../support/golden.js";
import { FIXTURES, fixture, runLuaStages } from "./stages.js";

/**
 * Every `test/fixtures/lua/<case>.lua` has `<case>.diagnostics.txt`: the diagnostics the
 * parse, annotation and check stages report for it, one per line as
 * `line:col severity CODE message`, empty when the script is clean.
 */
const cases = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".lua"))
  .map((name) => name.slice(0, -".lua".length))
  .sort();

describe("lua stage diagnostics (golden)", () => {
  test.each(cases)("%s", (name) => {
    const lines = sortDiagnostics(runLuaStages(fixture(name)).diagnostics).map(
      (d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}\n`,
    );
    expectGolden(`${FIXTURES}${name}.diagnostics.txt`, lines.join(""));
  });
});

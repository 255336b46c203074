import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, test } from "vitest";
import { sortDiagnostics } from "../../src/diagnostics.js";
import { readAnnotations } from "../../src/lua/annotations.js";
import { checkScript } from "../../src/lua/check.js";
import { replyText } from "../../src/lua/lua-types.js";
import { parseLua } from "../../src/lua/parse.js";
import { expectGolden } from "../support/golden.js";
import { testLookup } from "./reply-table.js";
import { source } from "./stages.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/returns/", import.meta.url));

/**
 * Every `test/fixtures/returns/<case>.lua` has `<case>.txt`: the diagnostics of the Lua stages
 * (`line:col severity CODE message`), then the return type the script ends up with and whether
 * `---@return` declared it or luagen inferred it. One fixture per conversion rule and per kind of
 * mismatch, and one script full of idioms that must not be reported.
 */
const cases = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".lua"))
  .map((name) => name.slice(0, -".lua".length))
  .sort();

describe("return types, checked and inferred (golden)", () => {
  test.each(cases)("%s", (name) => {
    const file = source(readFileSync(`${FIXTURES}${name}.lua`, "utf8"), `${name}.lua`);
    const parsed = parseLua(file);
    if (parsed.chunk === undefined) throw new Error(`syntax error in ${name}.lua`);
    const annotations = readAnnotations(file, parsed.chunk);
    const checked = checkScript(file, parsed.chunk, annotations.signature, undefined, testLookup);
    const diagnostics = sortDiagnostics([...annotations.diagnostics, ...checked.diagnostics]);
    const { returns } = checked.signature;
    const origin = returns.origin === "missing" ? "" : ` (${returns.origin ?? "declared"})`;
    const lines = [
      ...diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`),
      `returns: ${replyText(returns.type)}${origin}`,
    ];
    expectGolden(`${FIXTURES}${name}.txt`, lines.join("\n") + "\n");
  });
});

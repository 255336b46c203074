import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../src/diagnostics.js";
import { USAGE } from "../../src/cli.js";
import { ROOT } from "../support/workspace.js";

const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
  it.each(Object.entries(CODES))("documents %s with its severity", (code, { severity }) => {
    expect(README).toMatch(new RegExp(`^\\| ${code} \\| ${severity} \\| .+ \\|$`, "m"));
  });

  it("documents no code that luagen does not have", () => {
    const documented = [...README.matchAll(/^\| (LG\d{3}) \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CODES).sort());
  });

  it.each([...USAGE.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]))("documents the %s flag", (flag) => {
    expect(README).toMatch(new RegExp(`\`(-\\w, )?${flag}[ \`]`));
  });
});

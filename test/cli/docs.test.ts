import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../src/diagnostics.js";
import { USAGE } from "../../src/cli.js";
import { FLAGS, flagSignature } from "../../src/flags.js";
import { ROOT } from "../support/workspace.js";

const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The diagnostics reference the README links to. */
const DIAGNOSTICS = readFileSync(path.join(ROOT, "docs", "diagnostics.md"), "utf8");
/** The flag table's first column (`| \`-o, --out <dir>\` | ... |`), in order. */
const README_FLAGS = [...README.matchAll(/^\| `(-[^`]+)` \|/gm)].map((m) => m[1]);
const SIGNATURES = Object.entries(FLAGS).map(([name, flag]) => flagSignature(name, flag));

describe("docs/diagnostics.md", () => {
  it.each(Object.entries(CODES))("documents %s with its severity", (code, { severity }) => {
    expect(DIAGNOSTICS).toMatch(new RegExp(`^\\| ${code} \\| ${severity} \\| .+ \\|$`, "m"));
  });

  it("documents no code that luagen does not have", () => {
    const documented = [...DIAGNOSTICS.matchAll(/^\| (LG\d{3}) \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CODES).sort());
  });
});

describe("README", () => {
  it("stays short: under 300 lines, the long material in docs/", () => {
    expect(README.split("\n").length).toBeLessThan(300);
  });

  it("links every page of docs/, and every link to docs/ resolves", () => {
    const pages = readdirSync(path.join(ROOT, "docs")).filter((name) => name.endsWith(".md"));
    const linked = [...README.matchAll(/\]\(docs\/([^)#]+)/g)].map((m) => m[1]);
    expect([...new Set(linked)].sort()).toEqual(pages.sort());
  });

  it.each(SIGNATURES)("documents the %s flag as --help writes it", (signature) => {
    expect(README_FLAGS).toContain(signature);
    expect(USAGE).toContain(signature);
  });

  it("lists exactly luagen's flags, in the order of the flag table (src/flags.ts)", () => {
    expect(README_FLAGS).toEqual(SIGNATURES);
  });
});

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir, writeTree } from "../support/workspace.js";

const CHECK = path.join(ROOT, "scripts", "check-release.js");

/** A package folder that is ready to publish, with `change` applied to its package.json. */
function packageDir(change: Record<string, unknown> = {}, changelog = "## [0.3.1] - 2026-12-07\n"): string {
  const dir = tempDir("release");
  const pkg = {
    name: "luagen",
    version: "0.3.1",
    repository: { type: "git", url: "git+https://example.test/team/luagen.git" },
    bugs: { url: "https://example.test/team/luagen/issues" },
    homepage: "https://example.test/team/luagen#readme",
    ...change,
  };
  writeTree(dir, {
    "package.json": JSON.stringify(pkg),
    LICENSE: "MIT License\n",
    "CHANGELOG.md": `# Changelog\n\n## [Unreleased]\n\n${changelog}`,
  });
  return dir;
}

function check(dir: string): { status: number | null; lines: string[] } {
  const { status, stderr } = spawnSync(process.execPath, [CHECK, dir], { encoding: "utf8" });
  return { status, lines: stderr.split("\n").filter(Boolean) };
}

describe("the release check `npm publish` runs first", () => {
  it("runs before every publish", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.prepublishOnly).toBe("node scripts/check-release.js");
  });

  it("passes a package with its links, licence and this version's changelog section", () => {
    expect(check(packageDir())).toEqual({ status: 0, lines: [] });
    expect(check(packageDir({ bugs: "https://example.test/team/luagen/issues" }))).toEqual({ status: 0, lines: [] });
  });

  it("refuses a package without its repository, bugs and homepage links, one line each", () => {
    const { status, lines } = check(packageDir({ repository: undefined, bugs: { email: "a@b.c" }, homepage: "" }));
    expect(status).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^luagen release: package.json has no "repository" URL \(npm pkg set repository\.url=/),
      expect.stringMatching(/^luagen release: package.json has no "bugs" URL/),
      expect.stringMatching(/^luagen release: package.json has no "homepage" URL/),
    ]);
  });

  it("refuses a version the changelog has no section for", () => {
    const { status, lines } = check(packageDir({}, "## [0.3.0] - 2026-11-01\n"));
    expect(status).toBe(1);
    expect(lines).toEqual([
      'luagen release: CHANGELOG.md has no "## [0.3.1]" section (move "Unreleased" under it, with the date)',
    ]);
  });

  it("says what is wrong with an unreadable package.json in one line", () => {
    const dir = tempDir("release");
    writeTree(dir, { "package.json": "{", LICENSE: "", "CHANGELOG.md": "" });
    const { status, lines } = check(dir);
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^luagen release: .*JSON/);
  });
});

#!/usr/bin/env node
// `npm publish` runs this first (package.json "prepublishOnly"): a release needs what users and
// the registry read besides the code. It refuses, one line per gap, rather than ship a package
// whose npm page links nowhere or whose version the changelog does not describe.
// Usage: node scripts/check-release.js [package folder, default: the current one]
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** What stands between the package in `dir` and a release; empty when it is ready. */
function releaseGaps(dir) {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const gaps = [];
  const url = (value) => (typeof value === "string" ? value : value?.url);
  const link = (field, value, example) => {
    if (!/^(git\+)?https:\/\/\S+$/.test(url(value) ?? ""))
      gaps.push(`package.json has no "${field}" URL (npm pkg set ${example})`);
  };
  link("repository", pkg.repository, "repository.url=git+https://github.com/<owner>/luagen.git");
  link("bugs", pkg.bugs, "bugs.url=https://github.com/<owner>/luagen/issues");
  link("homepage", pkg.homepage, "homepage=https://github.com/<owner>/luagen#readme");
  if (!existsSync(path.join(dir, "LICENSE"))) gaps.push("LICENSE is missing");
  const changelog = path.join(dir, "CHANGELOG.md");
  const heading = new RegExp(`^## \\[${String(pkg.version).replace(/\./g, "\\.")}\\]`, "m");
  if (!existsSync(changelog) || !heading.test(readFileSync(changelog, "utf8")))
    gaps.push(`CHANGELOG.md has no "## [${pkg.version}]" section (move "Unreleased" under it, with the date)`);
  return gaps;
}

let gaps;
try {
  gaps = releaseGaps(path.resolve(process.argv[2] ?? "."));
} catch (error) {
  gaps = [error.message.split("\n")[0]];
}
for (const gap of gaps) process.stderr.write(`luagen release: ${gap}\n`);
process.exit(gaps.length === 0 ? 0 : 1);

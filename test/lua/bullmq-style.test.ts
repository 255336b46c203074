import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommandUse } from "../../src/lua/command-checks.js";
import { expandIncludes } from "../../src/lua/includes.js";
import { parseLua } from "../../src/lua/parse.js";
import type { SourceFile } from "../../src/model.js";
import { diagnosticAt } from "../../src/origins.js";
import { ROOT, runCli, tempDir } from "../support/workspace.js";

/**
 * Scripts written in BullMQ's idioms (`local rcall = redis.call`, keys built from an ARGV prefix
 * and a job id, `--- @include` of shared functions, a push command chosen at run time, TYPE's
 * status read with ["ok"]): the command checks must not call any of it wrong.
 */
const CORPUS = "test/fixtures/bullmq-style";

function corpus(): { scripts: SourceFile[]; library: Map<string, string> } {
  const files = readdirSync(path.join(ROOT, CORPUS), { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".lua"),
  );
  const library = new Map(files.map((f) => [`${CORPUS}/${f}`, readFileSync(path.join(ROOT, CORPUS, f), "utf8")]));
  const scripts = files
    .filter((f) => !f.startsWith("includes"))
    .map((f) => ({ path: `${CORPUS}/${f}`, relativePath: f, text: library.get(`${CORPUS}/${f}`)!, partial: false }));
  return { scripts, library };
}

describe("BullMQ-style scripts", () => {
  it("generate with no errors and no command diagnostics", async () => {
    const run = await runCli([CORPUS, "--out", path.join(tempDir("bullmq"), "gen")], ROOT);
    expect(run.stderr).not.toMatch(/ error /);
    expect(run.stderr).not.toMatch(/LG23\d/);
    expect(run.code).toBe(0);
  });

  it("are told apart: which write, which only read, which luagen cannot tell", () => {
    const { scripts, library } = corpus();
    const writes = Object.fromEntries(
      scripts.map((file) => {
        const expanded = expandIncludes(file, library);
        const parsed = parseLua(file, expanded);
        const used = checkCommandUse(parsed.chunk!, parsed.source, (code, at, message) =>
          diagnosticAt(code, file.path, expanded.origins, at, message),
        );
        return [file.relativePath, used.writes];
      }),
    );
    expect(writes).toEqual({
      "addStandardJob.lua": "yes",
      "extendLock.lua": "yes",
      "getCounts.lua": "yes", // RPOP of a stale marker
      "getState.lua": "no",
      "isJobInList.lua": "no",
      "moveToActive.lua": "yes",
      "removeJob.lua": "yes",
    });
  });
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { emit } from "../../src/emit/emit.js";
import { buildScripts, readRuntimeTemplate } from "../../src/generate.js";
import { scan } from "../../src/scan.js";
import { expectGolden } from "../support/golden.js";
import { ROOT } from "../support/workspace.js";

const PROJECT = path.join(ROOT, "test", "fixtures", "project");

async function emitFixtures(transform: (text: string) => string = (t) => t) {
  const scanned = await scan(["lua"], PROJECT);
  const files = scanned.files.map((f) => ({ ...f, text: transform(f.text) }));
  const built = buildScripts(files);
  expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return emit(built.scripts, { runtime: await readRuntimeTemplate(), importExtension: ".js" }).files;
}

describe("emitted modules", () => {
  it("match the golden files under test/fixtures/project/expected", async () => {
    const files = await emitFixtures();
    expect(files.map((f) => f.path)).toEqual(["bare.ts", "index.ts", "ping_status.ts", "queue/move-jobs.ts", "runtime.ts", "tag-all.ts"]);
    for (const file of files.filter((f) => f.path !== "runtime.ts")) {
      expectGolden(path.join(PROJECT, "expected", file.path), file.content);
    }
  });

  it("copy the runtime template byte for byte", async () => {
    const runtime = (await emitFixtures()).find((f) => f.path === "runtime.ts");
    expect(runtime?.content).toBe(await readRuntimeTemplate());
  });

  it("are the same bytes on every run, and for a Windows checkout (CRLF, BOM)", async () => {
    const first = await emitFixtures();
    expect(await emitFixtures()).toEqual(first);
    expect(await emitFixtures((t) => "\uFEFF" + t.replace(/\n/g, "\r\n"))).toEqual(first);
  });
});

import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { generate, type GenerateResult } from "../../src/generate.js";
import { tempDir, writeTree } from "../support/workspace.js";

const GOOD = "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n";

type Of<K extends GenerateResult["kind"]> = Extract<GenerateResult, { kind: K }>;

describe("generate's result: one outcome, carrying exactly what it has", () => {
  it("types each outcome with only its own fields (no optional plan or summary to assert away)", () => {
    expectTypeOf<Of<"failed">>().not.toHaveProperty("plan");
    expectTypeOf<Of<"planned">["plan"]>().not.toBeNullable();
    expectTypeOf<Of<"planned">>().not.toHaveProperty("summary");
    expectTypeOf<Of<"written">["summary"]>().not.toBeNullable();
  });

  it("is failed, with the diagnostics and no plan, when a script has an error", async () => {
    const dir = tempDir("result");
    writeTree(dir, { "lua/bad.lua": "return redis.call(" });
    const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
    expect(result.kind).toBe("failed");
    expect(result).not.toHaveProperty("plan");
    expect(result.kind === "failed" && result.diagnostics.map((d) => d.code)).toEqual(["LG001"]);
    expect(existsSync(path.join(dir, "gen"))).toBe(false);
  });

  it("is planned under check (stale, then up to date once written) and written otherwise", async () => {
    const dir = tempDir("result");
    writeTree(dir, { "lua/get.lua": GOOD });
    const options = { inputs: ["lua"], out: "gen", cwd: dir };
    const stale = await generate({ ...options, check: true });
    expect(stale.kind === "planned" && { upToDate: stale.upToDate, write: stale.plan.write.length }).toEqual({
      upToDate: false,
      write: 3,
    });
    expect(existsSync(path.join(dir, "gen"))).toBe(false);
    const written = await generate(options);
    expect(written.kind === "written" && written.summary).toEqual({ written: 3, unchanged: 0, removed: 0 });
    const fresh = await generate({ ...options, check: true });
    expect(fresh.kind === "planned" && fresh.upToDate).toBe(true);
  });

  it("is failed when the plan would overwrite a file luagen did not generate (LG302)", async () => {
    const dir = tempDir("result");
    writeTree(dir, { "lua/get.lua": GOOD, "gen/get.ts": "// mine\n" });
    const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
    expect(result.kind === "failed" && result.diagnostics.map((d) => d.code)).toEqual(["LG302"]);
  });
});

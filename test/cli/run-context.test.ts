import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRunContext } from "../../src/context.js";
import { emit } from "../../src/emit/typescript/emit.js";
import { buildScripts } from "../../src/build.js";
import { generate, generateTargets, readRuntimeTemplate } from "../../src/generate.js";
import type { SourceFile } from "../../src/model.js";
import { tempProject, writeTree } from "../support/workspace.js";

const script = (command: string) =>
  `---@key k\n---@return string|integer|nil\nreturn redis.call("${command}", KEYS[1])\n`;
const file = (name: string, text: string): SourceFile => ({
  path: `lua/${name}`,
  relativePath: name,
  text,
  partial: false,
});

describe("the run context", () => {
  it("is updated by generate: a second run reuses the first run's builds and modules, and forgets a removed script", async () => {
    const dir = tempProject("context");
    writeTree(dir, { "lua/get.lua": script("GET"), "lua/ttl.lua": script("TTL") });
    const context = createRunContext();
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    expect([...context.builds.keys()]).toEqual(["lua/get.lua", "lua/ttl.lua"]);
    expect(context.modules.size).toBe(2);
    expect(context.dirty).toBe(true);

    // A module text the context holds is what the next run writes: it was reused, not printed again.
    const [key, text] = [...context.modules].find(([, t]) => t.includes('\\"GET\\"'))!;
    context.modules = new Map([...context.modules, [key, text.replace('\\"GET\\"', '\\"FROM-CONTEXT\\"')]]);
    rmSync(path.join(dir, "lua/ttl.lua"));
    context.texts.delete(path.join(dir, "lua/ttl.lua"));
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    expect(readFileSync(path.join(dir, "gen/get.ts"), "utf8")).toContain('\\"FROM-CONTEXT\\"');
    expect([...context.builds.keys()]).toEqual(["lua/get.lua"]);
    expect(context.modules.size).toBe(1);
  });

  it("holds the texts the scanner read, and a run takes a file's text from it rather than from disk", async () => {
    const dir = tempProject("context");
    writeTree(dir, { "lua/get.lua": script("GET") });
    const context = createRunContext();
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    const absolute = path.join(dir, "lua/get.lua");
    expect(context.texts.get(absolute)).toBe(script("GET"));
    writeTree(dir, { "lua/get.lua": script("STRLEN") });
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    expect(readFileSync(path.join(dir, "gen/get.ts"), "utf8")).toContain('\\"GET\\"');
    context.texts.delete(absolute);
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    expect(readFileSync(path.join(dir, "gen/get.ts"), "utf8")).toContain('\\"STRLEN\\"');
  });

  it("is not made dirty by a rerun over unchanged scripts, so the CLI does not rewrite its cache file", async () => {
    const dir = tempProject("context");
    writeTree(dir, { "lua/get.lua": script("GET") });
    const context = createRunContext();
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    context.dirty = false;
    await generate({ inputs: ["lua"], out: "gen", cwd: dir }, context);
    expect(context.dirty).toBe(false);
  });
});

describe("the stages a run context feeds", () => {
  it("buildScripts changes nothing in place: it returns this run's builds, reusing an unchanged script's", () => {
    const first = buildScripts([file("get.lua", script("GET"))]);
    const previous = new Map(first.builds);
    const second = buildScripts([file("get.lua", script("GET")), file("ttl.lua", script("TTL"))], { previous });
    expect(second.builds.get("lua/get.lua")).toBe(first.builds.get("lua/get.lua"));
    expect([...second.builds.keys()]).toEqual(["lua/get.lua", "lua/ttl.lua"]);
    expect([...previous.keys()]).toEqual(["lua/get.lua"]);
  });

  it("emit changes nothing in place: it returns the module texts it used, reusing the previous ones by key", async () => {
    const runtime = await readRuntimeTemplate();
    const { scripts } = buildScripts([file("get.lua", script("GET"))]);
    const first = emit(scripts, { runtime, importExtension: ".js" });
    expect(first.modules.size).toBe(1);
    const [key] = first.modules.keys();
    const previous = new Map([
      [key, "// reused\n"],
      ["gone", "// gone\n"],
    ]);
    const second = emit(scripts, { runtime, importExtension: ".js", previous });
    expect(second.files.find((f) => f.path === "get.ts")?.content).toBe("// reused\n");
    expect([...second.modules]).toEqual([[key, "// reused\n"]]);
    expect(previous.size).toBe(2);
  });

  it("builds the scripts once for several targets, and emits each target from that one build", async () => {
    const dir = tempProject("context");
    writeTree(dir, { "lua/get.lua": script("GET"), "lua/ttl.lua": script("TTL"), "lua/strlen.lua": script("STRLEN") });
    const built: number[] = [];
    const context = createRunContext({ onProgress: (done) => built.push(done) });
    const results = await generateTargets(
      [
        { inputs: ["lua"], out: "gen/ts", cwd: dir },
        { inputs: ["lua"], out: "gen/py", cwd: dir, target: "python" },
      ],
      context,
    );
    expect(built).toEqual([1, 2, 3]);
    expect(results.map((result) => result.kind)).toEqual(["written", "written"]);
    expect(readFileSync(path.join(dir, "gen/ts/ttl.ts"), "utf8")).toContain('\\"TTL\\"');
    expect(readFileSync(path.join(dir, "gen/py/ttl.py"), "utf8")).toContain("TTL");
  });
});

import { describe, expect, it } from "vitest";
import { emit } from "../../src/emit/typescript/emit.js";
import { buildScripts } from "../../src/build.js";
import type { Diagnostic } from "../../src/model.js";
import { functionNameFor } from "../../src/naming.js";

const SCRIPT = "---@key k\n---@return integer\nreturn redis.call('EXISTS', KEYS[1])\n";

/** Builds scripts at these paths (below `lua/`) in memory; `texts` overrides the script's text. */
function build(paths: readonly string[], texts: Record<string, string> = {}) {
  const files = paths.map((relativePath) => ({
    path: `lua/${relativePath}`,
    relativePath,
    text: texts[relativePath] ?? SCRIPT,
    partial: false,
  }));
  return buildScripts(files);
}

const shown = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`);

describe("function names from file names", () => {
  it("keep Unicode letters, which TypeScript accepts in identifiers", () => {
    expect(functionNameFor("café.lua")).toBe("café");
    expect(functionNameFor("größe.lua")).toBe("größe");
    expect(functionNameFor("日本.lua")).toBe("日本");
    expect(functionNameFor("rate/Größe-liste.lua")).toBe("größeListe");
    expect(functionNameFor("x_ärger-öl.lua")).toBe("xÄrgerÖl");
  });

  it("do not change a word's length when casing its first letter, and are NFC whatever the file system gave", () => {
    expect(functionNameFor("a-ßb.lua")).toBe("aßb");
    expect(functionNameFor("cafe\u0301.lua")).toBe("café");
    expect(functionNameFor("cafe\u0301.lua")).toBe(functionNameFor("caf\u00e9.lua"));
  });

  it("keep the ASCII rules: separators split words, later words are capitalised", () => {
    expect(functionNameFor("incr-capped.lua")).toBe("incrCapped");
    expect(functionNameFor("incr_capped.lua")).toBe("incrCapped");
    expect(functionNameFor("rate/sliding window.lua")).toBe("slidingWindow");
  });
});

describe("LG304: a file name no export can take gives a derived name", () => {
  it("a reserved word, a leading digit: run + the name, with a warning that names the file, the reason and the name chosen", () => {
    const { diagnostics, scripts } = build(["class.lua", "1st.lua", "140053a7.lua"]);
    expect(scripts.map((s) => s.name)).toEqual(["runClass", "run1st", "run140053a7"]);
    expect(shown(diagnostics)).toEqual([
      'lua/class.lua:1:1 LG304: the file name "class.lua" gives "class", which is a reserved word in TypeScript; the script is exported as "runClass"',
      'lua/1st.lua:1:1 LG304: the file name "1st.lua" gives "1st", which is not a valid TypeScript identifier; the script is exported as "run1st"',
      'lua/140053a7.lua:1:1 LG304: the file name "140053a7.lua" gives "140053a7", which is not a valid TypeScript identifier; the script is exported as "run140053a7"',
    ]);
    expect(diagnostics.every((d) => d.severity === "warning")).toBe(true);
    expect(diagnostics[0]?.hint).toContain("---@name");
  });

  it("a file name that gives no name at all is still an error: there is nothing to derive from", () => {
    const { diagnostics, scripts } = build(["+.lua"]);
    expect(scripts).toEqual([]);
    expect(shown(diagnostics)).toEqual([
      'lua/+.lua:1:1 LG300: the exported name "" (made from the file name "+.lua") is empty',
    ]);
  });

  it("two derived names that collide are LG301, naming both files", () => {
    const { diagnostics } = build(["delete.lua", "run-delete.lua"]);
    expect(shown(diagnostics).filter((line) => line.includes("LG301"))).toEqual([
      'lua/run-delete.lua:1:1 LG301: "runDelete" is exported by both lua/delete.lua and lua/run-delete.lua',
    ]);
  });
});

describe("LG300: a name TypeScript would reject", () => {
  it("a ---@name that is a reserved word stays an error: the name was chosen, so luagen does not choose another", () => {
    const { diagnostics } = build(["a.lua"], { "a.lua": `---@name class\n${SCRIPT}` });
    expect(shown(diagnostics)).toEqual([
      'lua/a.lua:1:1 LG300: the exported name "class" is a reserved word in TypeScript',
    ]);
    expect(diagnostics[0]?.hint).toBe("choose another name in `---@name`");
  });

  it("points at the parameter's name for a parameter name, not at column 1", () => {
    const { diagnostics } = build(["a.lua"], {
      "a.lua": "---@key k\n---@arg   new string\nreturn redis.call('SET', KEYS[1], ARGV[1])\n",
    });
    expect(shown(diagnostics)).toEqual([
      'lua/a.lua:2:11 LG300: the parameter name "new" is a reserved word in TypeScript',
    ]);
  });

  it("refuses a ---@name that index.ts already exports as a runtime type", () => {
    const { diagnostics } = build(["a.lua"], { "a.lua": `---@name ScriptDescriptor\n${SCRIPT}` });
    expect(shown(diagnostics)).toEqual([
      'lua/a.lua:1:1 LG300: the exported name "ScriptDescriptor" is a type index.ts exports from the runtime',
    ]);
    expect(diagnostics[0]?.hint).toBe("choose another name in `---@name`");
  });
});

describe("names typed batches take", () => {
  it("a file named like an export of the batches or a method of every batch gets a derived name; a ---@name like one is LG300", () => {
    const { diagnostics, scripts } = build(["multi.lua", "exec.lua", "b.lua", "length.lua"], {
      "b.lua": `---@name BatchError\n${SCRIPT}`,
    });
    expect(scripts.map((s) => s.name)).toEqual(["runMulti", "runExec", "runLength"]);
    expect(shown(diagnostics)).toEqual([
      'lua/multi.lua:1:1 LG304: the file name "multi.lua" gives "multi", which is a name index.ts exports for typed batches; the script is exported as "runMulti"',
      'lua/exec.lua:1:1 LG304: the file name "exec.lua" gives "exec", which is a method every typed batch has; the script is exported as "runExec"',
      'lua/b.lua:1:1 LG300: the exported name "BatchError" is a name index.ts exports for typed batches',
      'lua/length.lua:1:1 LG304: the file name "length.lua" gives "length", which is a method every typed batch has; the script is exported as "runLength"',
    ]);
  });

  it("a script named then gets a derived name: a batch with a then method would be awaited as a promise", () => {
    const { scripts, diagnostics } = build(["then.lua"]);
    expect(scripts.map((s) => s.name)).toEqual(["runThen"]);
    expect(diagnostics.map((d) => d.code)).toEqual(["LG304"]);
  });

  it("accepts a script named like a client command (it hides that command in typed batches) or like a name index.ts only uses inside", () => {
    const { diagnostics } = build(["get.lua", "b.lua"], { "b.lua": `---@name openBatch\n${SCRIPT}` });
    expect(diagnostics).toEqual([]);
  });
});

describe("LG301/LG302: collisions", () => {
  it("reports two scripts that export the same names once, not once per name", () => {
    const { diagnostics } = build(["a/counter.lua", "b/counter.lua"]);
    expect(shown(diagnostics)).toEqual([
      'lua/b/counter.lua:1:1 LG301: "counter" is exported by both lua/a/counter.lua and lua/b/counter.lua',
    ]);
  });

  it("treats output paths that differ only in letter case as one file", () => {
    const texts = { "Counter.lua": `---@name upperCounter\n${SCRIPT}` };
    const { diagnostics } = build(["Counter.lua", "Index.lua", "RUNTIME.lua", "counter.lua"], texts);
    const clashes = diagnostics.filter((d) => d.code === "LG302");
    expect(shown(clashes)).toEqual([
      "lua/Index.lua:1:1 LG302: lua/Index.lua would generate Index.ts, which luagen writes itself as index.ts: one file on a case-insensitive file system (macOS, Windows)",
      "lua/RUNTIME.lua:1:1 LG302: lua/RUNTIME.lua would generate RUNTIME.ts, which luagen writes itself as runtime.ts: one file on a case-insensitive file system (macOS, Windows)",
      "lua/counter.lua:1:1 LG302: lua/counter.lua and lua/Counter.lua would generate counter.ts and Counter.ts: one file on a case-insensitive file system (macOS, Windows)",
    ]);
  });
});

describe("LG303: a path no import can reach", () => {
  it.each(["a#b.lua", "what?.lua", "100%/x.lua", "back\\slash/x.lua"])("%s", (relativePath) => {
    const { diagnostics } = build([relativePath]);
    expect(diagnostics.map((d) => d.code)).toEqual(["LG303"]);
    expect(diagnostics[0]?.message).toContain(`the module for ${relativePath} cannot be imported`);
  });
});

describe("paths printed into generated code", () => {
  it("are escaped where they would end a comment or a line, and stay plain otherwise", () => {
    const { scripts } = build(["new\nline/a.lua", "star*/b.lua", "sep\u2028/c.lua", 'q"uote/d.lua']);
    const { files } = emit(scripts, { runtime: "", importExtension: ".js" });
    const content = (path: string) => files.find((f) => f.path === path)?.content ?? "";
    expect(content("new\nline/a.ts").split("\n")[0]).toBe(
      "// Code generated by luagen from lua/new\\nline/a.lua. DO NOT EDIT.",
    );
    expect(content("star*/b.ts").split("\n")[0]).toBe(
      "// Code generated by luagen from lua/star*\\/b.lua. DO NOT EDIT.",
    );
    expect(content("star*/b.ts")).toContain('file: "lua/star*/b.lua",');
    expect(content("sep\u2028/c.ts").split("\n")[0]).toBe(
      "// Code generated by luagen from lua/sep\\u2028/c.lua. DO NOT EDIT.",
    );
    expect(content("sep\u2028/c.ts")).toContain('file: "lua/sep\\u2028/c.lua",');
    expect(content('q"uote/d.ts').split("\n")[0]).toBe(
      '// Code generated by luagen from lua/q"uote/d.lua. DO NOT EDIT.',
    );
    expect(content("index.ts")).toContain('export { a, aScript } from "./new\\nline/a.js";');
    expect(content("index.ts")).toContain('export { d, dScript } from "./q\\"uote/d.js";');
  });
});

describe("inferred rest parameters and BullMQ's name-N.lua", () => {
  it("the -N key count stands where the script reads KEYS[N], so a loop over #KEYS adds no rest key; ARGV read whole still gets one", () => {
    const text =
      "for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end\nreturn redis.call('RPUSH', KEYS[2], unpack(ARGV))\n";
    const { scripts, diagnostics } = build(["cleanUp-2.lua"], { "cleanUp-2.lua": text });
    expect(scripts[0]?.name).toBe("cleanUp");
    expect(scripts[0]?.signature.keys.map((k) => [k.name, k.rest])).toEqual([
      ["key1", false],
      ["key2", false],
    ]);
    expect(scripts[0]?.signature.args.map((a) => [a.name, a.rest])).toEqual([["args", true]]);
    expect(diagnostics.find((d) => d.code === "LG205")?.hint).toContain(
      "KEYS is read with a computed index, but the file name says how many keys there are",
    );
  });

  it("a -N the script contradicts (it takes any number of keys and never reads KEYS[N]) is no key count: the name keeps its digits", () => {
    const text = "for i, key in ipairs(KEYS) do redis.call('DEL', key) end\nreturn #KEYS\n";
    const { scripts, diagnostics } = build(["pfc_detect_cisco-8000.lua"], { "pfc_detect_cisco-8000.lua": text });
    expect(scripts[0]?.name).toBe("pfcDetectCisco8000");
    expect(scripts[0]?.signature.keys.map((k) => (k.rest ? `...${k.name}` : k.name))).toEqual(["...keys"]);
    expect(diagnostics.find((d) => d.code === "LG205")?.hint).toContain(
      "the file name's -8000 is not taken as a key count (BullMQ's convention), since the script reads no KEYS[n] by a literal index",
    );
    const module = emit(scripts, { runtime: "", importExtension: ".js" }).files.find(
      (f) => f.path === "pfc_detect_cisco-8000.ts",
    );
    expect(module!.content.length).toBeLessThan(4_000); // not 8,000 key parameters
  });

  it("the generated function takes the rest as one array parameter", () => {
    const text = "for _, v in ipairs(ARGV) do redis.call('SADD', KEYS[1], v) end\nreturn #ARGV\n";
    const { scripts } = build(["cf-insert.lua"], { "cf-insert.lua": text });
    const module = emit(scripts, { runtime: "", importExtension: ".js" }).files.find((f) => f.path === "cf-insert.ts");
    expect(module?.content).toContain(
      "export function cfInsert(\n  target: ScriptClient,\n  key1: RedisKey,\n  args: ReadonlyArray<string | number>,\n): Promise<number>;",
    );
  });
});

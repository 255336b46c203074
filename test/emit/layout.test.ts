import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { emit } from "../../src/emit/typescript/emit.js";
import { buildScripts } from "../../src/build.js";
import type { SourceFile } from "../../src/model.js";

const KEYS = [
  "wait",
  "active",
  "prioritized",
  "events",
  "stalled",
  "limiter",
  "delayed",
  "paused",
  "meta",
  "pc",
  "completed",
  "jobIdKey",
  "metrics",
  "marker",
];
const ARGS = [
  "jobId",
  "timestamp",
  "msgProperty",
  "returnValue",
  "target",
  "fetchNext",
  "keysPrefix",
  "opts",
  "jobFields",
];

// A BullMQ-style script (moveToFinished-14.lua): 14 keys and 9 arguments.
const MANY = [
  "---Move a job from active to finished.",
  ...KEYS.map((k) => `---@key ${k}`),
  ...ARGS.map((a) => `---@arg ${a} string`),
  "---@return integer",
  `return #KEYS + #ARGV + ${KEYS.map((_, i) => `#KEYS[${i + 1}]`).join(" + ")} + ${ARGS.map((_, i) => `#ARGV[${i + 1}]`).join(" + ")}`,
  "",
].join("\n");

const file = (relativePath: string, text: string): SourceFile => ({
  path: `lua/${relativePath}`,
  relativePath,
  text,
  partial: false,
});

function moduleFor(text: string, relativePath = "script.lua"): string {
  const built = buildScripts([file(relativePath, text)]);
  expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const { files } = emit(built.scripts, { runtime: "", importExtension: ".js" });
  return files.find((f) => f.path === relativePath.replace(/\.lua$/, ".ts"))!.content;
}

/** The `source` expression of a generated module, evaluated. */
function embeddedSource(module: string): string {
  const expression = /\n {2}source: ([\s\S]*?),\n {2}sha1:/.exec(module)![1]!;
  return new Function(`return ${expression};`)() as string;
}

describe("generated modules read as hand-written", () => {
  it("keep every line luagen lays out within 100 columns, even for 14 keys and 9 arguments", () => {
    const module = moduleFor(MANY, "queue/move-to-finished.lua");
    const sourceLines = new Set(MANY.split("\n").map((line) => `    ${JSON.stringify(line)},`));
    const long = module.split("\n").filter((line) => line.length > 100 && !sourceLines.has(line));
    expect(long).toEqual([]);
    expect(module).toContain('  keys: [\n    { name: "wait", rest: false },\n');
    // BullMQ's script has an argument named `target`: the client parameter steps aside.
    expect(module).toContain("export function moveToFinished(\n  _target: ScriptClient,\n  wait: RedisKey,\n");
  });

  it("say in the batch overload's @returns that the call is queued, not that it resolves to the reply", () => {
    const module = moduleFor("---@key k\n---@return integer  the new value\nreturn redis.call('INCR', KEYS[1])\n");
    const unwrapped = module.replace(/\n \* {3}/g, " ");
    const [client, batch] = unwrapped.split("export function").slice(0, 2);
    expect(client).toContain("@returns the script's reply: the new value");
    expect(batch).toContain(
      "@returns `target`, the call queued in it for chaining; `exec()` gives its reply: the new value",
    );
  });

  it("write no empty @param tag for an inferred or undescribed parameter", () => {
    const module = moduleFor("return redis.call('SET', KEYS[1], ARGV[1])\n");
    expect(module).not.toMatch(/@param key1\s*$/m);
    expect(module).not.toMatch(/@param arg1\s*$/m);
    expect(module).toContain("@param target - a client");
  });
});

describe("the embedded source", () => {
  // `blank` is how many `"",` lines the array should hold: the file's own blank lines, never one
  // more for its final newline.
  it.each([
    ["ends with a newline", "local x = 1\nreturn x\n", 0],
    ["has no final newline", "local x = 1\nreturn x", 0],
    ["ends with blank lines", "return 1\n\n\n", 2],
    ["is one line with a newline", "return 1\n", 0],
    ["is one line without one", "return 1", 0],
  ])("is the file byte for byte when it %s, with no empty line for the final newline", (_, text, blank) => {
    const module = moduleFor(text);
    expect(embeddedSource(module)).toBe(text);
    expect(module).toContain(`sha1: "${createHash("sha1").update(text).digest("hex")}"`);
    expect(module.split("\n").filter((line) => line === '    "",')).toHaveLength(blank);
  });
});

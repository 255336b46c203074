import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tsc, writeTsconfig } from "../support/tsc.js";
import { runCli, tempDir, writeTree } from "../support/workspace.js";

// No annotations: every return is known (a counter kept as a number, a nil), so the type is inferred.
const TALLY = `local n = 0
for i = 1, 3 do n = n + i end
if KEYS[1] == "" then return nil end
return n
`;

// One return luagen cannot follow: the type stays unknown.
const DECODE = `---@arg payload string
if ARGV[1] == "" then return 0 end
return cjson.decode(ARGV[1])
`;

const DECLARED = `---@return integer
return 1
`;

const CONSUMER = `import type { Redis } from "ioredis";
import { tally } from "./gen/index.js";

export async function use(redis: Redis): Promise<void> {
  const total: number | null = await tally(redis, "k");
  // @ts-expect-error the inferred reply may be null
  const wrong: number = await tally(redis, "k");
  void [total, wrong];
}
`;

describe("inferred return types", () => {
  it("--explain-types prints each script's return type and, per return, what was inferred and why", async () => {
    const dir = tempDir("explain");
    // package.json makes the folder the project root, which printed paths are relative to.
    writeTree(dir, {
      "package.json": "{}\n",
      "lua/tally.lua": TALLY,
      "lua/decode.lua": DECODE,
      "lua/declared.lua": DECLARED,
    });
    const run = await runCli(["lua", "--out", "gen", "--explain-types", "--quiet"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      "lua/declared.lua: returns integer (declared by ---@return) → Promise<number>",
      "  line 2: integer (the number 1)",
      "lua/decode.lua: returns unknown (no ---@return; not every return is known) → Promise<unknown>",
      "  line 2: integer (the number 0)",
      "  line 3: unknown (cjson.decode's result is not tracked)",
      "lua/tally.lua: returns nil|integer (inferred) → Promise<null | number>",
      "  line 3: nil (the literal nil)",
      "  line 4: integer (n (line 1): the number 0; every reassignment keeps number)",
    ]);
  });

  it("names each script as diagnostics do: relative to where luagen runs, below the project root", async () => {
    const dir = tempDir("explain");
    writeTree(dir, {
      "package.json": "{}\n",
      "app/lua/declared.lua": DECLARED,
      "app/lua/bad.lua": "return redis.call('GTE')\n",
    });
    const run = await runCli(["lua", "--out", "gen", "--explain-types"], path.join(dir, "app"));
    expect(run.stderr).toMatch(/^lua\/bad\.lua:1:\d+ - error LG230/m);
    expect(run.stdout).toMatch(/^lua\/declared\.lua: returns integer/m);
  });

  it("without --explain-types nothing of it is printed", async () => {
    const dir = tempDir("explain");
    writeTree(dir, { "lua/tally.lua": TALLY });
    const run = await runCli(["lua", "--out", "gen", "--quiet"], dir);
    expect(run.stdout).toBe("");
  });

  it("the inferred type is what the generated function returns, its JSDoc says so, and it compiles", async () => {
    const dir = tempDir("explain");
    writeTree(dir, { "lua/tally.lua": TALLY, "consumer.ts": CONSUMER });
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    const module = readFileSync(path.join(dir, "gen/tally.ts"), "utf8");
    expect(module).toContain("): Promise<null | number>;");
    expect(module).toContain("(type inferred by luagen from the script's returns)");
    const compiled = await tsc(writeTsconfig(dir, { module: "NodeNext", moduleResolution: "NodeNext" }));
    expect(compiled.output).toBe("");
    expect(compiled.code).toBe(0);
  });
});

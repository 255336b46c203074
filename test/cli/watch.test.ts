import { spawn } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, tempDir, writeTree } from "../support/workspace.js";

const script = (command: string) =>
  `---@key k\n---@return string|integer|nil\nreturn redis.call("${command}", KEYS[1])\n`;

/** A spawned `luagen --watch` whose output can be awaited line by line. */
function startWatch(dir: string, args: readonly string[] = ["lua", "--out", "gen", "--watch"]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let output = "";
  let seen = 0;
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  /** Waits for `pattern` to appear in output printed since the previous wait. */
  const next = async (pattern: RegExp, timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = output.slice(seen);
      const match = pattern.exec(fresh);
      if (match) {
        seen += match.index + match[0].length;
        return fresh.slice(0, match.index + match[0].length);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, next, exited };
}

/**
 * Starts `luagen --watch` in `dir` (one script there), waits for its first run, runs `steps`,
 * then stops it with SIGINT, which must exit 0.
 */
async function whileWatching(
  dir: string,
  steps: (next: ReturnType<typeof startWatch>["next"]) => Promise<void>,
): Promise<void> {
  const watch = startWatch(dir);
  try {
    await watch.next(/luagen: 1 script → gen \(3 written, 0 unchanged, 0 removed\)/);
    await watch.next(/watching lua/);
    await steps(watch.next);
  } finally {
    watch.child.kill("SIGINT");
  }
  expect(await watch.exited).toBe(0);
}

describe("--watch", () => {
  it("regenerates on add, change, break, fix, rename and delete, keeps the last good output on errors, and exits 0 on SIGINT", async () => {
    const dir = tempDir("watch");
    writeTree(dir, { "lua/get.lua": script("GET") });
    const gen = (file: string) => path.join(dir, "gen", file);
    await whileWatching(dir, async (next) => {
      writeTree(dir, { "lua/ttl.lua": script("TTL") });
      await next(/luagen: 2 scripts → gen \(2 written, 2 unchanged, 0 removed\)/);
      expect(readFileSync(gen("index.ts"), "utf8")).toContain("ttl");

      writeTree(dir, { "lua/get.lua": script("STRLEN") });
      await next(/luagen: 2 scripts → gen \(1 written, 3 unchanged, 0 removed\)/);
      expect(readFileSync(gen("get.ts"), "utf8")).toContain("STRLEN");

      const good = readFileSync(gen("get.ts"), "utf8");
      writeTree(dir, { "lua/get.lua": "return redis.call(" });
      const broken = await next(/nothing was written to gen/);
      expect(broken).toMatch(/lua\/get\.lua:1:\d+ - error LG001/);
      expect(readFileSync(gen("get.ts"), "utf8")).toBe(good);

      writeTree(dir, { "lua/get.lua": script("GET") });
      await next(/luagen: 2 scripts → gen \(1 written, 3 unchanged, 0 removed\)/);
      expect(readFileSync(gen("get.ts"), "utf8")).toContain('\\"GET\\"');

      renameSync(path.join(dir, "lua/ttl.lua"), path.join(dir, "lua/pttl.lua"));
      await next(/luagen: 2 scripts → gen \(2 written, \d unchanged, 1 removed\)/);
      expect(existsSync(gen("pttl.ts"))).toBe(true);
      expect(existsSync(gen("ttl.ts"))).toBe(false);

      rmSync(path.join(dir, "lua/pttl.lua"));
      await next(/luagen: 1 script → gen \(1 written, 2 unchanged, 1 removed\)/);
      expect(existsSync(gen("pttl.ts"))).toBe(false);
    });
  });

  it("regenerates a script when a file it includes changes, in the input folder or outside it", async () => {
    const dir = tempDir("watch");
    const partial = (command: string) => `local function read(key)\n  return redis.call("${command}", key)\nend\n`;
    writeTree(dir, {
      "lua/get.lua":
        '---@key k\n---@return string|integer|nil\n---@include "includes/read"\n---@include "../shared/_log"\nreturn read(KEYS[1])\n',
      "lua/includes/read.lua": partial("GET"),
      "shared/_log.lua": "-- log v1\n",
    });
    const gen = (file: string) => readFileSync(path.join(dir, "gen", file), "utf8");
    await whileWatching(dir, async (next) => {
      writeTree(dir, { "lua/includes/read.lua": partial("STRLEN") });
      await next(/luagen: 1 script → gen \(1 written, 2 unchanged, 0 removed\)/);
      expect(gen("get.ts")).toContain('\\"STRLEN\\"');

      writeTree(dir, { "shared/_log.lua": "-- log v2\n" });
      await next(/luagen: 1 script → gen \(1 written, 2 unchanged, 0 removed\)/);
      expect(gen("get.ts")).toContain("-- log v2");
      expect(existsSync(path.join(dir, "gen", "includes"))).toBe(false);
    });
  });

  it("watches a folder that links to itself: the first run, then a change, without spinning (issue 8 §3)", async () => {
    const dir = tempDir("watch-loop");
    writeTree(dir, { "lua/get.lua": script("GET") });
    symlinkSync(".", path.join(dir, "lua/self"));
    symlinkSync(".", path.join(dir, "lua/again"));
    const watch = startWatch(dir);
    try {
      await watch.next(/luagen: 1 script → gen \(3 written, 0 unchanged, 0 removed, 2 warnings\)/);
      await watch.next(/watching lua/);
      writeTree(dir, { "lua/get.lua": script("STRLEN") });
      await watch.next(/luagen: 1 script → gen \(1 written, 2 unchanged, 0 removed, 2 warnings\)/);
    } finally {
      watch.child.kill("SIGINT");
    }
    expect(await watch.exited).toBe(0);
  });

  it('builds the config\'s "targets" once a round and writes every folder, or none when one target refuses', async () => {
    const dir = tempDir("watch-targets");
    const out = { typescript: "gen/ts", python: "gen/py" };
    writeTree(dir, {
      "lua/get.lua": script("GET"),
      "luagen.config.json": JSON.stringify({ input: ["lua"], targets: ["typescript", "python"], out }),
    });
    const read = (file: string) => readFileSync(path.join(dir, "gen", file), "utf8");
    const watch = startWatch(dir, ["--watch"]);
    try {
      await watch.next(/luagen: 1 script → gen\/ts \(3 written[^\n]*\n[^\n]*1 script → gen\/py \(4 written/);
      await watch.next(/watching lua/);
      writeTree(dir, { "lua/get.lua": script("STRLEN") });
      await watch.next(
        /1 script → gen\/ts \(1 written, 2 unchanged[^\n]*\n[^\n]*1 script → gen\/py \(1 written, 3 unchanged/,
      );
      expect(read("ts/get.ts")).toContain("STRLEN");
      expect(read("py/get.py")).toContain("STRLEN");

      // `userId` and `user_id` are one name in Python (LG305): the TypeScript folder is not written either.
      const [ts, py] = [read("ts/index.ts"), read("py/__init__.py")];
      writeTree(dir, { "lua/pair.lua": "---@arg userId string\n---@arg user_id string\nreturn ARGV[1] .. ARGV[2]\n" });
      const refused = await watch.next(/nothing was written to gen\/py/);
      expect(refused).toContain("LG305");
      expect([read("ts/index.ts"), read("py/__init__.py")]).toEqual([ts, py]);
      expect(existsSync(path.join(dir, "gen/ts/pair.ts"))).toBe(false);
    } finally {
      watch.child.kill("SIGINT");
    }
    expect(await watch.exited).toBe(0);
  });
});

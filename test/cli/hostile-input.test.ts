import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { BIN, readTree, runCli, tempDir, unprivileged, writeTree } from "../support/workspace.js";

// §3 of issue 8, through the CLI: no input crashes luagen, loops end, bytes are never altered.

const script = (n: number) => `---@key k\n---@return integer\nlocal _ = KEYS[1]\nreturn ${n}\n`;

function project(files: Record<string, string>): string {
  const dir = tempDir("hostile");
  writeTree(dir, files);
  return dir;
}

const restores: Array<() => void> = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

/** The CLI never prints a stack trace: no "    at " frames, no Node error banners. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/node:internal|TypeError|RangeError/);
}

describe("input folders that loop", () => {
  it("scans each real file once when a folder links to itself, twice over, and says what it skipped", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    symlinkSync(".", path.join(dir, "lua/self"));
    symlinkSync(".", path.join(dir, "lua/again"));
    const run = await runCli(["lua", "--out", "gen"], dir, {}, { timeout: 20_000 });
    expectNoStack(run.stderr);
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(path.join(dir, "gen")))).toEqual(["a.ts", "index.ts", "runtime.ts"]);
    expect(run.stderr).toMatch(/lua\/again:1:1 - warning LG003: .*link/);
    expect(run.stderr).toMatch(/lua\/self:1:1 - warning LG003: .*link/);
  }, 30_000);

  it("ends a loop through the parent folder instead of generating the scripts again under longer paths", async () => {
    const dir = project({ "lua/a/b.lua": script(1), "lua/c.lua": script(2) });
    symlinkSync("..", path.join(dir, "lua/a/loop"));
    const run = await runCli(["lua", "--out", "gen"], dir, {}, { timeout: 20_000 });
    expectNoStack(run.stderr);
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(path.join(dir, "gen")))).toEqual(["a/b.ts", "c.ts", "index.ts", "runtime.ts"]);
    expect(run.stderr).toMatch(/lua\/a\/loop:1:1 - warning LG003: /);
  }, 30_000);

  it("a glob does not follow links either way into a loop", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    symlinkSync(".", path.join(dir, "lua/self"));
    const run = await runCli(["lua/**/*.lua", "--out", "gen"], dir, {}, { timeout: 20_000 });
    expectNoStack(run.stderr);
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(path.join(dir, "gen")))).toEqual(["a.ts", "index.ts", "runtime.ts"]);
  }, 30_000);
});

describe("a link named .lua to a file that is not", () => {
  // A secret shaped as Lua: it parses, so following the link would embed it in generated code.
  const secret = 'API_KEY = "s3cr3t"\n';

  it("is never read, as a script or as an include: an error naming the link and its target, nothing written", async () => {
    const dir = project({
      ".env": secret,
      "lua/a.lua": script(1),
      "lua/b.lua": '---@include "../lib/shared"\n---@return integer\nreturn 2\n',
    });
    symlinkSync("../.env", path.join(dir, "lua/env.lua"));
    mkdirSync(path.join(dir, "lib"));
    symlinkSync("../.env", path.join(dir, "lib/shared.lua"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expectNoStack(run.stderr);
    expect(run.code).toBe(1);
    const errors = run.stderr.split("\n").filter((line) => line.includes(" - error "));
    expect(errors).toEqual([
      "lib/shared.lua:1:1 - error LG002: a symbolic link to ../.env, which is not a .lua file: not read",
      expect.stringMatching(/^lua\/b\.lua:1:\d+ - error LG110: included file not found: .*lib\/shared\.lua/),
      "lua/env.lua:1:1 - error LG002: a symbolic link to ../.env, which is not a .lua file: not read",
    ]);
    expect(run.stderr + run.stdout).not.toContain("s3cr3t");
    expect(readTree(dir)).not.toHaveProperty("gen/index.ts");
  });

  it("still follows a link to a .lua file", async () => {
    const dir = project({ "shared/x.lua": script(3) });
    mkdirSync(path.join(dir, "lua"));
    symlinkSync("../shared/x.lua", path.join(dir, "lua/x.lua"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.stderr).toBe("");
    expect(Object.keys(readTree(path.join(dir, "gen")))).toEqual(["index.ts", "runtime.ts", "x.ts"]);
  });
});

describe("an include that names something other than a file", () => {
  it("a FIFO is refused with LG002, not read (a read would wait forever)", async () => {
    const dir = project({ "lua/a.lua": '---@include "../lib/pipe"\n---@return integer\nreturn 1\n' });
    mkdirSync(path.join(dir, "lib"));
    execFileSync("mkfifo", [path.join(dir, "lib/pipe.lua")]);
    const run = await runCli(["lua", "--out", "gen"], dir, {}, { timeout: 10_000 });
    expectNoStack(run.stderr);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lib\/pipe\.lua:1:1 - error LG002: not a regular file/m);
    expect(run.stderr).toMatch(/^lua\/a\.lua:1:\d+ - error LG110: /m);
  }, 20_000);
});

describe("bytes that are not UTF-8", () => {
  it("refuses a script that is not valid UTF-8 with LG002 naming the byte offset, never altering it", async () => {
    const dir = project({ "lua/ok.lua": script(1) });
    const bytes = Buffer.concat([
      Buffer.from("---@return string\nreturn 'caf"),
      Buffer.from([0xe9]),
      Buffer.from("'\n"),
    ]);
    writeFileSync(path.join(dir, "lua/latin1.lua"), bytes);
    const run = await runCli(["lua", "--out", "gen"], dir);
    expectNoStack(run.stderr);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lua\/latin1\.lua:2:12 - error LG002: not valid UTF-8: byte 0xE9 at offset 29/m);
    expect(readTree(dir)).not.toHaveProperty("gen/index.ts");
  });

  it("says so for an included file outside the inputs too, not only that the include failed", async () => {
    const dir = project({ "lua/uses.lua": '---@include "../lib/latin1"\n---@return integer\nreturn 1\n' });
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "lib/latin1.lua"), Buffer.from([0x2d, 0x2d, 0x20, 0xe9, 0x0a]));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lib\/latin1\.lua:1:4 - error LG002: not valid UTF-8: byte 0xE9 at offset 3/m);
    expect(run.stderr).toMatch(/^lua\/uses\.lua:1:\d+ - error LG110: /m);
  });

  it("refuses binary data the same way", async () => {
    const dir = project({});
    mkdirSync(path.join(dir, "lua"));
    writeFileSync(
      path.join(dir, "lua/image.lua"),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    );
    const run = await runCli(["lua", "--out", "gen"], dir);
    expectNoStack(run.stderr);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lua\/image\.lua:1:1 - error LG002: not valid UTF-8: byte 0x89 at offset 0/m);
  });
});

describe("a reader that stops reading (luagen --check | head)", () => {
  it("drops the rest of the output: no EPIPE stack trace, and the exit code is the run's", async () => {
    const dir = project({ "lua/a.lua": script(1), "lua/b.lua": script(2) });
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    writeTree(dir, { "lua/a.lua": script(3), "lua/b.lua": script(4) });
    const child = spawn(process.execPath, [BIN, "lua", "--out", "gen", "--check"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
    });
    // Closed before luagen writes its diff: every write to stdout meets a pipe with no reader.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expectNoStack(stderr);
    expect(stderr.trim().split("\n")).toEqual([
      "luagen: gen is out of date: 2 stale, 0 missing, 0 extra; run luagen without --check",
    ]);
    expect(code).toBe(1);
  });
});

describe("an output that cannot be written (luagen > file on a full disk)", () => {
  it("says so in one line on stderr and exits 2, instead of a stack trace or a silent exit 0", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    // /dev/full answers every write with ENOSPC.
    const full = openSync("/dev/full", "w");
    try {
      const child = spawn(process.execPath, [BIN, "--help"], { cwd: dir, stdio: ["ignore", full, "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expectNoStack(stderr);
      expect(stderr.trim().split("\n")).toEqual([
        "luagen: could not write the output (ENOSPC); the rest of it is lost",
      ]);
      expect(code).toBe(2);
    } finally {
      closeSync(full);
    }
  });
});

describe("a large file of the user's in the output folder", () => {
  // Sparse: 600 MB that take no disk. Read whole, it was "cannot read ...: Cannot create a string
  // longer than 0x1fffffe8 characters", exit 2, after seconds and a gigabyte of memory.
  const large = (file: string) => {
    writeFileSync(file, "");
    truncateSync(file, 600 * 2 ** 20);
  };

  it("beside the generated files, or as an index.ts in a subfolder: left alone, and the run succeeds", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    mkdirSync(path.join(dir, "gen/dump"), { recursive: true });
    large(path.join(dir, "gen/dump.ts"));
    large(path.join(dir, "gen/dump/index.ts"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(statSync(path.join(dir, "gen/dump.ts")).size).toBe(600 * 2 ** 20);
    expect(statSync(path.join(dir, "gen/dump/index.ts")).size).toBe(600 * 2 ** 20);
  });

  it("where a script's module goes: LG302, nothing written", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    mkdirSync(path.join(dir, "gen"));
    large(path.join(dir, "gen/a.ts"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expectNoStack(run.stderr);
    expect(run.stderr).toMatch(/^gen\/a\.ts:1:1 - error LG302/m);
    expect(run.code).toBe(1);
    expect(statSync(path.join(dir, "gen/a.ts")).size).toBe(600 * 2 ** 20);
    expect(readdirSync(path.join(dir, "gen"))).toEqual(["a.ts"]);
  });
});

describe("file-system errors are one line naming the path", () => {
  it("an unreadable folder in the input: exit 2", async () => {
    const dir = project({ "lua/a.lua": script(1), "lua/private/b.lua": script(2) });
    const as = unprivileged(dir);
    chmodSync(path.join(dir, "lua/private"), 0o000);
    restores.push(() => chmodSync(path.join(dir, "lua/private"), 0o755));
    const run = await runCli(["lua", "--out", "gen"], dir, {}, as);
    expect(run.stderr.trim().split("\n")).toEqual(["luagen: cannot read lua/private: EACCES: permission denied"]);
    expect(run.code).toBe(2);
  });

  it("an unreadable generated file in the output: exit 2", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    expect((await runCli(["lua", "--out", "gen"], dir)).code).toBe(0);
    const as = unprivileged(dir);
    chmodSync(path.join(dir, "gen/a.ts"), 0o000);
    restores.push(() => chmodSync(path.join(dir, "gen/a.ts"), 0o644));
    const run = await runCli(["lua", "--out", "gen"], dir, {}, as);
    expect(run.stderr.trim().split("\n")).toEqual(["luagen: cannot read gen/a.ts: EACCES: permission denied"]);
    expect(run.code).toBe(2);
  });

  it("an output path too long for the file system: exit 2", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    const run = await runCli(["lua", "--out", `gen/${"x".repeat(300)}`], dir);
    expectNoStack(run.stderr);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^luagen: cannot (read|write) gen\/x+.*ENAMETOOLONG/);
    expect(run.code).toBe(2);
  });

  it("a link that loops onto itself where a script would be: LG002, not a crash", async () => {
    const dir = project({ "lua/a.lua": script(1) });
    symlinkSync("self.lua", path.join(dir, "lua/self.lua"));
    const run = await runCli(["lua", "--out", "gen"], dir);
    expectNoStack(run.stderr);
    expect(run.stderr).toMatch(/^lua\/self\.lua:1:1 - error LG002: cannot read: ELOOP/m);
    expect(run.code).toBe(1);
  });

  it.each([
    ["without LUAGEN_DEBUG", undefined, 1],
    ["with LUAGEN_DEBUG=1", "1", 2],
  ])("anything unexpected is one line asking for a report, %s", async (_, debug, outputs) => {
    const saved = process.env.LUAGEN_DEBUG;
    if (debug === undefined) delete process.env.LUAGEN_DEBUG;
    else process.env.LUAGEN_DEBUG = debug;
    restores.push(() => (saved === undefined ? delete process.env.LUAGEN_DEBUG : (process.env.LUAGEN_DEBUG = saved)));
    const stderr: string[] = [];
    // Printing the version fails inside: a stand-in for any bug below main().
    const io = {
      stdout: () => {
        throw new TypeError("boom");
      },
      stderr: (t: string) => void stderr.push(t),
      status: () => {},
      cwd: tempDir("unexpected"),
      color: { stdout: false, stderr: false },
      tty: false,
    };
    expect(await main(["--version"], io)).toBe(2);
    expect(stderr).toHaveLength(outputs);
    expect(stderr[0]).toMatch(
      /^luagen: internal error: boom \(a bug in luagen: please report it .*npm bugs luagen.*\)$/,
    );
    if (outputs === 2) expect(stderr[1]).toMatch(/^TypeError: boom\n\s+at /);
  });
});

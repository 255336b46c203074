import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { main, type Io } from "../../src/cli.js";
import { BIN, runCli, tempDir, writeTree } from "../support/workspace.js";

const run = promisify(execFile);
const ESC = "\u001b[";

/** Runs the CLI on a pseudo-terminal (util-linux `script`), as a developer's shell would. */
async function onTty(dir: string, args: string, env: Record<string, string | undefined>): Promise<string> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const { stdout } = await run("script", ["-qec", `${process.execPath} ${BIN} ${args}`, "/dev/null"], {
    cwd: dir,
    env: merged,
  }).catch((e: { stdout: string }) => e);
  return stdout;
}

function project(): string {
  const dir = tempDir("color");
  writeTree(dir, { "lua/bare.lua": "return KEYS[1]\n", "lua/bad.lua": "---@key k\nreturn KEYS[2]\n" });
  return dir;
}

describe("colour", () => {
  it("is used on a terminal", async () => {
    const output = await onTty(project(), "lua --out gen", { NO_COLOR: undefined });
    expect(output).toContain(`${ESC}31merror${ESC}0m LG200`);
    expect(output).toContain(`${ESC}33mwarning${ESC}0m LG205`);
  });

  it("is decided per stream: a summary redirected to a file has none while the terminal's diagnostics do", async () => {
    const dir = tempDir("color");
    writeTree(dir, { "lua/bare.lua": "return KEYS[1]\n" });
    const terminal = await onTty(dir, "lua --out gen > summary.txt", { NO_COLOR: undefined });
    expect(terminal).toContain(`${ESC}33mwarning${ESC}0m LG205`);
    const summary = readFileSync(path.join(dir, "summary.txt"), "utf8");
    expect(summary).toMatch(/^luagen: 1 script → gen/);
    expect(summary).not.toContain(ESC);
  });

  it("is never used when NO_COLOR is set, even on a terminal", async () => {
    const output = await onTty(project(), "lua --out gen", { NO_COLOR: "1" });
    expect(output).toContain("error LG200");
    expect(output).not.toContain(ESC);
  });

  it("is never used when output is not a terminal", async () => {
    const result = await runCli(["lua", "--out", "gen"], project(), { NO_COLOR: "" });
    expect(result.stderr).toContain("error LG200");
    expect(result.stderr + result.stdout).not.toContain(ESC);
  });
});

describe("progress", () => {
  const many = () => {
    const dir = tempDir("progress");
    writeTree(
      dir,
      Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`lua/s${i}.lua`, "---@key k\nreturn KEYS[1]\n"])),
    );
    return dir;
  };

  it("is shown on a terminal for a large tree", async () => {
    expect(await onTty(many(), "lua --out gen", {})).toContain("luagen: 200/250 scripts");
  });

  it("goes through the injected Io's status line, never straight to process.stderr", async () => {
    const status: string[] = [];
    const written: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const io: Io = {
      stdout: () => {},
      stderr: () => {},
      status: (t) => status.push(t),
      cwd: many(),
      color: { stdout: false, stderr: false },
      tty: true,
    };
    try {
      expect(await main(["lua", "--out", "gen", "--quiet"], io)).toBe(0);
    } finally {
      stderr.mockRestore();
    }
    expect(status).toEqual(["luagen: 100/250 scripts", "luagen: 200/250 scripts", ""]);
    expect(written).toEqual([]);
  });

  it("is not shown when output is not a terminal", async () => {
    const result = await runCli(["lua", "--out", "gen"], many());
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
  });
});

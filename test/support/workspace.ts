import { spawn } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = path.join(ROOT, "bin", "luagen.js");

/** A fresh folder under test/.tmp (inside the project, so generated code resolves `ioredis`). */
export function tempDir(prefix: string): string {
  const base = path.join(ROOT, "test", ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `${prefix}-`));
}

/**
 * A fresh project folder, as a user's would be: with a package.json, which makes it the project root
 * paths in generated code are relative to (without one, that root would be this repository's).
 */
export function tempProject(prefix: string): string {
  const dir = tempDir(prefix);
  writeFileSync(path.join(dir, "package.json"), `{ "name": "${prefix}", "private": true }\n`);
  return dir;
}

/** Writes `files` (relative path → content) below `dir`. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Every file below `dir` with its content, keyed by POSIX relative path. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      if (name === "node_modules") continue;
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else out[rel] = readFileSync(path.join(dir, rel), "utf8");
    }
  };
  walk("");
  return out;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/luagen.js → dist/) as a user would; `as` runs it as another user (needs root), or kills it after `timeout` ms. */
export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  as: { uid?: number; gid?: number; timeout?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      ...as,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Who to run the CLI as so that file modes apply: root ignores them (the tests run as root in CI),
 * so then `dir` is handed to `nobody` and the CLI runs as that user; otherwise as ourselves.
 */
export function unprivileged(dir: string): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const nobody = { uid: 65534, gid: 65534 };
  const chown = (p: string) => {
    chownSync(p, nobody.uid, nobody.gid);
    if (statSync(p).isDirectory()) for (const name of readdirSync(p)) chown(path.join(p, name));
  };
  chown(dir);
  return nobody;
}

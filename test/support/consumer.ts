// A user's project outside this repository, for type tests of generated code: its node_modules
// holds only the client packages it names (as links) and @types/node, so no other client library
// can be resolved, and the fixture project's scripts are generated into its gen/ folder.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { Client } from "../../src/config.js";
import { generate, type GenerateOptions } from "../../src/generate.js";
import { ROOT, readTree } from "./workspace.js";

export const FIXTURES = path.join(ROOT, "test", "fixtures", "project", "lua");
export const NODENEXT = { module: "NodeNext", moduleResolution: "NodeNext" };
export const BUNDLER = { module: "ESNext", moduleResolution: "bundler" };

/**
 * A project with `packages` (name in the project → package installed here) and `consumer.ts`,
 * and the scripts of the folder `scripts` (the fixture project's by default) generated for `client`. Its folder is added to `made`, for the caller
 * to remove after its tests.
 */
export async function consumerProject(
  made: string[],
  client: Client,
  packages: Record<string, string>,
  consumer: string,
  scripts: string = FIXTURES,
  options: Pick<GenerateOptions, "mode" | "library"> = {},
): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `luagen-${client}-`));
  made.push(dir);
  mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(
    path.join(ROOT, "node_modules", "@types", "node"),
    path.join(dir, "node_modules", "@types", "node"),
    "dir",
  );
  for (const [name, installed] of Object.entries(packages)) {
    mkdirSync(path.dirname(path.join(dir, "node_modules", name)), { recursive: true }); // a scope's folder
    symlinkSync(path.join(ROOT, "node_modules", installed), path.join(dir, "node_modules", name), "dir");
  }
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module" }));
  const result = await generate({ inputs: [scripts], out: path.join(dir, "gen"), cwd: ROOT, client, ...options });
  expect(result.kind).toBe("written");
  writeFileSync(path.join(dir, "consumer.ts"), consumer);
  return dir;
}

/** Every package name the generated files import from. */
export function importedPackages(dir: string): string[] {
  const files = Object.values(readTree(path.join(dir, "gen")));
  const specifiers = files.flatMap((text) => [...text.matchAll(/from "([^".][^"]*)"/g)].map((match) => match[1] ?? ""));
  return [...new Set(specifiers)].sort();
}

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRICTEST, tsc, writeTsconfig } from "../support/tsc.js";
import { ROOT, readTree, tempDir, writeTree } from "../support/workspace.js";

const run = promisify(execFile);
const npmInstall = ["install", "--no-audit", "--no-fund", "--prefer-offline"];
const GET = "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n";

/** `npm pack` of this checkout, as the registry would serve it. */
async function pack(into: string): Promise<string> {
  // --ignore-scripts: dist/ is already built by `pretest`; rebuilding it here would race the
  // other test files that run the CLI from it.
  await run("npm", ["pack", "--ignore-scripts", "--pack-destination", into], { cwd: ROOT });
  return path.join(
    into,
    readdirSync(into).find((f) => f.endsWith(".tgz"))!,
  );
}

describe("npm pack", () => {
  it("gives a tarball another project can install and run `npx luagen` from", async () => {
    const dir = tempDir("pack");
    const tarball = await pack(dir);
    writeTree(dir, {
      "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
      "src/lua/get.lua": GET,
    });
    // --legacy-peer-deps: the CLI needs no ioredis; the consumer's own install would bring it.
    await run("npm", [...npmInstall, `./${path.basename(tarball)}`, "--legacy-peer-deps"], { cwd: dir });
    const { stdout } = await run("npx", ["luagen", "src/lua", "--out", "src/generated"], { cwd: dir });
    expect(stdout.trim()).toBe("luagen: 1 script → src/generated (3 written, 0 unchanged, 0 removed)");
    expect(Object.keys(readTree(path.join(dir, "src/generated")))).toEqual(["get.ts", "index.ts", "runtime.ts"]);
    // The Python target's runtime comes from the package's templates too.
    const python = await run("npx", ["luagen", "src/lua", "--out", "py", "--target", "python"], { cwd: dir });
    expect(python.stdout.trim()).toBe("luagen: 1 script → py (4 written, 0 unchanged, 0 removed)");
    expect(Object.keys(readTree(path.join(dir, "py"))).sort()).toEqual([
      "__init__.py",
      "get.py",
      "py.typed",
      "runtime.py",
    ]);
    const shipped = readdirSync(path.join(dir, "node_modules", "luagen"));
    expect(shipped).toEqual(expect.arrayContaining(["CHANGELOG.md", "LICENSE", "README.md", "templates"]));
  }, 120_000);
});

/**
 * The published package, not the checkout, is what users get: a project outside this checkout
 * (so nothing resolves from its node_modules) installs the tarball and one client, generates, and
 * compiles its own code with the generated modules under the strictest settings.
 */
describe("the packed tarball in a fresh project with one client", () => {
  let tarball: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    tarball = await pack(tempDir("pack-client"));
  }, 60_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    {
      client: "ioredis",
      install: ["ioredis@5"],
      main: `import { Redis } from "ioredis";\nimport { get, multi } from "./generated/index.js";\n\nconst redis = new Redis({ lazyConnect: true });\nconst value: string | null = await get(redis, "k");\nconst [n, v]: [number, string | null] = await multi(redis).incr("n").get("k").exec();\nconsole.log(value, n, v);\n`,
    },
    {
      client: "node-redis",
      install: ["redis@5"],
      main: `import { createClient } from "redis";\nimport { get } from "./generated/index.js";\n\nconst redis = createClient();\nconst value: string | null = await get(redis, "k");\nconsole.log(value);\n`,
    },
  ])(
    "$client: installs, generates and compiles under the strictest settings",
    async ({ client, install, main }) => {
      const dir = mkdtempSync(path.join(tmpdir(), "luagen-consumer-"));
      dirs.push(dir);
      writeTree(dir, {
        "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
        "src/lua/get.lua": GET,
        "src/main.ts": main,
      });
      // @types/node: every TypeScript project on Node has it; typescript itself is this checkout's.
      await run("npm", [...npmInstall, tarball, ...install, "@types/node@20"], { cwd: dir });
      const generated = await run("npx", ["luagen", "src/lua", "--out", "src/generated", "--client", client], {
        cwd: dir,
      });
      expect(generated.stdout.trim()).toMatch(/^luagen: 1 script → src\/generated \(3 written/);
      const tsconfig = writeTsconfig(dir, { ...STRICTEST, module: "NodeNext", moduleResolution: "NodeNext" }, ["src"]);
      const compiled = await tsc(tsconfig);
      expect(compiled.output).toBe("");
      expect(compiled.code).toBe(0);
    },
    180_000,
  );
});

import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NO_PYTHON, PYTHON3, pyright, pythonEnv, runPython } from "../support/python.js";
import { BIN, ROOT, tempDir } from "../support/workspace.js";

const CONSUMERS = path.join(ROOT, "test", "python", "consumers");

/** The lines of wrong.py marked `# error:`: each must be one error, and nothing else may be. */
function markedLines(file: string): number[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, i) => (line.includes("# error:") ? [i + 1] : []));
}

describe.skipIf(!PYTHON3)(
  `the Python target under mypy --strict and pyright strict${PYTHON3 ? "" : ` (${NO_PYTHON})`}`,
  () => {
    let python: string;
    let dir: string;

    beforeAll(async () => {
      python = await pythonEnv();
      dir = tempDir("python-types");
      const generated = await runPython(
        process.execPath,
        [BIN, path.join(ROOT, "test", "fixtures", "project", "lua"), "--out", "gen", "--target", "python", "-q"],
        { cwd: dir },
      );
      expect(generated.code, generated.output).toBe(0);
      const functions = await runPython(
        process.execPath,
        [
          BIN,
          path.join(ROOT, "test", "fixtures", "project", "lua"),
          "--out",
          "genf",
          "--target",
          "python",
          "-q",
          "--mode",
          "functions",
        ],
        { cwd: dir },
      );
      expect(functions.code, functions.output).toBe(0);
      cpSync(CONSUMERS, dir, { recursive: true });
    }, 240_000);

    it("--mode functions: the package passes mypy --strict and pyright strict", async () => {
      const mypy = await runPython(python, ["-m", "mypy", "--strict", "--no-incremental", "genf"], { cwd: dir });
      expect(mypy.output).toContain("Success: no issues found");
      expect(mypy.code).toBe(0);
      const checked = await pyright(python, dir, ["genf"], ["genf"]);
      expect(checked.output).toContain("0 errors");
      expect(checked.code).toBe(0);
    });

    it("mypy --strict: the package and good calls pass", async () => {
      const result = await runPython(python, ["-m", "mypy", "--strict", "--no-incremental", "gen", "ok.py"], {
        cwd: dir,
      });
      expect(result.output).toContain("Success: no issues found");
      expect(result.code).toBe(0);
    });

    it("mypy --strict: every wrong call is an error on its own line, and nothing else is", async () => {
      const result = await runPython(python, ["-m", "mypy", "--strict", "--no-incremental", "wrong.py"], { cwd: dir });
      expect(result.code).toBe(1);
      const lines = [...result.output.matchAll(/^wrong\.py:(\d+): error/gm)].map((m) => Number(m[1]));
      expect([...new Set(lines)]).toEqual(markedLines(path.join(dir, "wrong.py")));
    });

    it("pyright: the package (strict) and good calls pass, every wrong call fails", async () => {
      const good = await pyright(python, dir, ["gen", "ok.py"], ["gen"]);
      expect(good.output).toContain("0 errors");
      expect(good.code).toBe(0);
      const bad = await pyright(python, dir, ["wrong.py"], ["gen"]);
      expect(bad.code).toBe(1);
      const lines = [...bad.output.matchAll(/wrong\.py:(\d+):\d+ - error/g)].map((m) => Number(m[1]));
      expect([...new Set(lines)].sort((a, b) => a - b)).toEqual(markedLines(path.join(dir, "wrong.py")));
    });
  },
);

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Compares `actual` with the golden file at `file`. Goldens change only through
 * `npm run test:update-golden` (UPDATE_GOLDEN=1); a normal run never writes them.
 */
export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(
      `golden file missing: ${file}\nrun \`npm run test:update-golden\`, then review the new file before committing it`,
    );
  }
  expect(actual, `differs from golden ${file} (if the change is intended: npm run test:update-golden)`).toBe(
    readFileSync(file, "utf8"),
  );
}

import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The folder every path luagen prints into generated code (header, `file:`, JSDoc, origins) is
 * relative to, so the same input gives the same bytes from any working directory: the config
 * file's folder when one applies (`configDir`), else the nearest folder at or above `inputFolder`
 * that holds a package.json, else `inputFolder` itself. Reads only whether package.json exists.
 */
export function projectRoot(inputFolder: string, configDir?: string): string {
  if (configDir !== undefined) return configDir;
  for (let dir = inputFolder; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return inputFolder;
  }
}

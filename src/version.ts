import { readFileSync } from "node:fs";

/**
 * luagen's version, from the package.json one folder up (beside dist/ when installed, beside src/
 * in the checkout): `--version` prints it and every generated header names it.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readAnnotations } from "../../src/lua/annotations.js";
import { checkScript } from "../../src/lua/check.js";
import { checkCommandUse } from "../../src/lua/command-checks.js";
import { parseLua } from "../../src/lua/parse.js";
import type { Diagnostic, Signature, SourceFile } from "../../src/model.js";
import { diagnosticAt } from "../../src/origins.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/lua/", import.meta.url));

export function fixture(name: string): SourceFile {
  return {
    path: `test/fixtures/lua/${name}.lua`,
    relativePath: `${name}.lua`,
    text: readFileSync(`${FIXTURES}${name}.lua`, "utf8"),
    partial: false,
  };
}

export function source(text: string, path = "inline.lua"): SourceFile {
  return { path, relativePath: path, text, partial: false };
}

/** parse → annotations → check (and the command checks), as the generator chains them; stops after a syntax error. */
export function runLuaStages(file: SourceFile): { signature: Signature | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) return { signature: undefined, diagnostics: parsed.diagnostics };
  const annotations = readAnnotations(file, parsed.chunk);
  const checked = checkScript(file, parsed.chunk, annotations.signature);
  const used = checkCommandUse(parsed.chunk, parsed.source, (code, at, message, hint) =>
    diagnosticAt(code, file.path, undefined, at, message, hint),
  );
  const diagnostics = [...parsed.diagnostics, ...annotations.diagnostics, ...checked.diagnostics, ...used.diagnostics];
  return { signature: checked.signature, diagnostics };
}

/** The signature the annotations declare (undefined when there are none), failing on a syntax error. */
export function declared(file: SourceFile): { signature: Signature | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseLua(file);
  if (parsed.chunk === undefined) throw new Error(`syntax error in ${file.path}: ${parsed.diagnostics[0]?.message}`);
  return readAnnotations(file, parsed.chunk);
}

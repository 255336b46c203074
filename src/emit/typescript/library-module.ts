import type { Lines } from "./lines.js";
import type { ClientTypes } from "./clients.js";
import { GLIDE_BATCH_IMPORTS, writeGlideNewBatch } from "./batch.js";
import { docComment } from "./doc.js";
import type { Library } from "../library.js";
import { code, printList, printLiteral } from "./literal.js";
import { sourceCode } from "./descriptor.js";
import { stringLiteral } from "../text.js";

/**
 * `_library.ts` (`--mode functions`): the folder's Functions library as a frozen descriptor, which
 * every script's module imports, and `loadLibrary(client)` for a deploy step.
 */
export function writeLibraryModule(writer: Lines, library: Library, types: ClientTypes, runtimePath: string): void {
  const runtime = stringLiteral(runtimePath);
  const imports = [
    "defineLibrary",
    "loadLibrary as load",
    "type LibraryDescriptor",
    "type LibraryLoad",
    `type ${types.client}`,
  ];
  writer.writeLine(printList("import {", code(imports), `} from ${runtime};`, "", true));
  // GLIDE: a direct call that finds the library missing loads it in a Batch the runtime cannot make.
  const glide = types.from === "@valkey/valkey-glide";
  if (glide)
    writer.writeLine(
      printList("import {", code(GLIDE_BATCH_IMPORTS), `} from ${stringLiteral(types.from)};`, "", true),
    );
  writer.blankLine();
  if (glide) {
    writeGlideNewBatch(writer, "The GLIDE transaction a direct call loads the library in, with its call.");
    writer.blankLine();
  }
  writer.writeLine(
    docComment([
      "The Redis Functions library of this folder's scripts, one function per script. Its name, and its functions' names, carry a hash of its code, so that two releases' libraries load side by side.",
    ]),
  );
  const head = "export const library: LibraryDescriptor = defineLibrary(";
  const functions = Object.fromEntries(
    [...library.functions].map(([script, fn]) => [script, { name: fn.name, line: fn.line }]),
  );
  const fields = {
    name: library.name,
    version: library.version,
    code: sourceCode(library.code),
    functions,
    ...(glide ? { newBatch: code(["newBatch"])[0] } : {}),
  };
  writer.writeLine(`${head}${printLiteral(fields, "", head.length, 2)});`);
  writer.blankLine();
  writer.writeLine(
    docComment([
      "Loads the library on the client's server, or on every primary of a cluster, where it is not loaded yet (FUNCTION LOAD, never REPLACE). A deploy step, and optional: a direct call loads the library where it finds it missing.",
      "",
      `@param client - ${types.clientDoc.split(";")[0]}`,
      "@returns how many primaries loaded it, and how many had it already",
    ]),
  );
  writer.writeLine(`export function loadLibrary(client: ${types.client}): Promise<LibraryLoad> {`);
  writer.writeLine("  return load(library, client);");
  writer.writeLine("}");
}

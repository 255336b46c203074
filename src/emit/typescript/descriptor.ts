import type { ScriptDescriptor } from "../../descriptor.js";
import type { Script } from "../../model.js";
import { Code, printLiteral } from "./literal.js";
import { stringLiteral } from "../text.js";

/**
 * The descriptor a script's module passes to `defineScript`, as a value of the runtime's own type:
 * whatever the runtime declares, this must build, and the module prints exactly this.
 */
export function descriptorFor(script: Script): ScriptDescriptor {
  const { keys, args } = script.signature;
  return {
    name: script.name,
    file: script.file.path,
    source: script.source,
    sha1: script.sha1,
    numberOfKeys: keys.some((k) => k.rest) ? null : keys.length,
    keys: keys.map((k) => ({ name: k.name, rest: k.rest })),
    args: args.map((a) => ({
      name: a.name,
      kinds: a.type.kinds,
      literals: a.type.literals,
      optional: a.optional,
      rest: a.rest,
    })),
    // Only a script that includes other files has origins: every other descriptor stays as it was.
    ...(script.origins && {
      origins: script.origins.map((o) => ({ line: o.line, file: o.file, fileLine: o.fileLine })),
    }),
    // Likewise only a script with a `#!lua` line has flags.
    ...(script.flags && { flags: script.flags }),
  };
}

/**
 * `descriptor` as the argument of `defineScript(`, which ends at `column`; `);` follows it. With
 * `library`, the local name of the imported library (`--mode functions`), its last field refers to
 * it: the module names the library, it does not hold it, so it changes only with its own script.
 */
export function printDescriptor(descriptor: ScriptDescriptor, column: number, library?: string): string {
  const fields = { ...descriptor, source: sourceCode(descriptor.source) };
  return printLiteral(library === undefined ? fields : { ...fields, library: new Code([library]) }, "", column, 2);
}

/**
 * One string literal per line, joined with "\n": the Lua reads as Lua in the generated file, and
 * escaping keeps every byte exact without a template literal's `${` and `\` traps. A final
 * newline is added after the join rather than kept as an empty last line, so the expression is
 * still exactly the source (and its SHA-1 the one embedded).
 */
export function sourceCode(source: string): Code {
  const newline = source.endsWith("\n");
  const lines = (newline ? source.slice(0, -1) : source).split("\n");
  if (lines.length === 1) return new Code([stringLiteral(source)]);
  return new Code([
    "[",
    ...lines.map((line) => `  ${stringLiteral(line)},`),
    `].join("\\n")${newline ? ' + "\\n"' : ""}`,
  ]);
}

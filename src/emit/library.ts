import { LIBRARY_NAME } from "../config.js";
import { hashOf } from "../hash.js";
import type { LibraryHome } from "../libraries.js";
import type { GeneratedFile, Script } from "../model.js";
import { LIBRARY_MODULE } from "../naming.js";
import { headerLine, LUA_MARK } from "./header.js";

/**
 * A Redis Functions library (`FUNCTION LOAD`) that registers every script as a function: the
 * second deployment form of the same scripts (issue 18). Each script's text becomes the body of
 * its callback unchanged, the callback's parameters named `KEYS` and `ARGV` so that the body reads
 * them as it does under EVAL, and `...` so that a script that reads `...` (empty under EVAL, and
 * empty here: Redis passes the callback two arguments) does not stop the whole library loading
 * ("cannot use '...' outside a vararg function"); its `#!lua` flags become the function's flags.
 *
 * The library's name carries a version, a hash of its code: a deploy of new scripts loads a new
 * library beside the old one instead of replacing it, so that during a rolling deploy the old
 * release keeps calling its own functions while the new one calls its own (function names are
 * global to a server, so they carry the version too).
 */
export interface Library {
  /** `<base>_<version>`, what `FUNCTION LOAD` registers and `FUNCTION LIST LIBRARYNAME` finds. */
  name: string;
  /** The first 12 hex digits of the SHA-1 of the base name and every function's code. */
  version: string;
  /** The code `FUNCTION LOAD` takes: the `#!lua name=` line, then one registration per script. */
  code: string;
  /** Each script's function, by the script's name. */
  functions: Map<string, LibraryFunction>;
}

/**
 * What of a script its library holds: its name, source, flags and path. A rebuild (rebuild.ts)
 * makes the library again from these for the scripts it did not build.
 */
export type LibraryMember = Pick<Script, "name" | "source" | "flags"> & { file: Pick<Script["file"], "path"> };

export interface LibraryFunction {
  /** `<library>_<script name>`, letters, digits and `_` only. */
  name: string;
  /** Flagged `no-writes`: callable with FCALL_RO, which a replica serves. */
  readOnly: boolean;
  /** The library line that holds the script's line 1: an error at library line n is the script's line n - line + 1. */
  line: number;
}

/**
 * The library of `scripts` under `base` (e.g. the project's name), or why not: `base` must be a
 * valid library name. After the `#!lua` line that must come first, a comment names the generator
 * (with `luagenVersion` when given), in the words of every generated file's header.
 */
export function libraryFor(
  scripts: readonly LibraryMember[],
  base: string,
  luagenVersion?: string,
): Library | { error: string } {
  if (!LIBRARY_NAME.test(base))
    return { error: `library name '${base}': only letters, digits and underscores are allowed` };
  // The version hashes the code without the names, which carry it.
  const version = hashOf(JSON.stringify([base, scripts.map((script) => registration(script, ""))])).slice(0, 12);
  const name = `${base}_${version}`;
  const lines = [`#!lua name=${name}`, headerLine(LUA_MARK, luagenVersion)];
  const functions = new Map<string, LibraryFunction>();
  const taken = new Set<string>();
  for (const script of scripts) {
    const functionName = unique(`${name}_${functionSuffix(script.name)}`, taken);
    lines.push("");
    // The body starts on the registration's fifth line (see `registration`).
    functions.set(script.name, { name: functionName, readOnly: isReadOnly(script), line: lines.length + 5 });
    lines.push(...registration(script, functionName));
  }
  return { name, version, code: `${lines.join("\n")}\n`, functions };
}

/**
 * A folder's library and its `_library.lua`, in that folder: the same bytes whichever target
 * writes it, so that `luagen deploy` loads either. The base name was checked with the folders
 * (libraries.ts): a refusal here is luagen's own error.
 */
export function folderLibrary(
  members: readonly LibraryMember[],
  home: LibraryHome,
  luagenVersion: string | undefined,
): { library: Library; lua: GeneratedFile } {
  const library = libraryFor(members, home.base, luagenVersion);
  if ("error" in library) throw new Error(library.error);
  const file = home.dir === "" ? `${LIBRARY_MODULE}.lua` : `${home.dir}/${LIBRARY_MODULE}.lua`;
  return { library, lua: { path: file, content: library.code } };
}

/**
 * One script's registration. Its `#!lua` line is blanked rather than removed, so the body keeps
 * the script's line numbers. The body is the script's own text, includes inlined: Lua needs no
 * escaping for it, and a `return` at its top level returns from the callback as from the chunk.
 */
function registration(script: LibraryMember, functionName: string): string[] {
  const body = script.source.replace(/^#!.*/, "").replace(/\n$/, "").split("\n");
  const flags = script.flags ?? [];
  return [
    `-- ${script.file.path}`,
    "redis.register_function{",
    `  function_name = '${functionName}',`,
    "  callback = function(KEYS, ARGV, ...)",
    ...body,
    "  end,",
    ...(flags.length > 0 ? [`  flags = { ${flags.map((flag) => `'${flag}'`).join(", ")} },`] : []),
    "}",
  ];
}

/**
 * `wanted`, or with `_2`, `_3`... when an earlier script's function took it: two exported names
 * can spell out alike (`grüße` and `gr_ufc__udf_e`), and one library cannot register a name twice.
 */
function unique(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`;
  taken.add(name);
  return name;
}

function isReadOnly(script: LibraryMember): boolean {
  return script.flags?.includes("no-writes") ?? false;
}

/**
 * A script's exported name as a function name: a character of a TypeScript identifier that Redis
 * refuses (`$`, letters beyond ASCII: `grüße`) spelled out as its code point (`grüße` → `gr_ufc__udf_e`).
 */
function functionSuffix(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/gu, (char) => `_u${char.codePointAt(0)!.toString(16)}_`);
}

/** Each library (by its folder) with its scripts, in the scripts' order. */
export function librariesOf(
  scripts: readonly Script[],
  homes: ReadonlyMap<string, LibraryHome> | undefined,
): { home: LibraryHome; members: Script[] }[] {
  const byDir = new Map<string, { home: LibraryHome; members: Script[] }>();
  for (const script of scripts) {
    const home = homes?.get(script.file.path);
    if (home === undefined) continue;
    const library = byDir.get(home.dir) ?? { home, members: [] };
    library.members.push(script);
    byDir.set(home.dir, library);
  }
  return [...byDir.values()];
}

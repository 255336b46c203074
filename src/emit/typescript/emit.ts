import { Lines } from "./lines.js";
import { hashOf } from "../../hash.js";
import type { GeneratedFile, Script } from "../../model.js";
import { INDEX_RUNTIME_TYPES, outputPathFor } from "../../naming.js";
import { batchSection, modulePath } from "./batch.js";
import { CLIENT_TYPES } from "./clients.js";
import { headerFor } from "../header.js";
import { code, printList } from "./literal.js";
import { folderLibrary, librariesOf, type LibraryMember } from "../library.js";
import { writeLibraryModule } from "./library-module.js";
import { upFrom, writeScriptModule, type ModuleOptions } from "./module.js";
import type { LibraryHome } from "../../libraries.js";
import { stringLiteral } from "../text.js";

/** The header of index.ts and runtime.ts, which come from no one script. */

export interface EmitOptions extends ModuleOptions {
  /**
   * The text of templates/typescript/runtime.ts, copied as the output's runtime module below the generated
   * header: the template itself has none, being hand-maintained (and so never luagen's to remove).
   */
  runtime: string;
  /** Module texts an earlier run emitted, by a hash of the script and the options: reused instead of printed again. */
  previous?: ReadonlyMap<string, string>;
  /** luagen's version, named in every file's header; left out when absent (tests of the emitter alone). */
  version?: string;
  /**
   * `--mode functions`: where each script's function lives, by script path (libraries.ts): each
   * library is a `_library.ts` in its folder, named `<base>_<version>`. A script not in it is sent as a script.
   */
  libraries?: ReadonlyMap<string, LibraryHome>;
}

export interface Emitted {
  /** Every file the output folder should hold, sorted by path. */
  files: GeneratedFile[];
  /** This run's module texts by the same hash, for the next run's `previous`. */
  modules: Map<string, string>;
}

/**
 * Every file the output folder should hold, and the module texts it printed or reused. Pure: the
 * same scripts and options give byte-identical files on any machine, and nothing is changed in place.
 */
export function emit(scripts: readonly Script[], options: EmitOptions): Emitted {
  const modules = new Map<string, string>();
  const files: GeneratedFile[] = scripts.map((script) => {
    const library = options.libraries?.get(script.file.path)?.dir;
    const key = hashOf(
      JSON.stringify([
        moduleInputs(script),
        options.importExtension,
        options.client ?? "ioredis",
        options.version,
        library,
      ]),
    );
    const previous = options.previous?.get(key);
    const file =
      previous === undefined
        ? emitModule(script, { ...options, library })
        : { path: outputPathFor(script), content: previous };
    modules.set(key, file.content);
    return file;
  });
  const plain = headerFor(undefined, options.version);
  files.push({ path: "index.ts", content: print(plain, (writer) => writeIndex(writer, scripts, options)) });
  files.push({ path: "runtime.ts", content: `${plain}\n${options.runtime.replace(/\r\n/g, "\n")}` });
  for (const { home, members } of librariesOf(scripts, options.libraries))
    files.push(...libraryFiles(members, home, options));
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), modules };
}

/**
 * What of a script its module is printed from: all of it but the file's text and the source, which
 * the SHA-1 stands for (the module embeds the source, never the raw text). Keying on them too
 * would stringify and hash every script's text twice more on every run.
 */
function moduleInputs(script: Script): Omit<Script, "file" | "source"> & { file: Omit<Script["file"], "text"> } {
  const { file, source: _source, ...rest } = script;
  const { text: _text, ...place } = file;
  return { ...rest, file: place };
}

/** One script's module: it depends on that script and the options only (index.ts on every script). */
export function emitModule(script: Script, options: ModuleOptions & { version?: string }): GeneratedFile {
  const content = print(headerFor(script.file.path, options.version), (writer) =>
    writeScriptModule(writer, script, options),
  );
  return { path: outputPathFor(script), content };
}

/**
 * A Functions library (`--mode functions`), its base name already checked (`libraryFor`): as
 * `_library.ts` in its folder, which the modules import, and as `_library.lua` beside it, for
 * review and for `redis-cli -x FUNCTION LOAD < _library.lua`.
 */
export function libraryFiles(
  scripts: readonly LibraryMember[],
  home: LibraryHome,
  options: ModuleOptions & { version?: string },
): GeneratedFile[] {
  const { library, lua } = folderLibrary(scripts, home, options.version);
  const types = CLIENT_TYPES[options.client ?? "ioredis"];
  const at = lua.path.replace(/\.lua$/, ""); // `_library` in the library's folder, beside its .lua
  const runtime = `${upFrom(home.dir)}runtime${options.importExtension}`;
  const header = headerFor(undefined, options.version);
  return [
    { path: `${at}.ts`, content: print(header, (writer) => writeLibraryModule(writer, library, types, runtime)) },
    lua,
  ];
}

/** index.ts: every script's function and descriptor, the runtime's types, and the typed batches (emit/batch.ts). */
function writeIndex(writer: Lines, scripts: readonly Script[], options: ModuleOptions): void {
  const types = CLIENT_TYPES[options.client ?? "ioredis"];
  for (const line of batchSection.imports(scripts, types, options.importExtension)) writer.writeLine(line);
  writer.blankLine();
  for (const script of scripts) {
    const from = modulePath(script, options.importExtension);
    writer.writeLine(
      printList("export {", code([script.name, `${script.name}Script`]), `} from ${stringLiteral(from)};`, "", true),
    );
  }
  writer.writeLine(`export type { ${INDEX_RUNTIME_TYPES.join(", ")} } from "./runtime${options.importExtension}";`);
  for (const line of batchSection.exports(options.importExtension)) writer.writeLine(line);
  batchSection.write(writer, scripts, types);
}

/**
 * A module's text: its header, a blank line, the lines the emitters wrote (lines.ts). Neither a
 * ts-morph Project (it loads and re-parses with TypeScript: most of a 1,000-script run) nor
 * code-block-writer (a per-character scan for an indentation luagen never uses) is needed.
 */
function print(header: string, write: (writer: Lines) => void): string {
  const writer = new Lines();
  write(writer);
  return `${header}\n\n${writer.toString().trimEnd()}\n`;
}

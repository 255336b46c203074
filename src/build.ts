// The in-memory build of scripts: include expansion, parse and check, each script on its own,
// then the cross-file checks. Pure: the scanner has read every text it needs.
import type { Chunk } from "luaparse";
import type { BuildEntry, BuiltScript } from "./context.js";
import { hasErrors, type Code, type SourceTexts } from "./diagnostics.js";
import { hashOf } from "./hash.js";
import { adoptionFor } from "./lua/adopt.js";
import { readAnnotations } from "./lua/annotations.js";
import { checkScript } from "./lua/check.js";
import { checkCommandUse } from "./lua/command-checks.js";
import { COMMANDS, type CommandTable } from "./lua/commands.js";
import { expandIncludes } from "./lua/includes.js";
import type { Server } from "./lua/servers.js";
import { deepestNode, normalizeSource, parseLua, type ParsedLua } from "./lua/parse.js";
import { diagnosticAt } from "./origins.js";
import type { Diagnostic, ExpandedSource, Position, Script, SourceFile } from "./model.js";
import { checkCollisions, checkNames, exportedNameFor } from "./naming.js";

export interface BuildOptions {
  /**
   * File texts by path, for `---@include`: the scanner's `library`. The texts of `files` are
   * always used for `files` themselves.
   */
  library?: ReadonlyMap<string, string>;
  /** An earlier run's builds by script path (`RunContext.builds`): an unchanged script's is reused. */
  previous?: ReadonlyMap<string, BuildEntry>;
  /** Called as scripts are parsed and checked, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /** Redis's command table the calls are checked against; the shipped one by default. */
  commands?: CommandTable;
  /** The server the scripts run on; without it, a call only some servers run is a warning. */
  server?: Server;
}

export interface Built {
  scripts: Script[];
  diagnostics: Diagnostic[];
  /** Source texts by diagnostic path, for code frames. */
  sources: SourceTexts;
  /** This run's build of every script, by path, for the next run's `previous`. */
  builds: Map<string, BuildEntry>;
}

/**
 * The in-memory half of the pipeline: every script (partials are only included) through include
 * expansion, parse and check, then the cross-file checks. Changes nothing in place.
 */
export function buildScripts(files: readonly SourceFile[], options: BuildOptions = {}): Built {
  const library = new Map([...(options.library ?? []), ...files.map((f): [string, string] => [f.path, f.text])]);
  const scripts: Script[] = [];
  const diagnostics: Diagnostic[] = [];
  const builds = new Map<string, BuildEntry>();
  const targets = files.filter((file) => !file.partial);
  const checks = commandChecks(options.commands ?? COMMANDS, options.server);
  for (const [i, file] of targets.entries()) {
    options.onProgress?.(i + 1, targets.length);
    const entry = reuseOrBuild(file, library, options.previous?.get(file.path), checks);
    builds.set(file.path, entry);
    diagnostics.push(...entry.built.diagnostics);
    if (entry.built.script) scripts.push(entry.built.script);
  }
  diagnostics.push(...checkCollisions(scripts));
  return { scripts, diagnostics, sources: normalizedTexts(library), builds };
}

/**
 * The texts code frames show, normalised as the Lua stages saw them. Lazy: a run normalises only
 * the files a diagnostic points into, not every script on every run.
 */
function normalizedTexts(library: ReadonlyMap<string, string>): SourceTexts {
  const memo = new Map<string, string>();
  return {
    get(file) {
      const raw = library.get(file);
      if (raw === undefined) return undefined;
      if (!memo.has(file)) memo.set(file, normalizeSource(raw));
      return memo.get(file);
    },
  };
}

/** The previous build when the script was built from the same text, output path and includes. */
function reuseOrBuild(
  file: SourceFile,
  library: ReadonlyMap<string, string>,
  previous: BuildEntry | undefined,
  checks: CommandChecks,
): BuildEntry {
  const expanded = expandIncludes(file, library);
  // Without includes (and so without include errors) the expansion follows from the text and the
  // path alone: keying on it too would stringify and hash every script's text once more.
  const own = expanded.included.length === 0 && expanded.diagnostics.length === 0;
  const key = hashOf(JSON.stringify([file.text, file.path, file.relativePath, own ? null : expanded, checks.key]));
  return previous?.key === key ? previous : { key, built: buildScript(file, expanded, checks) };
}

/** The table and server calls are checked against, and what of them goes into build keys. */
interface CommandChecks {
  table: CommandTable;
  server?: Server;
  /**
   * The config's own commands and the server setting: they change what the checks say (the
   * shipped table changes only with luagen's build).
   */
  key: string;
}

function commandChecks(table: CommandTable, server: Server | undefined): CommandChecks {
  const own = table === COMMANDS ? [] : Object.values(table.commands).filter((c) => c.source === "config");
  return {
    table,
    ...(server ? { server } : {}),
    key: own.length === 0 && server === undefined ? "" : JSON.stringify([own, server]),
  };
}

function buildScript(
  file: SourceFile,
  expanded: ExpandedSource & { diagnostics: Diagnostic[] },
  checks: CommandChecks,
): BuiltScript {
  const parsed = parseLua(file, expanded);
  if (!parsed.chunk) return { diagnostics: [...expanded.diagnostics, ...parsed.diagnostics] };
  try {
    return checkedScript(file, expanded, { ...parsed, chunk: parsed.chunk }, checks);
  } catch (error) {
    // The checks recurse over the syntax tree; a chain of thousands of left-associative operators
    // (`a or b or ...`, `1 + 1 + ...`), which Redis's parser reads in a loop, is that deep.
    if (!(error instanceof RangeError && /call stack/.test(error.message))) throw error;
    const { at, depth } = deepestNode(parsed.chunk);
    const message = `an expression ${depth} levels deep, a chain of that many operators: luagen's checks cannot follow it (Redis runs it)`;
    const hint =
      "split the chain with locals (local a = x1 or x2 or ... then a or ...), a thousand operators at most each";
    return {
      diagnostics: [...expanded.diagnostics, diagnosticAt("LG004", file.path, expanded.origins, at, message, hint)],
    };
  }
}

function checkedScript(
  file: SourceFile,
  expanded: ExpandedSource & { diagnostics: Diagnostic[] },
  parsed: ParsedLua & { chunk: Chunk },
  checks: CommandChecks,
): BuiltScript {
  const annotations = readAnnotations(file, parsed.chunk, expanded);
  const adoption = adoptionFor(file, parsed.chunk, expanded, annotations.signature !== undefined);
  const checked = checkScript(file, parsed.chunk, annotations.signature, expanded, undefined, adoption);
  const place = (code: Code, at: Position, message: string, hint?: string) =>
    diagnosticAt(code, file.path, expanded.origins, at, message, hint);
  const used = checkCommandUse(parsed.chunk, parsed.source, place, checks.table, checks.server);
  const diagnostics = [
    ...expanded.diagnostics,
    ...parsed.diagnostics,
    ...annotations.diagnostics,
    ...checked.diagnostics,
    ...used.diagnostics,
  ];
  const named = checked.signature.name === undefined ? exportedNameFor(adoption.namePath) : undefined;
  const script: Script = {
    file,
    source: parsed.source,
    sha1: hashOf(parsed.source),
    name: checked.signature.name ?? named!.name,
    signature: checked.signature,
  };
  if (named?.renamedFrom !== undefined) script.renamedFrom = named.renamedFrom;
  if (expanded.included.length > 0) script.origins = expanded.origins;
  if (used.flags) script.flags = used.flags;
  diagnostics.push(...checkNames(script));
  return hasErrors(diagnostics) ? { diagnostics } : { script, diagnostics };
}

import type { Chunk } from "luaparse";
import { diagnostic, plural, type Code } from "../diagnostics.js";
import type { ArgParam, Diagnostic, ExpandedSource, KeyParam, Position, Signature, SourceFile } from "../model.js";
import { diagnosticAt, originOf } from "../origins.js";
import type { Adoption, Documented } from "./adopt.js";
import { closest } from "../suggest.js";
import { nodePosition, walk } from "./parse.js";
import { SCRIPT_GLOBALS } from "./redis-api.js";
import { collectUsage, highestIndex, type Table, type Usage } from "./usage.js";
import { replyText } from "./lua-types.js";
import { checkReturns, shippedReplies, type Place } from "./return-check.js";
import type { ReplyLookup } from "./returns.js";

/** How each table's checks are worded, so one code path serves both. */
const TABLES = {
  KEYS: { past: "LG200", unread: "LG202", noun: "key", tag: "@key", rest: "---@key ...name" },
  ARGV: { past: "LG201", unread: "LG203", noun: "argument", tag: "@arg", rest: "---@arg ...name type" },
} as const satisfies Record<Table, { past: Code; unread: Code; noun: string; tag: string; rest: string }>;

/**
 * Checks the script's body against its signature; with no signature, infers one from
 * the literal KEYS/ARGV indices it reads and warns that it did. With `expanded` (the chunk
 * was parsed from the file with its includes inlined), what is found in an included file is
 * reported there, at its own line.
 */
export function checkScript(
  file: SourceFile,
  chunk: Chunk,
  signature: Signature | undefined,
  expanded?: ExpandedSource,
  lookup: ReplyLookup = shippedReplies,
  adoption: Adoption = { namePath: file.relativePath, keys: new Map(), args: new Map() },
): { signature: Signature; diagnostics: Diagnostic[] } {
  const usage = collectUsage(chunk);
  const place: Place = (code, at, message, hint) => diagnosticAt(code, file.path, expanded?.origins, at, message, hint);
  const where = (at: Position) => {
    const origin = (expanded && originOf(expanded.origins, at.line)) ?? { file: file.path, line: at.line };
    return origin.file === file.path ? `line ${origin.line}` : `${origin.file}:${origin.line}`;
  };
  const diagnostics = [
    ...usage.globalWrites.map((write) => globalWriteDiagnostic(place, write)),
    ...usage.undefinedReads.map((read) => missingGlobal(place, read, where, localDeclaration(chunk, read.name))),
  ];
  const withReturns = (declared: Signature): Signature => {
    const checked = checkReturns({ chunk, signature: declared, place, where, lookup });
    diagnostics.push(...checked.diagnostics);
    return { ...declared, returns: checked.returns };
  };
  if (signature === undefined) {
    const { keyCount } = adoption;
    const inferred = withReturns(inferSignature(usage, adoption));
    const counted = keyCount === undefined ? [] : readsPastCount(place, usage, file, keyCount);
    const warning = inferredWarning(file, inferred, usage, adoption);
    return { signature: inferred, diagnostics: [...diagnostics, ...counted, warning] };
  }
  diagnostics.push(
    ...readsPastDeclared(place, usage, "KEYS", signature.keys),
    ...readsPastDeclared(place, usage, "ARGV", signature.args),
    ...neverRead(file, usage, "KEYS", signature.keys),
    ...neverRead(file, usage, "ARGV", signature.args),
  );
  return { signature: withReturns(signature), diagnostics };
}

function globalWriteDiagnostic(place: Place, write: Usage["globalWrites"][number]): Diagnostic {
  const what = write.isFunction
    ? `function ${write.name} is declared as a global`
    : `assignment to undeclared global '${write.name}'`;
  const fix = write.isFunction ? `local function ${write.name}` : `local ${write.name}`;
  return place("LG204", write.at, `${what}: Redis refuses writes to globals at run time`, `declare it local: ${fix}`);
}

/**
 * LG206: a global no supported server defines. Redis fails the script when the read runs, so a
 * fragment meant to be pasted after another (a helper it calls, a local it expects) fails alone.
 */
function missingGlobal(
  place: Place,
  read: Usage["undefinedReads"][number],
  where: (at: Position) => string,
  local: Position | undefined,
): Diagnostic {
  const near = local ? undefined : closest(read.name, SCRIPT_GLOBALS);
  const hint = local
    ? `the local ${read.name} of ${where(local)} is not in scope here: declare it before (local ${read.name}), then assign it`
    : near
      ? `did you mean ${near}?`
      : `define it in this script (local ${read.name} = ...), or ---@include the file that does`;
  const failure = `"Script attempted to access nonexistent global variable '${read.name}'"`;
  return place(
    "LG206",
    read.at,
    `'${read.name}' is not defined: Redis fails the script when it reads it (${failure})`,
    hint,
  );
}

/**
 * The first local of the chunk named `name`. A global read of that name is outside its scope:
 * `local function a() return b() end` before `local function b()`, where Lua reads the global b.
 */
function localDeclaration(chunk: Chunk, name: string): Position | undefined {
  let found: Position | undefined;
  walk(chunk.body, (node) => {
    if (found) return false;
    const names =
      node.type === "LocalStatement"
        ? node.variables
        : node.type === "FunctionDeclaration" && node.isLocal
          ? [node.identifier]
          : [];
    const declared = names.find((id) => id?.type === "Identifier" && id.name === name);
    if (declared) found = nodePosition(declared, chunk);
    return true;
  });
  return found;
}

/** LG200/LG201: a literal index past the declared params, unless a rest param takes any number. */
function readsPastDeclared(place: Place, usage: Usage, table: Table, params: (KeyParam | ArgParam)[]): Diagnostic[] {
  if (params.some((p) => p.rest)) return [];
  const { past, noun, tag, rest } = TABLES[table];
  const declared =
    params.length === 0
      ? `no ${noun}s are`
      : `only ${plural(params.length, noun)} ${params.length === 1 ? "is" : "are"}`;
  const hint = `declare it with ---${tag}, or declare a rest ${noun} (${rest})`;
  return usage.reads
    .filter((read) => read.table === table && read.index > params.length)
    .map((read) => place(past, read.at, `${table}[${read.index}] is read but ${declared} declared`, hint));
}

/** LG200 for BullMQ's `name-N.lua`: a literal `KEYS[n]` past the N keys the file name gives. */
function readsPastCount(place: Place, usage: Usage, file: SourceFile, count: number): Diagnostic[] {
  const base = file.relativePath.slice(file.relativePath.lastIndexOf("/") + 1).replace(/-\d+\.lua$/i, "");
  return usage.reads
    .filter((read) => read.table === "KEYS" && read.index > count)
    .map((read) => {
      const message = `KEYS[${read.index}] is read but the file name (-${count}) says the script takes ${plural(count, "key")}`;
      return place(
        "LG200",
        read.at,
        message,
        `rename it to ${base}-${read.index}.lua, or declare the keys with ---@key`,
      );
    });
}

/** LG202/LG203: a declared param whose index is never read, unless the table is used dynamically. */
function neverRead(file: SourceFile, usage: Usage, table: Table, params: (KeyParam | ArgParam)[]): Diagnostic[] {
  if (usage.dynamic.has(table)) return [];
  const { unread, noun, tag } = TABLES[table];
  return params.flatMap((param, i) => {
    const index = i + 1;
    if (param.rest || usage.reads.some((r) => r.table === table && r.index === index)) return [];
    const at = { line: param.line, column: param.column };
    const message = `${noun} '${param.name}' is declared but ${table}[${index}] is never read`;
    return [diagnostic(unread, file.path, at, message, `read ${table}[${index}], or remove the ---${tag} line`)];
  });
}

/** `2 keys (key1, key2)`, `0 arguments`. */
function listed(items: string[], noun: string): string {
  const count = plural(items.length, noun);
  return items.length === 0 ? count : `${count} (${items.join(", ")})`;
}

/**
 * Keys and arguments up to the highest literal index read (or, for keys, as many as a BullMQ file
 * name says), named as the leading comments document them or the locals they are read into, else
 * key1.., arg1...
 */
function inferSignature(usage: Usage, adoption: Adoption): Signature {
  const keyCount = adoption.keyCount ?? Math.max(highestIndex(usage, "KEYS"), ...adoption.keys.keys());
  const argCount = Math.max(highestIndex(usage, "ARGV"), ...adoption.args.keys());
  const args = Array.from({ length: argCount }, (_, i): ArgParam => ({
    ...documented(adoption.args, i + 1, "arg"),
    ...INFERRED_ARG,
  }));
  const keys = inferredKeys(keyCount, adoption.keys);
  // A table read by a computed index, by length or whole (`ipairs`, `unpack`) takes any number of
  // entries: a rest parameter after the fixed ones, so the script can be called the way it is used.
  // A BullMQ `name-N.lua` says how many keys there are: that count stands.
  if (usage.dynamic.has("KEYS") && adoption.keyCount === undefined) {
    keys.push({ name: restName("keys", keys), description: "", rest: true, ...AT_TOP });
  }
  if (usage.dynamic.has("ARGV")) {
    args.push({ name: restName("args", [...keys, ...args]), description: "", ...INFERRED_ARG, rest: true });
  }
  const returns: Signature["returns"] = { type: { kind: "unknown" }, description: "", origin: "missing" };
  return { summary: "", keys, args, returns, inferred: true };
}

/** `wanted`, or with `more` before it while a fixed parameter (named from a comment) has that name. */
function restName(wanted: string, taken: readonly { name: string }[]): string {
  let name = wanted;
  while (taken.some((param) => param.name === name)) name = `more${name[0]!.toUpperCase()}${name.slice(1)}`;
  return name;
}

/** Where an inferred parameter "is": no tag declares it. */
const AT_TOP = { line: 1, column: 1, nameColumn: 1 };

/** An inferred argument: any string or number, as Redis receives every argument as a string. */
const INFERRED_ARG = {
  type: { kinds: ["string", "number"], literals: [] },
  optional: false,
  rest: false,
  ...AT_TOP,
} satisfies Omit<ArgParam, "name" | "description">;

function inferredKeys(count: number, names: ReadonlyMap<number, Documented>): KeyParam[] {
  return Array.from({ length: count }, (_, i): KeyParam => ({
    ...documented(names, i + 1, "key"),
    rest: false,
    ...AT_TOP,
  }));
}

function documented(names: ReadonlyMap<number, Documented>, index: number, prefix: string): Documented {
  return names.get(index) ?? { name: `${prefix}${index}`, description: "" };
}

function inferredWarning(file: SourceFile, signature: Signature, usage: Usage, adoption: Adoption): Diagnostic {
  const keys = listed(
    signature.keys.map((k) => (k.rest ? `...${k.name}` : k.name)),
    "key",
  );
  const args = listed(
    signature.args.map((a) => (a.rest ? `...${a.name}: (string | number)[]` : `${a.name}: string | number`)),
    "argument",
  );
  const returned = signature.returns.origin === "inferred" ? replyText(signature.returns.type) : "unknown";
  const message = `no annotations: inferred ${keys} and ${args}, returning ${returned}`;
  const dynamic = [...usage.dynamic].map((table) =>
    table === "KEYS" && !signature.keys.some((k) => k.rest)
      ? `KEYS is read with a computed index, but the file name says how many keys there are`
      : `${table} is read with a computed index, by its length or whole, so it takes any number: declare ${TABLES[table].rest}`,
  );
  const ignored = adoption.ignoredCount;
  const count = ignored
    ? [
        `the file name's -${ignored.count} is not taken as a key count (BullMQ's convention), since the script reads ${ignored.highest === 0 ? "no KEYS[n] by a literal index" : `KEYS[${ignored.highest}] at most`}`,
      ]
    : [];
  const hint = [
    "declare the signature in the leading --- comment: ---@key name, ---@arg name type, ---@return type",
    ...dynamic,
    ...count,
  ].join("; ");
  return diagnostic("LG205", file.path, { line: 1, column: 1 }, message, hint);
}

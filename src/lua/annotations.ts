import type { Chunk } from "luaparse";
import { diagnostic, type Code } from "../diagnostics.js";
import type { ArgKind, ArgParam, ArgType, Diagnostic, ExpandedSource, KeyParam, ReturnType, Signature, SourceFile } from "../model.js";
import { originOf } from "../origins.js";
import { nodeOffset, nodePosition, normalizeSource } from "./parse.js";

/** One `---` line of the leading doc block: the text after the dashes, and where that text starts. */
interface DocLine {
  text: string;
  line: number;
  /** 1-based column of `text[0]`. */
  column: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const ARG_KINDS: readonly ArgKind[] = ["string", "number", "integer", "boolean", "json"];
type ReturnScalar = Exclude<ReturnType["kind"], "array" | "tuple" | "union">;
const RETURN_KINDS: readonly ReturnScalar[] = ["integer", "string", "nil", "status", "unknown"];
const OUR_TAGS = ["key", "arg", "return", "name"];
/** LuaLS's own tags: a script may carry them for the editor, so they are not ours to judge. */
const LUALS_TAGS = new Set(
  (
    "class field type alias generic vararg overload deprecated meta diagnostic see version " +
    "async nodiscard cast operator enum module private protected package source as"
  ).split(" "),
);
/** Read by the include stage (src/lua/includes.ts), which reports a malformed one itself. */
const INCLUDE_TAG = "include";

/** A tag line that cannot be read; caught per line, so one bad tag does not hide the others. */
class TagError extends Error {
  constructor(
    readonly code: Code,
    readonly column: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Reads one doc line left to right; `column` is where the cursor is, 1-based in the file. */
class Cursor {
  pos = 0;
  constructor(private readonly doc: DocLine) {}
  get column(): number {
    return this.doc.column + this.pos;
  }
  get done(): boolean {
    return this.pos >= this.doc.text.length;
  }
  peek(): string {
    return this.doc.text.charAt(this.pos);
  }
  /** Consumes what the sticky `pattern` matches here; undefined (and nothing consumed) when it does not. */
  read(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.doc.text);
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }
  skipSpace(): boolean {
    return this.read(/\s+/y) !== undefined;
  }
  rest(): string {
    return this.doc.text.slice(this.pos);
  }
  fail(code: Code, message: string, hint?: string): never {
    throw new TagError(code, this.column, message, hint);
  }
  /** Names what is at the cursor, for "expected X, found Y". */
  found(): string {
    return this.done ? "the end of the line" : `'${this.peek()}'`;
  }
}

/** Something a continuation line can extend. */
interface Described {
  description: string;
}

/** The signature as it is being read, with the diagnostics found so far. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly summary: string[] = [];
  private readonly keys: KeyParam[] = [];
  private readonly args: ArgParam[] = [];
  private returns: { type: ReturnType; description: string } | undefined;
  private name: string | undefined;
  /** Line of the first `@return` / `@name`, to report a second one. */
  private readonly singles = new Map<string, number>();
  private anyTag = false;
  private ourTag = false;
  /** The tag a following text line continues, until a blank line or another tag. */
  private open: Described | undefined;

  constructor(private readonly path: string) {}

  readLine(doc: DocLine): void {
    const cursor = new Cursor(doc);
    cursor.skipSpace();
    if (cursor.peek() !== "@") return this.readText(doc.text.trim());
    this.open = undefined;
    this.anyTag = true;
    try {
      this.readTag(cursor, doc.line);
    } catch (error) {
      if (!(error instanceof TagError)) throw error;
      this.report(error.code, doc.line, error.column, error.message, error.hint);
    }
  }

  signature(): Signature | undefined {
    if (!this.ourTag) return undefined;
    const returns: Signature["returns"] = this.returns ?? { type: { kind: "unknown" }, description: "", origin: "missing" };
    const signature: Signature = { summary: this.summary.join("\n").trim(), keys: this.keys, args: this.args, returns, inferred: false };
    if (this.name !== undefined) signature.name = this.name;
    return signature;
  }

  private readText(text: string): void {
    if (this.open === undefined) {
      if (!this.anyTag) this.summary.push(text);
    } else if (text === "") {
      this.open = undefined;
    } else {
      this.open.description = this.open.description === "" ? text : `${this.open.description} ${text}`;
    }
  }

  private readTag(cursor: Cursor, line: number): void {
    const at = cursor.column;
    cursor.pos++;
    const tag = cursor.read(WORD);
    if (tag === undefined) cursor.fail("LG100", `expected a tag name after '@', found ${cursor.found()}`);
    if (!OUR_TAGS.includes(tag)) return checkForeignTag(tag, at);
    this.ourTag = true;
    if (!cursor.done && !cursor.skipSpace()) cursor.fail("LG100", `expected a space after @${tag}, found ${cursor.found()}`);
    this.claimSingle(tag, line, at);
    if (tag === "key") this.readKey(cursor, line);
    else if (tag === "arg") this.readArg(cursor, line);
    else if (tag === "return") this.readReturn(cursor);
    else this.readName(cursor);
  }

  private claimSingle(tag: string, line: number, at: number): void {
    if (tag !== "return" && tag !== "name") return;
    const first = this.singles.get(tag);
    if (first !== undefined) {
      const hint = tag === "return" ? "a script returns one value: describe several as a tuple, e.g. [integer, string]" : undefined;
      throw new TagError("LG106", at, `@${tag} is given twice (first on line ${first})`, hint);
    }
    this.singles.set(tag, line);
  }

  private readKey(cursor: Cursor, line: number): void {
    const name = readParamName(cursor, "@key");
    const key: KeyParam = { name: name.bare, description: "", rest: name.rest, line };
    this.addKey(key, name.column);
    checkName(name, "key");
    if (name.optional) {
      throw new TagError("LG100", name.column, `key '${name.token}' cannot be optional`, "only arguments can be optional: ---@arg name? type");
    }
    key.description = readDescription(cursor);
    this.open = key;
  }

  private readArg(cursor: Cursor, line: number): void {
    const name = readParamName(cursor, "@arg");
    const arg: ArgParam = { name: name.bare, description: "", type: { kinds: [], literals: [] }, optional: name.optional, rest: name.rest, line };
    this.addArg(arg, name.column);
    checkName(name, "argument");
    if (name.rest && name.optional) {
      throw new TagError("LG100", name.column, `rest argument '${name.token}' cannot be optional`, "a rest argument may already be empty: drop the ?");
    }
    cursor.skipSpace();
    if (cursor.done) cursor.fail("LG100", `@arg ${name.token} needs a type`, "for example ---@arg limit integer");
    arg.type = readArgType(cursor);
    arg.description = readDescription(cursor);
    this.open = arg;
  }

  private readReturn(cursor: Cursor): void {
    if (cursor.done) cursor.fail("LG100", "@return needs a type", "for example ---@return integer");
    const type = readReturnType(cursor);
    this.returns = { type, description: readDescription(cursor) };
    this.open = this.returns;
  }

  private readName(cursor: Cursor): void {
    const column = cursor.column;
    const token = cursor.read(/\S+/y);
    if (token === undefined) cursor.fail("LG100", "@name needs an identifier", "for example ---@name incrCapped");
    if (!IDENTIFIER.test(token)) {
      throw new TagError("LG100", column, `@name '${token}' is not a valid identifier`, "use letters, digits and _, not starting with a digit");
    }
    cursor.skipSpace();
    if (!cursor.done) cursor.fail("LG100", `unexpected text after @name ${token}`);
    this.name = token;
  }

  private addKey(key: KeyParam, column: number): void {
    this.checkDuplicate(key, column);
    const rest = this.keys.find((k) => k.rest);
    if (rest !== undefined) {
      this.report("LG105", key.line, column, `key '${key.name}' comes after the rest key '...${rest.name}'`, "a rest key must be the last key");
    }
    this.keys.push(key);
  }

  private addArg(arg: ArgParam, column: number): void {
    this.checkDuplicate(arg, column);
    const rest = this.args.find((a) => a.rest);
    const optional = this.args.find((a) => a.optional);
    const shown = `${arg.rest ? "..." : ""}${arg.name}`;
    if (rest !== undefined) {
      const message = `argument '${shown}' comes after the rest argument '...${rest.name}'`;
      this.report("LG105", arg.line, column, message, "a rest argument must be the last argument");
    } else if (arg.rest && optional !== undefined) {
      const message = `rest argument '${shown}' comes after optional argument '${optional.name}'`;
      this.report("LG105", arg.line, column, message, "make the optional argument required, or drop the rest argument");
    } else if (!arg.optional && !arg.rest && optional !== undefined) {
      const message = `required argument '${arg.name}' comes after optional argument '${optional.name}'`;
      this.report("LG104", arg.line, column, message, "optional arguments must come last: move it before them, or mark it optional (name?)");
    }
    this.args.push(arg);
  }

  private checkDuplicate(param: KeyParam | ArgParam, column: number): void {
    const other = [...this.keys, ...this.args].find((p) => p.name === param.name);
    if (other === undefined) return;
    const message = `'${param.name}' is already declared on line ${other.line}`;
    this.report("LG103", param.line, column, message, "keys and arguments become the function's parameters: each needs its own name");
  }

  private report(code: Code, line: number, column: number, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(code, this.path, { line, column }, message, hint));
  }
}

/**
 * Reads the signature a script declares in its leading `---` block. `signature` is
 * undefined when the block holds none of luagen's tags: the checker infers one then.
 * With `expanded` (the chunk parsed from the file with its includes inlined), only the
 * file's own lines count: an included file's doc comments describe its own functions.
 */
export function readAnnotations(
  file: SourceFile,
  chunk: Chunk,
  expanded?: ExpandedSource,
): { signature: Signature | undefined; diagnostics: Diagnostic[] } {
  const reader = new Reader(file.path);
  const ownLine = (line: number) => {
    const origin = expanded && originOf(expanded.origins, line);
    return origin === undefined ? line : origin.file === file.path ? origin.line : undefined;
  };
  for (const doc of leadingDocLines(chunk, normalizeSource(file.text).startsWith("#!"), ownLine)) reader.readLine(doc);
  return { signature: reader.signature(), diagnostics: reader.diagnostics };
}

/**
 * The `---` comments before the first statement, up to the first comment of another kind, with
 * their lines in the script's own file (`ownLine`). Comments and statements from included files
 * are passed over: the block is what the script's own lines say before its own first statement.
 */
function leadingDocLines(chunk: Chunk, shebang: boolean, ownLine: (line: number) => number | undefined): DocLine[] {
  const first = chunk.body.find((statement) => ownLine(nodePosition(statement).line) !== undefined);
  const end = first === undefined ? Infinity : nodeOffset(first);
  const lines: DocLine[] = [];
  for (const comment of chunk.comments ?? []) {
    // The parser saw the shebang as a `--` comment at offset 0 (see parseLua).
    if (shebang && nodeOffset(comment) === 0) continue;
    const { line, column } = nodePosition(comment);
    const own = ownLine(line);
    if (own === undefined) continue;
    if (nodeOffset(comment) > end || !comment.raw.startsWith("---")) break;
    lines.push({ text: comment.raw.slice(3), line: own, column: column + 3 }); // the text starts after `---`
  }
  return lines;
}

function checkForeignTag(tag: string, at: number): void {
  if (LUALS_TAGS.has(tag) || tag === INCLUDE_TAG) return;
  if (tag === "param") throw new TagError("LG108", at, "@param is not a luagen tag", "use @key for KEYS and @arg for ARGV");
  const near = OUR_TAGS.find((ours) => editDistance(tag.toLowerCase(), ours) <= 2);
  throw new TagError("LG101", at, `unknown tag @${tag}`, near === undefined ? undefined : `did you mean @${near}?`);
}

interface ParamName {
  token: string;
  /** The name without `...` and `?`. */
  bare: string;
  rest: boolean;
  optional: boolean;
  column: number;
}

function readParamName(cursor: Cursor, tag: string): ParamName {
  const column = cursor.column;
  const token = cursor.read(/\S+/y);
  if (token === undefined) cursor.fail("LG100", `${tag} needs a name`, `for example ${tag === "@key" ? "---@key counter" : "---@arg limit integer"}`);
  const rest = token.startsWith("...");
  const optional = token.length > 1 && token.endsWith("?");
  return { token, bare: token.slice(rest ? 3 : 0, optional ? -1 : undefined), rest, optional, column };
}

function checkName(name: ParamName, noun: string): void {
  if (IDENTIFIER.test(name.bare)) return;
  throw new TagError("LG100", name.column, `'${name.token}' is not a valid ${noun} name`, "use letters, digits and _, not starting with a digit");
}

/** After a name or type: whitespace, then the description (a leading `# ` is LuaLS style). */
function readDescription(cursor: Cursor): string {
  if (!cursor.done && !cursor.skipSpace()) {
    const hint = cursor.peek() === "?" ? "a value that may be nil is T|nil; an optional argument is ---@arg name? type" : undefined;
    cursor.fail("LG100", `unexpected '${cursor.peek()}' after the type`, hint);
  }
  return cursor.rest().trim().replace(/^#(\s+|$)/, "");
}

/** Consumes a `|` and the whitespace around it; consumes nothing when there is no `|`. */
function readBar(cursor: Cursor): boolean {
  const start = cursor.pos;
  cursor.skipSpace();
  if (cursor.read(/\|\s*/y) !== undefined) return true;
  cursor.pos = start;
  return false;
}

function readArgType(cursor: Cursor): ArgType {
  const type: ArgType = { kinds: [], literals: [] };
  do {
    const column = cursor.column;
    const literal = cursor.read(/"[^"]*"|'[^']*'/y);
    const name = literal === undefined ? cursor.read(WORD) : undefined;
    if (literal !== undefined) addOnce(type.literals, literal.slice(1, -1));
    else if (name === undefined) {
      cursor.fail("LG100", /["']/.test(cursor.peek()) ? "unterminated string literal" : `expected a type, found ${cursor.found()}`);
    }
    else if (oneOf(ARG_KINDS, name)) addOnce(type.kinds, name);
    else throw new TagError("LG102", column, `unknown type '${name}': argument types are ${ARG_KINDS.join(", ")} and string literals such as "asc"`);
  } while (readBar(cursor));
  return type;
}

function oneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function addOnce<T>(list: T[], item: T): void {
  if (!list.includes(item)) list.push(item);
}

/** union := postfix ('|' postfix)* */
function readReturnType(cursor: Cursor): ReturnType {
  const members = [readPostfix(cursor)];
  while (readBar(cursor)) members.push(readPostfix(cursor));
  if (members.length === 1) return members[0];
  return { kind: "union", members: members.flatMap((m) => (m.kind === "union" ? m.members : [m])) };
}

/** postfix := primary ('[]')* */
function readPostfix(cursor: Cursor): ReturnType {
  let type = readPrimary(cursor);
  while (cursor.read(/\[\]/y) !== undefined) type = { kind: "array", element: type };
  return type;
}

/** primary := '(' union ')' | '[' union (',' union)* ']' | name */
function readPrimary(cursor: Cursor): ReturnType {
  const column = cursor.column;
  if (cursor.read(/\(\s*/y) !== undefined) {
    const inner = readReturnType(cursor);
    if (cursor.read(/\s*\)/y) === undefined) cursor.fail("LG100", `expected ')', found ${cursor.found()}`);
    return inner;
  }
  if (cursor.read(/\[\s*/y) !== undefined) {
    const elements = [readReturnType(cursor)];
    while (cursor.read(/\s*,\s*/y) !== undefined) elements.push(readReturnType(cursor));
    if (cursor.read(/\s*\]/y) === undefined) cursor.fail("LG100", `expected ',' or ']', found ${cursor.found()}`);
    return { kind: "tuple", elements };
  }
  const name = cursor.read(WORD);
  if (name === undefined) cursor.fail("LG100", `expected a return type, found ${cursor.found()}`);
  return returnKind(name, column);
}

function returnKind(name: string, column: number): ReturnType {
  if (oneOf(RETURN_KINDS, name)) return { kind: name };
  if (name === "boolean" || name === "number") {
    throw new TagError(
      "LG107",
      column,
      `a script cannot return '${name}': Redis converts it`,
      "Redis turns Lua true into 1 and false into nil, and truncates Lua numbers to integers: " +
        "declare integer, integer|nil, or string (and return tostring(x))",
    );
  }
  throw new TagError("LG102", column, `unknown return type '${name}': return types are ${RETURN_KINDS.join(", ")}, T[], [T, U] and T|U`);
}

/** Levenshtein distance, for "did you mean" on a mistyped tag. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

import type { Chunk } from "luaparse";
import { diagnostic } from "../diagnostics.js";
import type { ArgParam, Diagnostic, ExpandedSource, KeyParam, Signature, SourceFile } from "../model.js";
import { Cursor, TagProblem, WORD } from "./annotations/cursor.js";
import { leadingDocBlock, ownLineIn, type DocLine, type StrayTag } from "./annotations/doc-block.js";
import { checkOrder, type Declared } from "./annotations/order.js";
import { didYouMean } from "./annotations/suggest.js";
import { readArgType, readReturnType } from "./annotations/type-grammar.js";
import { normalizeSource } from "./parse.js";

/*
 * The annotation stage, by job: annotations/doc-block.ts finds the leading `---` block,
 * annotations/cursor.ts tokenizes a line, annotations/type-grammar.ts reads types,
 * annotations/order.ts checks the parameter list as a whole; this module reads the tags into a
 * Signature. Every problem is a value (TagProblem, OrderProblem) reported here, once.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
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

/** Something a continuation line can extend. */
interface Described {
  description: string;
}

/** The signature as it is being read, tag by tag. */
class Reader {
  readonly problems: Array<TagProblem & { line: number }> = [];
  private readonly summary: string[] = [];
  private readonly declared: Declared[] = [];
  private returns: Signature["returns"] | undefined;
  private name: string | undefined;
  /** Line of the first `@return` / `@name`, to report a second one. */
  private readonly singles = new Map<string, number>();
  private anyTag = false;
  private ourTag = false;
  /** The tag a following text line continues, until a blank line or another tag. */
  private open: Described | undefined;

  readLine(doc: DocLine): void {
    const cursor = new Cursor(doc);
    cursor.skipSpace();
    if (cursor.peek() !== "@") return this.readText(doc.text.trim());
    this.open = undefined;
    this.anyTag = true;
    const problem = this.readTag(cursor, doc.line);
    if (problem !== undefined) this.problems.push(Object.assign(problem, { line: doc.line }));
  }

  signature(): Signature | undefined {
    if (!this.ourTag) return undefined;
    const returns: Signature["returns"] = this.returns ?? {
      type: { kind: "unknown" },
      description: "",
      origin: "missing",
    };
    const keys = this.declared.flatMap((d) => (d.tag === "key" ? [d.param] : []));
    const args = this.declared.flatMap((d) => (d.tag === "arg" ? [d.param] : []));
    const signature: Signature = { summary: this.summary.join("\n").trim(), keys, args, returns, inferred: false };
    if (this.name !== undefined) signature.name = this.name;
    return signature;
  }

  orderProblems() {
    return checkOrder(this.declared);
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

  private readTag(cursor: Cursor, line: number): TagProblem | undefined {
    const at = cursor.column;
    cursor.pos++;
    const tag = cursor.read(WORD);
    if (tag === undefined) return cursor.problem("LG100", `expected a tag name after '@', found ${cursor.found()}`);
    if (!OUR_TAGS.includes(tag)) return foreignTag(tag, at);
    this.ourTag = true;
    if (!cursor.done && !cursor.skipSpace())
      return cursor.problem("LG100", `expected a space after @${tag}, found ${cursor.found()}`);
    const twice = this.claimSingle(tag, line, at);
    if (twice !== undefined) return twice;
    if (tag === "key") return this.readKey(cursor, { line, column: at });
    if (tag === "arg") return this.readArg(cursor, { line, column: at });
    if (tag === "return") return this.readReturn(cursor);
    return this.readName(cursor);
  }

  private claimSingle(tag: string, line: number, at: number): TagProblem | undefined {
    if (tag !== "return" && tag !== "name") return undefined;
    const first = this.singles.get(tag);
    if (first !== undefined) {
      const hint =
        tag === "return"
          ? "a script returns one value: describe several as a tuple, e.g. [integer, string]"
          : undefined;
      return new TagProblem("LG106", at, `@${tag} is given twice (first on line ${first})`, hint);
    }
    this.singles.set(tag, line);
    return undefined;
  }

  /** The key is declared even when its tag has a problem, so the checks after see every key. */
  private readKey(cursor: Cursor, tag: { line: number; column: number }): TagProblem | undefined {
    const name = readParamName(cursor, "@key");
    if (name instanceof TagProblem) return name;
    const key: KeyParam = { name: name.bare, description: "", rest: name.rest, ...tag, nameColumn: name.column };
    this.declared.push({ tag: "key", param: key });
    const problem = nameProblem(name, "key");
    if (problem !== undefined) return problem;
    if (name.optional) {
      return new TagProblem(
        "LG100",
        name.column,
        `key '${name.token}' cannot be optional`,
        "only arguments can be optional: ---@arg name? type",
      );
    }
    const description = readDescription(cursor);
    if (description instanceof TagProblem) return description;
    key.description = description;
    this.open = key;
    return undefined;
  }

  private readArg(cursor: Cursor, tag: { line: number; column: number }): TagProblem | undefined {
    const name = readParamName(cursor, "@arg");
    if (name instanceof TagProblem) return name;
    const type = { kinds: [], literals: [] };
    const arg: ArgParam = {
      name: name.bare,
      description: "",
      type,
      optional: name.optional,
      rest: name.rest,
      ...tag,
      nameColumn: name.column,
    };
    this.declared.push({ tag: "arg", param: arg });
    const problem = nameProblem(name, "argument");
    if (problem !== undefined) return problem;
    if (name.rest && name.optional) {
      return new TagProblem(
        "LG100",
        name.column,
        `rest argument '${name.token}' cannot be optional`,
        "a rest argument may already be empty: drop the ?",
      );
    }
    cursor.skipSpace();
    if (cursor.done)
      return cursor.problem("LG100", `@arg ${name.token} needs a type`, "for example ---@arg limit integer");
    const read = readArgType(cursor);
    if (read instanceof TagProblem) return read;
    arg.type = read;
    const description = readDescription(cursor);
    if (description instanceof TagProblem) return description;
    arg.description = description;
    this.open = arg;
    return undefined;
  }

  private readReturn(cursor: Cursor): TagProblem | undefined {
    if (cursor.done) return cursor.problem("LG100", "@return needs a type", "for example ---@return integer");
    const type = readReturnType(cursor);
    if (type instanceof TagProblem) return type;
    const description = readDescription(cursor);
    if (description instanceof TagProblem) return description;
    this.returns = { type, description };
    this.open = this.returns;
    return undefined;
  }

  private readName(cursor: Cursor): TagProblem | undefined {
    const column = cursor.column;
    const token = cursor.read(/\S+/y);
    if (token === undefined)
      return cursor.problem("LG100", "@name needs an identifier", "for example ---@name incrCapped");
    if (!IDENTIFIER.test(token)) {
      return new TagProblem(
        "LG100",
        column,
        `@name '${token}' is not a valid identifier`,
        "use letters, digits and _, not starting with a digit",
      );
    }
    cursor.skipSpace();
    if (!cursor.done) return cursor.problem("LG100", `unexpected text after @name ${token}`);
    this.name = token;
    return undefined;
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
  const reader = new Reader();
  const block = leadingDocBlock(chunk, normalizeSource(file.text).startsWith("#!"), ownLineIn(file, expanded));
  for (const doc of block.lines) reader.readLine(doc);
  const diagnostics = [...reader.problems, ...reader.orderProblems()].map((p) =>
    diagnostic(p.code, file.path, p, p.message, p.hint),
  );
  diagnostics.push(...block.strays.map((stray) => strayWarning(file, stray)));
  return { signature: reader.signature(), diagnostics };
}

/** LG109: `-- @key` reads like a tag but, with two dashes, is a plain comment to luagen and LuaLS. */
function strayWarning(file: SourceFile, stray: StrayTag): Diagnostic {
  const message = `'-- @${stray.tag}' has two dashes: luagen (like LuaLS) reads tags only in '---' comments, so this line is ignored`;
  return diagnostic("LG109", file.path, stray, message, `write ---@${stray.tag}`);
}

function foreignTag(tag: string, at: number): TagProblem | undefined {
  if (LUALS_TAGS.has(tag) || tag === INCLUDE_TAG) return undefined;
  if (tag === "param")
    return new TagProblem("LG108", at, "@param is not a luagen tag", "use @key for KEYS and @arg for ARGV");
  const near = didYouMean(tag, OUR_TAGS, 2);
  return new TagProblem("LG101", at, `unknown tag @${tag}`, near === undefined ? undefined : `did you mean @${near}?`);
}

interface ParamName {
  token: string;
  /** The name without `...` and `?`. */
  bare: string;
  rest: boolean;
  optional: boolean;
  column: number;
}

function readParamName(cursor: Cursor, tag: string): ParamName | TagProblem {
  const column = cursor.column;
  const token = cursor.read(/\S+/y);
  if (token === undefined)
    return cursor.problem(
      "LG100",
      `${tag} needs a name`,
      `for example ${tag === "@key" ? "---@key counter" : "---@arg limit integer"}`,
    );
  const rest = token.startsWith("...");
  const optional = token.length > 1 && token.endsWith("?");
  return { token, bare: token.slice(rest ? 3 : 0, optional ? -1 : undefined), rest, optional, column };
}

function nameProblem(name: ParamName, noun: string): TagProblem | undefined {
  if (IDENTIFIER.test(name.bare)) return undefined;
  return new TagProblem(
    "LG100",
    name.column,
    `'${name.token}' is not a valid ${noun} name`,
    "use letters, digits and _, not starting with a digit",
  );
}

/** After a name or type: whitespace, then the description (a leading `# ` is LuaLS style). */
function readDescription(cursor: Cursor): string | TagProblem {
  if (!cursor.done && !cursor.skipSpace()) {
    const hint =
      cursor.peek() === "?"
        ? "a value that may be nil is T|nil; an optional argument is ---@arg name? type"
        : undefined;
    return cursor.problem("LG100", `unexpected '${cursor.peek()}' after the type`, hint);
  }
  return cursor
    .rest()
    .trim()
    .replace(/^#(\s+|$)/, "");
}

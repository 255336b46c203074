import type {
  Chunk,
  Expression,
  FunctionDeclaration,
  Node,
  ReturnStatement,
  Statement,
  StringLiteral,
  TableConstructorExpression,
} from "luaparse";
import type { ReturnType } from "../model.js";
import {
  falsyPart,
  luaText,
  membersOf,
  narrowed,
  NIL,
  NUMBER,
  WHOLE,
  replyText,
  replyToLua,
  sameType,
  STRING,
  truthyPart,
  unionOf,
  UNKNOWN,
  forgetNumbers,
  widen,
  type LuaType,
} from "./lua-types.js";
import { API_GLOBALS, describeCall, stringLiteralText } from "./calls.js";
import { narrowReads, type Exclusion, type Narrowing } from "./narrowing.js";
import { selectReply, type CallWords } from "./reply-variants.js";
import { walk } from "./parse.js";
import { resolveScopes, type AnyCall, type Assigned, type Binding, type Resolution } from "./scopes.js";

/** A Redis command's reply shape (RESP2, before Lua's conversion), or undefined when not known. */
export type ReplyLookup = (command: string) => ReturnType | undefined;

/** A type and, in words, where it came from: "GET replies string|nil". */
export interface Inferred {
  type: LuaType;
  why: string;
  /**
   * When a command's arguments leave its reply shape open (`ZRANK key m ARGV[1]`, which is
   * WITHSCORE or not): each shape and the arguments that give it. `type` is their union.
   */
  variants?: readonly { type: LuaType; when: string }[];
}

export interface ReturnSite {
  node: ReturnStatement;
  /** The first returned value (Redis replies with the first; `return` alone is nil). */
  value: Inferred;
  /** The returned expression, when it is a table constructor or a literal: for conversion checks. */
  expression?: Expression;
}

export interface ReturnsInference {
  /** Every `return` of the script itself (not of functions it defines), in source order. */
  sites: ReturnSite[];
  /** The script may reach its end without a return: it then replies nil. */
  fallsThrough: boolean;
}

export interface InferenceContext {
  lookup: ReplyLookup;
  /** KEYS[1..keys] and ARGV[1..args] are certainly strings (declared, required, not rest). */
  keys: number;
  args: number;
  /** How a line of the parsed source is named in explanations (`line 4`, `includes/x.lua:4`). */
  line: (line: number) => string;
}

/** Infers what each of the script's own `return`s gives, from the parse tree alone. */
export function inferReturns(chunk: Chunk, context: InferenceContext): ReturnsInference {
  if (switchesProtocol(chunk)) {
    // Under RESP3 commands reply in other shapes (maps, doubles, booleans) and the script's own
    // reply converts differently too; the rules here are RESP2's, so nothing is claimed.
    const value = unknown("the script calls redis.setresp: luagen knows RESP2's reply shapes only");
    const sites = ownReturns(chunk.body).map((node): ReturnSite => ({ node, value }));
    return { sites, fallsThrough: !alwaysReturns(chunk.body) };
  }
  const refs = resolveScopes(chunk);
  const inferer = new Inferer(refs, narrowReads(chunk, refs), context);
  const sites = ownReturns(chunk.body).map((node): ReturnSite => {
    const first = node.arguments[0];
    const value = first === undefined ? { type: NIL, why: "a return with no value" } : inferer.first(first);
    return first === undefined ? { node, value } : { node, value, expression: first };
  });
  return { sites, fallsThrough: !alwaysReturns(chunk.body) };
}

/** Whether the script may leave RESP2: any use of `redis.setresp` other than `redis.setresp(2)`. */
function switchesProtocol(chunk: Chunk): boolean {
  let switches = false;
  walk(chunk, (node) => {
    if (switches) return false;
    if (node.type === "CallExpression" && isSetResp(node.base)) {
      const [only, ...rest] = node.arguments;
      switches = !(only?.type === "NumericLiteral" && only.value === 2 && rest.length === 0);
      return false;
    }
    if (isSetResp(node)) switches = true;
    return true;
  });
  return switches;
}

function isSetResp(node: Node): boolean {
  return (
    node.type === "MemberExpression" &&
    node.base.type === "Identifier" &&
    API_GLOBALS.has(node.base.name) &&
    node.identifier.name === "setresp"
  );
}

/** The `return`s of a body, through blocks and loops, but not inside the functions it defines. */
export function ownReturns(body: readonly Statement[]): ReturnStatement[] {
  return body.flatMap((s): ReturnStatement[] => {
    switch (s.type) {
      case "ReturnStatement":
        return [s];
      case "IfStatement":
        return s.clauses.flatMap((c) => ownReturns(c.body));
      case "WhileStatement":
      case "RepeatStatement":
      case "DoStatement":
      case "ForNumericStatement":
      case "ForGenericStatement":
        return ownReturns(s.body);
      default:
        return [];
    }
  });
}

/**
 * True when control cannot reach the end of `body`: a `return`, an `error(...)`, an `if` whose
 * every branch (with an `else`) cannot, or a `while true` with no `break`. Anything else may end.
 */
export function alwaysReturns(body: readonly Statement[]): boolean {
  return body.some((s) => {
    switch (s.type) {
      case "ReturnStatement":
        return true;
      case "CallStatement":
        return isGlobalCall(s.expression, "error");
      case "IfStatement":
        return s.clauses.some((c) => c.type === "ElseClause") && s.clauses.every((c) => alwaysReturns(c.body));
      case "DoStatement":
        return alwaysReturns(s.body);
      case "WhileStatement":
        return s.condition.type === "BooleanLiteral" && s.condition.value && !breaks(s.body);
      default:
        return false;
    }
  });
}

function breaks(body: readonly Statement[]): boolean {
  return body.some((s) => {
    if (s.type === "BreakStatement") return true;
    if (s.type === "IfStatement") return s.clauses.some((c) => breaks(c.body));
    if (s.type === "DoStatement") return breaks(s.body);
    return false;
  });
}

function isGlobalCall(call: AnyCall, name: string): boolean {
  return (
    call.base.type === "Identifier" && call.base.name === name && (call.base as { isLocal?: boolean }).isLocal === false
  );
}

/** Globals luagen knows the value of; any other global is unknown. */
const GLOBAL_TABLES = new Set([...API_GLOBALS, "cjson", "cmsgpack", "string", "math", "table", "bit", "struct"]);
const GLOBAL_FUNCTIONS = new Set([
  "tonumber",
  "tostring",
  "type",
  "error",
  "unpack",
  "select",
  "pcall",
  "ipairs",
  "pairs",
  "next",
  "assert",
]);

/** A number that may be a fraction: what `/`, `math.sqrt`, `math.random()` give. */
const FRACTIONAL: LuaType = { kind: "number", integral: false };

/** What calling a built-in gives (its first value). Built-ins not here give unknown. */
const BUILTIN_RESULTS: Record<string, Inferred> = {
  tonumber: { type: unionOf([NUMBER, NIL]), why: "tonumber gives number|nil" },
  tostring: { type: STRING, why: "tostring gives a string" },
  type: { type: STRING, why: "type gives a string" },
  error: { type: { kind: "error" }, why: "error raises" },
  "cjson.encode": { type: STRING, why: "cjson.encode gives a string" },
  "cmsgpack.pack": { type: STRING, why: "cmsgpack.pack gives a string" },
  "redis.sha1hex": { type: STRING, why: "redis.sha1hex gives a string" },
  "redis.status_reply": { type: { kind: "status" }, why: "redis.status_reply gives a status" },
  "redis.error_reply": { type: { kind: "error" }, why: "redis.error_reply gives an error" },
  "table.concat": { type: STRING, why: "table.concat gives a string" },
  "table.getn": { type: WHOLE, why: "table.getn gives a whole number" },
  ...Object.fromEntries(
    ["format", "sub", "upper", "lower", "rep", "reverse", "char", "gsub"].map((f) => [
      `string.${f}`,
      { type: STRING, why: `string.${f} gives a string` },
    ]),
  ),
  "string.len": { type: WHOLE, why: "string.len gives a whole number" },
  ...Object.fromEntries(
    ["floor", "ceil"].map((f) => [`math.${f}`, { type: WHOLE, why: `math.${f} gives a whole number` }]),
  ),
  ...Object.fromEntries(
    ["abs", "max", "min", "fmod", "modf"].map((f) => [`math.${f}`, { type: NUMBER, why: `math.${f} gives a number` }]),
  ),
  // These make fractions of whole numbers; math.random() does, math.random(m, n) does not (call()).
  ...Object.fromEntries(
    ["sqrt", "pow", "exp", "log", "random"].map((f) => [
      `math.${f}`,
      { type: FRACTIONAL, why: `math.${f} gives a number that may be a fraction` },
    ]),
  ),
};

/** Built-ins that give exactly one value (string.gsub and math.modf give two). */
const SINGLE_VALUED = new Set([
  "redis.call",
  "redis.pcall",
  ...Object.keys(BUILTIN_RESULTS).filter((name) => name !== "string.gsub" && name !== "math.modf" && name !== "error"),
]);

/** Built-ins that never change a table passed to them: passing a table to one keeps its type. */
const READ_ONLY = new Set([
  "ipairs",
  "pairs",
  "next",
  "unpack",
  "select",
  "type",
  "tostring",
  "tonumber",
  "redis.call",
  "redis.pcall",
  "redis.log",
  "cjson.encode",
  "cmsgpack.pack",
  "table.concat",
  "table.getn",
]);

class Inferer {
  private bindings = new Map<Binding, Inferred>();
  private functions = new Map<FunctionDeclaration, Inferred>();
  private pending = new Set<object>();

  constructor(
    private readonly refs: Resolution,
    private readonly narrowing: Narrowing,
    private readonly context: InferenceContext,
  ) {}

  /** The first value an expression gives. */
  first(e: Expression): Inferred {
    switch (e.type) {
      case "NumericLiteral":
        return { type: literal(e.value), why: `the number ${e.raw}` };
      case "StringLiteral":
        return { type: STRING, why: "a string literal" };
      case "BooleanLiteral":
        return { type: { kind: "boolean", value: e.value }, why: `the literal ${e.value}` };
      case "NilLiteral":
        return { type: NIL, why: "the literal nil" };
      case "VarargLiteral":
        return unknown("the script's ... is not tracked");
      case "FunctionDeclaration":
        return { type: { kind: "function", node: e }, why: "a function" };
      case "Identifier":
        return this.identifier(e);
      case "TableConstructorExpression":
        return this.table(e);
      case "UnaryExpression":
        return this.unary(e);
      case "BinaryExpression":
        return this.binary(e);
      case "LogicalExpression":
        return this.logical(e);
      case "MemberExpression":
        return this.member(e);
      case "IndexExpression":
        return this.index(e);
      case "CallExpression":
      case "StringCallExpression":
      case "TableCallExpression":
        return this.call(e);
    }
  }

  private identifier(e: Expression & { type: "Identifier" }): Inferred {
    const binding = this.refs.get(e);
    if (binding === undefined) {
      if (GLOBAL_FUNCTIONS.has(e.name)) return { type: { kind: "function", builtin: e.name }, why: e.name };
      return unknown(`${e.name} is a global luagen does not track`);
    }
    const value = this.binding(binding);
    const why = `${binding.name} (${this.context.line(binding.line)}): ${value.why}`;
    const excluded = this.narrowing.get(e);
    if (excluded === undefined) return { ...value, why };
    const type = narrowed(value.type, excluded);
    if (type === undefined) return unknown(`${why}, which the tests before this point rule out`);
    const variants = value.variants?.flatMap((v) => {
      const left = narrowed(v.type, excluded);
      return left === undefined ? [] : [{ type: left, when: v.when }];
    });
    const kept = variants !== undefined && variants.length > 1 ? { variants } : {};
    // Said only where the tests removed something: the reader sees why nil went missing.
    if (sameMembers(type, value.type)) return { type, why, ...kept };
    return { type, why: `${why}, here ${exclusionText(excluded)} by the tests before it`, ...kept };
  }

  /** A local's type: its value, kept when every reassignment gives the same type; else unknown. */
  private binding(binding: Binding): Inferred {
    const memo = this.bindings.get(binding);
    if (memo) return memo;
    if (this.pending.has(binding)) return unknown(`${binding.name} depends on itself`);
    this.pending.add(binding);
    const inferred = this.escaped(binding, this.bindingValue(binding));
    this.pending.delete(binding);
    this.bindings.set(binding, inferred);
    return inferred;
  }

  private bindingValue(binding: Binding): Inferred {
    if (binding.kind === "parameter") return unknown("a function parameter");
    if (binding.kind === "generic-for") return unknown("a loop variable");
    const initial: Inferred =
      binding.kind === "numeric-for"
        ? { type: NUMBER, why: "a numeric for loop's counter" }
        : binding.fn
          ? { type: { kind: "function", node: binding.fn }, why: "a local function" }
          : binding.declared
            ? this.assigned(binding.declared)
            : { type: NIL, why: "declared with no value" };
    if (binding.reassigned.length === 0) return initial;
    if (!binding.declared && binding.kind === "local") return unknown("declared with no value and assigned later");
    const later = binding.reassigned.map((a) =>
      "values" in a ? this.assigned(a) : { type: { kind: "function", node: a } as LuaType, why: "" },
    );
    if (!later.every((l) => sameType(l.type, initial.type)))
      return unknown(`reassigned with a different type (${luaText(widen(initial.type))} first)`);
    // The values it may hold: what every assignment gives, numbers' literal values forgotten (`n + 1`
    // changes them); a boolean's are kept, as true replies 1 and false nil.
    const type = forgetNumbers(unionOf([initial.type, ...later.map((l) => l.type)]));
    return { type, why: `${initial.why}; every reassignment keeps ${luaText(type)}` };
  }

  /** A table that may be changed after it was built (mutated, aliased, passed on) has unknown contents. */
  private escaped(binding: Binding, value: Inferred): Inferred {
    const tables = (t: LuaType) => ["array", "tuple", "status", "table"].includes(t.kind);
    const members = value.type.kind === "union" ? value.type.members : [value.type];
    if (!members.some(tables)) return value;
    const changed = binding.escapes || binding.passedTo.some((call) => !READ_ONLY.has(this.builtinName(call) ?? ""));
    if (!changed) return value;
    return {
      type: unionOf(members.map((t) => (tables(t) ? { kind: "table" } : t))),
      why: `${value.why}, then changed or passed on (contents not tracked)`,
    };
  }

  private builtinName(call: AnyCall): string | undefined {
    const callee = this.first(call.base).type;
    return callee.kind === "function" ? callee.builtin : undefined;
  }

  /** Position `index` of a value list: the last expression may give several values. */
  private assigned({ values, index }: Assigned): Inferred {
    const last = values.length - 1;
    if (index < last) return this.first(values[index]);
    if (index === last) return this.first(values[last]);
    return last >= 0 && this.expands(values[last])
      ? unknown("a later value of a call")
      : { type: NIL, why: "no value given" };
  }

  /** A call or `...` last in a list may give any number of values; a built-in that gives one does not. */
  private expands(e: Expression): boolean {
    if (e.type === "VarargLiteral") return true;
    if (e.type !== "CallExpression" && e.type !== "StringCallExpression" && e.type !== "TableCallExpression")
      return false;
    const builtin = this.builtinName(e);
    return builtin === undefined || !SINGLE_VALUED.has(builtin);
  }

  private table(e: TableConstructorExpression): Inferred {
    const keyed = e.fields
      .filter((f) => f.type === "TableKeyString")
      .map((f) => (f.type === "TableKeyString" ? f.key.name : ""));
    if (keyed.includes("err")) return { type: { kind: "error" }, why: "an {err=...} table (an error)" };
    if (keyed.includes("ok")) return { type: { kind: "status" }, why: "an {ok=...} table (a status)" };
    if (e.fields.some((f) => f.type === "TableKey"))
      return { type: { kind: "table" }, why: "a table with computed keys" };
    const values = e.fields.flatMap((f) => (f.type === "TableValue" ? [f.value] : []));
    if (values.length > 0 && this.expands(values.at(-1)!))
      return { type: { kind: "table" }, why: "a table ending in a call or ..., which may add any number of values" };
    const elements = values.map((v) => this.first(v));
    const why =
      elements.length === 0
        ? "an empty table"
        : `a table of ${elements.length}: ${elements.map((x) => x.why).join(", ")}`;
    return { type: { kind: "tuple", elements: elements.map((x) => x.type) }, why };
  }

  private unary(e: Expression & { type: "UnaryExpression" }): Inferred {
    if (e.operator === "not") return { type: { kind: "boolean" }, why: "not gives a boolean" };
    if (e.operator === "#") return { type: WHOLE, why: "# gives a whole number" };
    const operand = numberOf(this.first(e.argument).type);
    if (operand.value !== undefined) return { type: literal(-operand.value), why: `the number ${-operand.value}` };
    return { type: arithmetic(operand.integral), why: "arithmetic gives a number" };
  }

  private binary(e: Expression & { type: "BinaryExpression" }): Inferred {
    if (e.operator === "..") return { type: STRING, why: ".. gives a string" };
    if (["==", "~=", "<", "<=", ">", ">="].includes(e.operator))
      return { type: { kind: "boolean" }, why: "a comparison gives a boolean" };
    const left = numberOf(this.first(e.left).type);
    const right = numberOf(this.first(e.right).type);
    const value = fold(e.operator, left.value, right.value);
    if (value !== undefined)
      return { type: literal(value), why: `the number ${value} (${e.operator} of two known numbers)` };
    if (e.operator === "/") return { type: FRACTIONAL, why: "/ gives a number that may be a fraction" };
    // A whole number to a whole, non-negative power is whole; any other power may be a fraction.
    if (e.operator === "^") {
      const whole =
        left.integral === true && right.value !== undefined && Number.isInteger(right.value) && right.value >= 0;
      return whole
        ? { type: WHOLE, why: "^ of whole numbers gives a whole number" }
        : { type: FRACTIONAL, why: "^ gives a number that may be a fraction" };
    }
    const integral =
      left.integral === true && right.integral === true
        ? true
        : left.integral === false || right.integral === false
          ? false
          : undefined;
    return {
      type: arithmetic(integral),
      why: integral ? "arithmetic on whole numbers gives a whole number" : "arithmetic gives a number",
    };
  }

  /** `a or b`: a's truthy values or b; `a and b`: a's falsy values or b. */
  private logical(e: Expression & { type: "LogicalExpression" }): Inferred {
    const left = this.first(e.left);
    const kept = e.operator === "or" ? truthyPart(left.type) : falsyPart(left.type);
    if (kept === undefined) return unknown(`${e.operator}'s left side is unknown (${left.why})`);
    if (kept.length === membersOf(left.type).length && e.operator === "or") return left;
    const right = this.first(e.right);
    return { type: unionOf([...kept, right.type]), why: `${left.why} ${e.operator} ${right.why}` };
  }

  private member(e: Expression & { type: "MemberExpression" }): Inferred {
    const base = e.base;
    if (base.type === "Identifier" && !this.refs.has(base) && GLOBAL_TABLES.has(base.name)) {
      // Valkey's `server` is the `redis` object: `server.call` is the built-in redis.call.
      const table = API_GLOBALS.has(base.name) ? "redis" : base.name;
      const builtin = `${table}.${e.identifier.name}`;
      return { type: { kind: "function", builtin }, why: `${base.name}.${e.identifier.name}` };
    }
    return unknown("a table field");
  }

  /** `KEYS[n]` / `ARGV[n]`: a string when n is a declared, required, non-rest position. */
  private index(e: Expression & { type: "IndexExpression" }): Inferred {
    const base = e.base;
    if (base.type === "Identifier" && !this.refs.has(base) && (base.name === "KEYS" || base.name === "ARGV")) {
      const n = e.index.type === "NumericLiteral" ? e.index.value : NaN;
      const declared = base.name === "KEYS" ? this.context.keys : this.context.args;
      if (Number.isInteger(n) && n >= 1 && n <= declared)
        return { type: STRING, why: `${base.name}[${n}] is a string` };
      return unknown(`${base.name}[...] may be absent`);
    }
    return unknown("a table element");
  }

  private call(e: AnyCall): Inferred {
    const callee = this.first(e.base);
    if (callee.type.kind !== "function") return unknown(`a call luagen cannot follow (${callee.why})`);
    const { builtin, node } = callee.type;
    if (builtin === "redis.call" || builtin === "redis.pcall") return this.command(e, builtin);
    if (builtin === "math.random" && e.type === "CallExpression" && e.arguments.length > 0)
      return { type: WHOLE, why: "math.random(m, n) gives a whole number" };
    if (builtin !== undefined) return BUILTIN_RESULTS[builtin] ?? unknown(`${builtin}'s result is not tracked`);
    return this.functionResult(node as FunctionDeclaration);
  }

  /**
   * `redis.call('GET', ...)`: the command's reply as Lua sees it, the shape its arguments select
   * where they decide it (`LPOP key 2`); pcall may also give an {err=} table.
   */
  private command(e: AnyCall, via: "redis.call" | "redis.pcall"): Inferred {
    const call = describeCall(e, via);
    const name = call.name;
    if (name === undefined) return unknown(`${via} with a command name that is not a literal`);
    const { shown, reply } = this.reply(name, call.args[0]);
    if (reply === undefined) return unknown(`${shown}'s reply is not in the command table`);
    const toLua = (r: ReturnType) =>
      via === "redis.pcall" ? unionOf([replyToLua(r), { kind: "error" }]) : replyToLua(r);
    const selected = selectReply(shown, reply, callWords(call.args, call.exact));
    if (selected === undefined) return { type: toLua(reply), why: `${shown} replies ${replyText(reply)}` };
    if (selected.variants === undefined)
      return { type: toLua(selected.reply), why: `${shown} ${selected.when} replies ${replyText(selected.reply)}` };
    const variants = selected.variants.map((v) => ({ type: toLua(v.reply), when: `${shown} ${v.when}` }));
    const each = selected.variants.map((v) => `${replyText(v.reply)} ${v.when}`).join(", ");
    return { type: toLua(selected.reply), why: `${shown} replies ${each}`, variants };
  }

  /** A command's reply; a container (OBJECT, CLIENT) has none of its own, its subcommand (OBJECT|FREQ) may. */
  private reply(name: string, second: Expression | undefined): { shown: string; reply: ReturnType | undefined } {
    const own = this.context.lookup(name);
    const sub = second?.type === "StringLiteral" ? stringLiteralText(second) : undefined;
    if (own !== undefined || sub === undefined) return { shown: name.toUpperCase(), reply: own };
    return { shown: `${name} ${sub}`.toUpperCase(), reply: this.context.lookup(`${name}|${sub}`) };
  }

  /** A local function's first return value: the union of its returns (nil if it can end without one). */
  private functionResult(fn: FunctionDeclaration): Inferred {
    const memo = this.functions.get(fn);
    if (memo) return memo;
    if (this.pending.has(fn)) return unknown("a recursive function");
    this.pending.add(fn);
    const returns = ownReturns(fn.body).map((r) =>
      r.arguments[0] ? this.first(r.arguments[0]) : { type: NIL, why: "return" },
    );
    if (!alwaysReturns(fn.body)) returns.push({ type: NIL, why: "it can end without a return" });
    const name = fn.identifier?.type === "Identifier" ? fn.identifier.name : "a function";
    const type = unionOf(returns.map((r) => r.type));
    const result = { type, why: `${name} returns ${luaText(widen(type))}` };
    this.pending.delete(fn);
    this.functions.set(fn, result);
    return result;
  }
}

/** The words after the name as the reply rules read them: literal text, upper case; a number's digits. */
function callWords(args: readonly Expression[], exact: boolean): CallWords {
  const words = args.map((arg) => {
    if (arg.type === "NumericLiteral") return arg.raw;
    return arg.type === "StringLiteral" ? stringLiteralText(arg)?.toUpperCase() : undefined;
  });
  return { words, exact };
}

function sameMembers(a: LuaType, b: LuaType): boolean {
  return luaText(a) === luaText(b);
}

/** A known number, whole or not. */
function literal(value: number): LuaType {
  return { kind: "number", value, integral: Number.isInteger(value) };
}

/** The result of + - * % (or unary -), whole when the operands are, when known. */
function arithmetic(integral: boolean | undefined): LuaType {
  return integral === undefined ? NUMBER : { kind: "number", integral };
}

/** What an operand says as a number: a string operand is coerced, so nothing is known of it. */
function numberOf(type: LuaType): { value?: number; integral?: boolean } {
  return type.kind === "number" ? type : {};
}

/** `a op b` when both are known and the result is finite (else undefined: not folded). */
function fold(operator: string, a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  const ops: Record<string, (x: number, y: number) => number> = {
    "+": (x, y) => x + y,
    "-": (x, y) => x - y,
    "*": (x, y) => x * y,
    "/": (x, y) => x / y,
    // Lua's a % b is a - floor(a / b) * b: the sign of b.
    "%": (x, y) => x - Math.floor(x / y) * y,
    "^": (x, y) => x ** y,
  };
  const value = ops[operator]?.(a, b);
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** `not nil or false`, `nil or false`, `not nil`. */
function exclusionText(excluded: Exclusion): string {
  if (excluded.has("truthy")) {
    const left = (["nil", "false"] as const).filter((c) => !excluded.has(c));
    return left.length === 0 ? "nothing" : left.join(" or ");
  }
  return `not ${[...excluded].sort((a, b) => (a === "nil" ? -1 : b === "nil" ? 1 : 0)).join(" or ")}`;
}

function unknown(why: string): Inferred {
  return { type: UNKNOWN, why };
}

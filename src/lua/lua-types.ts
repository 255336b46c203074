import type { ReturnType } from "../model.js";
import type { Exclusion } from "./narrowing.js";

/**
 * What a Lua expression evaluates to, as far as luagen can tell: the Lua side of Redis's
 * conversions. `unknown` means "cannot tell", never "anything goes".
 */
export type LuaType =
  /**
   * `value` when the number is known (to spot `return 3.7`, which Redis truncates). `integral`:
   * true when it is certainly a whole number (`#t`, an integer reply, `n + 1` of such), false when
   * it comes from an operation that makes fractions (`x / 2`, `math.sqrt`); absent when not known.
   */
  | { kind: "number"; value?: number; integral?: boolean }
  | { kind: "string" }
  /** `value` when known. */
  | { kind: "boolean"; value?: boolean }
  | { kind: "nil" }
  | { kind: "array"; element: LuaType }
  | { kind: "tuple"; elements: LuaType[] }
  /** `{ok=...}` / `redis.status_reply`: replies a status. */
  | { kind: "status" }
  /** `{err=...}` / `redis.error_reply`: the call rejects; not a reply value. */
  | { kind: "error" }
  /** A table whose contents luagen cannot tell (built field by field, mutated, from a call). */
  | { kind: "table" }
  /** A function value: a Lua or Redis built-in by its dotted name, or a local function. */
  | { kind: "function"; builtin?: string; node?: object }
  | { kind: "union"; members: LuaType[] }
  | { kind: "unknown" };

export const UNKNOWN: LuaType = { kind: "unknown" };
export const NUMBER: LuaType = { kind: "number" };
/** A number certainly whole: a command's integer reply, `#t`, `math.floor(x)`. */
export const WHOLE: LuaType = { kind: "number", integral: true };
export const STRING: LuaType = { kind: "string" };
export const NIL: LuaType = { kind: "nil" };
export const BOOLEAN: LuaType = { kind: "boolean" };

/** The members of a type: itself, unless it is a union. */
export function membersOf(type: LuaType): LuaType[] {
  return type.kind === "union" ? type.members : [type];
}

/** A union of `types`, flattened and without duplicates; `unknown` absorbs everything. */
export function unionOf(types: readonly LuaType[]): LuaType {
  const members: LuaType[] = [];
  const seen = new Set<string>();
  for (const member of types.flatMap(membersOf)) {
    if (member.kind === "unknown") return UNKNOWN;
    const key = keyOf(member);
    if (!seen.has(key)) members.push(member);
    seen.add(key);
  }
  return members.length === 1 ? members[0] : { kind: "union", members };
}

/** A structural identity; functions by their built-in name or node. */
function keyOf(type: LuaType): string {
  if (type.kind === "function") return `function:${type.builtin ?? nodeId(type.node)}`;
  return JSON.stringify(type);
}

const nodeIds = new WeakMap<object, number>();
let lastNodeId = 0;
function nodeId(node: object | undefined): number {
  if (node === undefined) return -1;
  if (!nodeIds.has(node)) nodeIds.set(node, ++lastNodeId);
  return nodeIds.get(node)!;
}

/** The same type with literal values forgotten: what "a reassignment keeps the type" compares. */
export function widen(type: LuaType): LuaType {
  switch (type.kind) {
    case "number":
      return NUMBER;
    case "boolean":
      return BOOLEAN;
    case "nil":
      return NIL;
    case "array":
      return { kind: "array", element: widen(type.element) };
    case "tuple":
      return { kind: "tuple", elements: type.elements.map(widen) };
    case "union":
      return unionOf(type.members.map(widen));
    default:
      return type;
  }
}

/** The same type with number literals forgotten (whether they are whole kept); boolean literals kept. */
export function forgetNumbers(type: LuaType): LuaType {
  switch (type.kind) {
    case "number":
      return type.integral === undefined ? NUMBER : { kind: "number", integral: type.integral };
    case "array":
      return { kind: "array", element: forgetNumbers(type.element) };
    case "tuple":
      return { kind: "tuple", elements: type.elements.map(forgetNumbers) };
    case "union": {
      // One number: whole only when every one is, possibly fractional when any is.
      const numbers = type.members.filter((t) => t.kind === "number");
      const whole = numbers.every((t) => t.integral === true);
      const fraction = numbers.some((t) => t.integral === false);
      const number: LuaType[] =
        numbers.length === 0 ? [] : [whole ? WHOLE : fraction ? { kind: "number", integral: false } : NUMBER];
      return unionOf([...number, ...type.members.filter((t) => t.kind !== "number").map(forgetNumbers)]);
    }
    default:
      return type;
  }
}

export function sameType(a: LuaType, b: LuaType): boolean {
  const keys = (t: LuaType) => membersOf(widen(t)).map(keyOf).sort().join("|");
  return keys(a) === keys(b);
}

const isFalsy = (t: LuaType) => t.kind === "nil" || (t.kind === "boolean" && t.value === false);

/** What `x or ...` keeps of x; undefined when x may be anything. */
export function truthyPart(type: LuaType): LuaType[] | undefined {
  if (type.kind === "unknown") return undefined;
  return membersOf(type)
    .filter((t) => !isFalsy(t))
    .map((t) => (t.kind === "boolean" ? { kind: "boolean", value: true } : t));
}

/** What `x and ...` keeps of x; undefined when x may be anything. */
export function falsyPart(type: LuaType): LuaType[] | undefined {
  if (type.kind === "unknown") return undefined;
  return membersOf(type)
    .filter((t) => isFalsy(t) || (t.kind === "boolean" && t.value === undefined))
    .map((t): LuaType => (t.kind === "boolean" ? { kind: "boolean", value: false } : t));
}

/**
 * The type as a read sees it where tests rule out some values (narrowing.ts): undefined when the
 * tests leave nothing (the read cannot happen: nothing is known of it). `unknown` stays unknown.
 */
export function narrowed(type: LuaType, excluded: Exclusion): LuaType | undefined {
  if (type.kind === "unknown") return type;
  const kept = membersOf(type).flatMap((t): LuaType[] => {
    if (t.kind === "nil") return excluded.has("nil") ? [] : [t];
    if (t.kind === "boolean") {
      const values = t.value === undefined ? [true, false] : [t.value];
      const left = values.filter((v) => !excluded.has(v ? "truthy" : "false"));
      if (left.length === values.length) return [t];
      return left.map((value) => ({ kind: "boolean", value }));
    }
    return excluded.has("truthy") ? [] : [t];
  });
  return kept.length === 0 ? undefined : unionOf(kept);
}

/**
 * A command's reply (RESP2) as a Lua script sees it: integer → number, bulk → string,
 * nil bulk or nil array → false, array → table, status → `{ok=...}`.
 */
export function replyToLua(reply: ReturnType): LuaType {
  switch (reply.kind) {
    case "integer":
      return WHOLE;
    case "number":
      return NUMBER;
    case "string":
      return STRING;
    case "nil":
      return { kind: "boolean", value: false };
    case "status":
      return { kind: "status" };
    case "unknown":
      return UNKNOWN;
    case "array":
      return { kind: "array", element: replyToLua(reply.element) };
    case "tuple":
      return { kind: "tuple", elements: reply.elements.map(replyToLua) };
    case "union":
      return unionOf(reply.members.map(replyToLua));
  }
}

/**
 * A Lua value as the script's reply: number → integer (truncated), string → bulk, true → 1,
 * false and nil → nil, an array table → array cut at its first nil, `{ok=}` → status. An
 * error (`{err=}`) is not a reply: undefined when every member is one.
 */
export function luaToReply(type: LuaType): ReturnType | undefined {
  const replies = membersOf(type).flatMap((member) => memberReply(member));
  if (replies.length === 0) return undefined;
  return replyUnion(replies);
}

function memberReply(type: LuaType): ReturnType[] {
  switch (type.kind) {
    case "number":
      return [{ kind: "integer" }];
    case "string":
      return [{ kind: "string" }];
    case "boolean":
      if (type.value === undefined) return [{ kind: "integer" }, { kind: "nil" }];
      return [{ kind: type.value ? "integer" : "nil" }];
    case "nil":
      return [{ kind: "nil" }];
    case "status":
      return [{ kind: "status" }];
    case "error":
      return [];
    case "array":
      return [{ kind: "array", element: elementReply(withoutNil(type.element)) }];
    case "tuple":
      return tupleReplies(type.elements);
    default:
      return [{ kind: "unknown" }];
  }
}

/** An element of a table: a Lua nil there ends the array, so only non-nil members count. */
function withoutNil(type: LuaType): LuaType {
  const kept = membersOf(type).filter((t) => t.kind !== "nil");
  return kept.length === 0 ? UNKNOWN : unionOf(kept);
}

function elementReply(type: LuaType): ReturnType {
  return luaToReply(type) ?? { kind: "unknown" };
}

/**
 * A table constructor's reply: cut at the first element that is certainly nil; an element that
 * may be nil gives one tuple cut there and one that goes on (at most a few, else unknown).
 */
function tupleReplies(elements: readonly LuaType[]): ReturnType[] {
  const variants: ReturnType[] = [];
  const kept: ReturnType[] = [];
  for (const element of elements) {
    const members = membersOf(element);
    const nil = members.filter((t) => t.kind === "nil").length;
    if (nil > 0) variants.push({ kind: "tuple", elements: [...kept] });
    if (nil === members.length) return variants;
    kept.push(elementReply(withoutNil(element)));
  }
  variants.push({ kind: "tuple", elements: kept });
  return variants.length > 4 ? [{ kind: "unknown" }] : variants;
}

/** A union of reply types, flattened, without duplicates; `unknown` absorbs everything. */
export function replyUnion(types: readonly ReturnType[]): ReturnType {
  const members: ReturnType[] = [];
  const seen = new Set<string>();
  for (const member of types.flatMap((t) => (t.kind === "union" ? t.members : [t]))) {
    if (member.kind === "unknown") return member;
    const key = JSON.stringify(member);
    if (!seen.has(key)) members.push(member);
    seen.add(key);
  }
  return members.length === 1 ? members[0] : { kind: "union", members };
}

/** True when the type says something: no `unknown` anywhere in it. */
export function isKnown(type: ReturnType): boolean {
  return !contains(type, "unknown");
}

/** Whether `kind` occurs anywhere in `type`: itself, an element, a member. */
export function contains(type: ReturnType, kind: ReturnType["kind"]): boolean {
  switch (type.kind) {
    case kind:
      return true;
    case "array":
      return contains(type.element, kind);
    case "tuple":
      return type.elements.some((element) => contains(element, kind));
    case "union":
      return type.members.some((member) => contains(member, kind));
    default:
      return false;
  }
}

/** A reply type as `---@return` spells it: `string|nil`, `(string|nil)[]`, `[integer, string]`. */
export function replyText(type: ReturnType): string {
  switch (type.kind) {
    case "array":
      return type.element.kind === "union" ? `(${replyText(type.element)})[]` : `${replyText(type.element)}[]`;
    case "tuple":
      return `[${type.elements.map(replyText).join(", ")}]`;
    case "union":
      return type.members.map(replyText).join("|");
    default:
      return type.kind;
  }
}

/** A Lua type for explanations: `number|nil`, `false`, `{ok=...}`, `table`. */
export function luaText(type: LuaType): string {
  switch (type.kind) {
    case "boolean":
      return type.value === undefined ? "boolean" : String(type.value);
    case "array":
      return `${luaText(type.element)}[]`;
    case "tuple":
      return `{${type.elements.map(luaText).join(", ")}}`;
    case "status":
      return "{ok=...}";
    case "error":
      return "{err=...}";
    case "union":
      return type.members.map(luaText).join("|");
    default:
      return type.kind;
  }
}

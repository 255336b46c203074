import type { ArgKind, ArgType, ReturnType } from "../../model.js";
import { Cursor, TagProblem, WORD } from "./cursor.js";
import { didYouMean } from "./suggest.js";

const ARG_KINDS: readonly ArgKind[] = ["string", "number", "integer", "boolean", "json"];
type ReturnScalar = Exclude<ReturnType["kind"], "array" | "tuple" | "union">;
const RETURN_KINDS: readonly ReturnScalar[] = ["integer", "number", "string", "nil", "status", "unknown"];

/** arg := (literal | kind) ('|' (literal | kind))*; each kind and literal once. */
export function readArgType(cursor: Cursor): ArgType | TagProblem {
  const type: ArgType = { kinds: [], literals: [] };
  do {
    const column = cursor.column;
    const literal = cursor.read(/"[^"]*"|'[^']*'/y);
    const name = literal === undefined ? cursor.read(WORD) : undefined;
    if (literal !== undefined) addOnce(type.literals, literal.slice(1, -1));
    else if (name === undefined) {
      return cursor.problem(
        "LG100",
        /["']/.test(cursor.peek()) ? "unterminated string literal" : `expected a type, found ${cursor.found()}`,
      );
    } else if (oneOf(ARG_KINDS, name)) addOnce(type.kinds, name);
    else {
      const message = `unknown type '${name}': argument types are ${ARG_KINDS.join(", ")} and string literals such as "asc"`;
      return new TagProblem("LG102", column, message, typeHint(name, ARG_KINDS));
    }
  } while (readBar(cursor));
  return type;
}

/** union := postfix ('|' postfix)* */
export function readReturnType(cursor: Cursor): ReturnType | TagProblem {
  const members: ReturnType[] = [];
  do {
    const member = readPostfix(cursor);
    if (member instanceof TagProblem) return member;
    members.push(member);
  } while (readBar(cursor));
  if (members.length === 1) return members[0];
  return { kind: "union", members: members.flatMap((m) => (m.kind === "union" ? m.members : [m])) };
}

/** postfix := primary ('[]')* */
function readPostfix(cursor: Cursor): ReturnType | TagProblem {
  let type = readPrimary(cursor);
  while (!(type instanceof TagProblem) && cursor.read(/\[\]/y) !== undefined) type = { kind: "array", element: type };
  return type;
}

/** primary := '(' union ')' | '[' union (',' union)* ']' | name */
function readPrimary(cursor: Cursor): ReturnType | TagProblem {
  const column = cursor.column;
  if (cursor.read(/\(\s*/y) !== undefined) {
    const inner = readReturnType(cursor);
    if (inner instanceof TagProblem) return inner;
    return cursor.read(/\s*\)/y) === undefined
      ? cursor.problem("LG100", `expected ')', found ${cursor.found()}`)
      : inner;
  }
  if (cursor.read(/\[\s*/y) !== undefined) return readTuple(cursor);
  const name = cursor.read(WORD);
  if (name === undefined) return cursor.problem("LG100", `expected a return type, found ${cursor.found()}`);
  return returnKind(name, column);
}

/** After '[': union (',' union)* ']' */
function readTuple(cursor: Cursor): ReturnType | TagProblem {
  const elements: ReturnType[] = [];
  do {
    const element = readReturnType(cursor);
    if (element instanceof TagProblem) return element;
    elements.push(element);
  } while (cursor.read(/\s*,\s*/y) !== undefined);
  if (cursor.read(/\s*\]/y) === undefined)
    return cursor.problem("LG100", `expected ',' or ']', found ${cursor.found()}`);
  return { kind: "tuple", elements };
}

function returnKind(name: string, column: number): ReturnType | TagProblem {
  if (oneOf(RETURN_KINDS, name)) return { kind: name };
  if (name === "boolean") {
    return new TagProblem(
      "LG107",
      column,
      "a script cannot return 'boolean': Redis converts it",
      "Redis turns Lua true into 1 and false into nil: declare integer|nil (true arrives as 1, false as null), " +
        "or return 1 and 0 and declare integer",
    );
  }
  const message = `unknown return type '${name}': return types are ${RETURN_KINDS.join(", ")}, T[], [T, U] and T|U`;
  return new TagProblem("LG102", column, message, typeHint(name, RETURN_KINDS));
}

/** "did you mean integer?" for `int`, `String`, `intger`; short words get one edit, not two. */
function typeHint(name: string, known: readonly string[]): string | undefined {
  const near = didYouMean(name, known, Math.min(2, Math.floor(name.length / 3)));
  return near === undefined ? undefined : `did you mean ${near}?`;
}

/** Consumes a `|` and the whitespace around it; consumes nothing when there is no `|`. */
function readBar(cursor: Cursor): boolean {
  const start = cursor.pos;
  cursor.skipSpace();
  if (cursor.read(/\|\s*/y) !== undefined) return true;
  cursor.pos = start;
  return false;
}

function oneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function addOnce<T>(list: T[], item: T): void {
  if (!list.includes(item)) list.push(item);
}

import { stringLiteral } from "../text.js";

/** Generated lines stay within this many columns where the printer can break them. */
export const WIDTH = 100;

/** Code printed as given, one string a line; lines after the first get the current indentation. */
export class Code {
  constructor(readonly lines: readonly string[]) {}
}

/**
 * A data value (strings, numbers, booleans, null, arrays, plain objects; `undefined` properties
 * left out; `Code` as given) printed as a TypeScript literal, the way a careful engineer or
 * Prettier lays it out: on one line when it fits before column WIDTH, else one entry a line with
 * trailing commas. An array of objects always puts one object a line, so lists of parameters
 * read alike whatever their length.
 *
 * `indent` is the indentation of the line the value starts on, `column` where it starts, and
 * `after` how many characters follow it on its last line (`,`, `);`).
 */
export function printLiteral(value: unknown, indent = "", column = 0, after = 0): string {
  const breakable = typeof value === "object" && value !== null;
  // A breakable value is wanted flat only when it fits: given up on as soon as it cannot, rather
  // than printed whole at every level of nesting (a descriptor holds the script's whole source).
  const flat = !breakable ? flatText(value) : breaksAlways(value) ? undefined : flatText(value, WIDTH - column - after);
  if (flat !== undefined) return flat;
  if (value instanceof Code) return value.lines.join(`\n${indent}`);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((item) => `${inner}${printLiteral(item, inner, inner.length, 1)},`);
    return `[\n${items.join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as object)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => {
      const head = `${inner}${propertyName(key)}: `;
      return `${head}${printLiteral(v, inner, head.length, 1)},`;
    });
  return `{\n${entries.join("\n")}\n${indent}}`;
}

/**
 * The value on one line when that is at most `budget` characters; undefined when it is longer or
 * cannot be on one line (code of several lines).
 */
function flatText(value: unknown, budget = Infinity): string | undefined {
  if (value instanceof Code) return value.lines.length === 1 ? within(value.lines[0]!, budget) : undefined;
  if (typeof value === "string") {
    // Quotes and escapes only lengthen a string: one too long as it is needs no printing.
    return value.length + 2 > budget ? undefined : within(stringLiteral(value), budget);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return within(String(value), budget);
  if (Array.isArray(value)) return joined(value, "[", "]", budget, flatText);
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return within("{}", budget);
    return joined(entries, "{ ", " }", budget, ([key, v], left) => {
      const name = `${propertyName(key)}: `;
      const text = flatText(v, left - name.length);
      return text === undefined ? undefined : `${name}${text}`;
    });
  }
  throw new TypeError(`cannot print a ${typeof value} as a literal`);
}

function within(text: string, budget: number): string | undefined {
  return text.length <= budget ? text : undefined;
}

/** `open`, each item's flat text joined by ", ", `close`, within `budget`; undefined as soon as it cannot be. */
function joined<T>(
  items: readonly T[],
  open: string,
  close: string,
  budget: number,
  flat: (item: T, budget: number) => string | undefined,
): string | undefined {
  let left = budget - open.length - close.length;
  const parts: string[] = [];
  for (const item of items) {
    if (parts.length > 0) left -= 2;
    const text = flat(item, left);
    if (text === undefined) return undefined;
    parts.push(text);
    left -= text.length;
  }
  return left < 0 ? undefined : `${open}${parts.join(", ")}${close}`;
}

function breaksAlways(value: unknown): boolean {
  return (
    Array.isArray(value) && value.some((item) => typeof item === "object" && item !== null && !(item instanceof Code))
  );
}

function propertyName(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : stringLiteral(key);
}

/**
 * `open`, the items separated by commas, `close`: on one line when it fits before column WIDTH
 * (`pad` puts a space inside braces: `import { a, b }`), else one item a line, indented one
 * step past `indent`, with trailing commas. Items are literals as `printLiteral` takes them
 * (`Code` for names and parameters), so an array among them breaks in turn when it is too long.
 */
export function printList(open: string, items: readonly unknown[], close: string, indent = "", pad = false): string {
  // An item longer than a line cannot be on one with the others.
  const flat = items.map((item) => flatText(item, WIDTH));
  if (flat.every((item) => item !== undefined)) {
    const space = pad && items.length > 0 ? " " : "";
    const line = `${open}${space}${flat.join(", ")}${space}${close}`;
    if (indent.length + line.length <= WIDTH) return line;
  }
  const inner = `${indent}  `;
  const lines = items.map((item) => `${inner}${printLiteral(item, inner, inner.length, 1)},`);
  return `${open.trimEnd()}\n${lines.join("\n")}\n${indent}${close.trimStart()}`;
}

/** Names or other code, each on one line, as items for `printList`/`printLiteral`. */
export function code(texts: readonly string[]): Code[] {
  return texts.map((text) => new Code([text]));
}

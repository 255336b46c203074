import { stringLiteral } from "./text.js";

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
  const flat = flatText(value);
  const breakable = typeof value === "object" && value !== null;
  if (flat !== undefined && (!breakable || (!breaksAlways(value) && column + flat.length + after <= WIDTH)))
    return flat;
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

/** The value on one line, or undefined when it cannot be (code of several lines). */
function flatText(value: unknown): string | undefined {
  if (value instanceof Code) return value.lines.length === 1 ? value.lines[0] : undefined;
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return joined(value.map(flatText), "[", "]");
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    const parts = entries.map(([key, v]) => {
      const text = flatText(v);
      return text === undefined ? undefined : `${propertyName(key)}: ${text}`;
    });
    return entries.length === 0 ? "{}" : joined(parts, "{ ", " }");
  }
  throw new TypeError(`cannot print a ${typeof value} as a literal`);
}

function joined(parts: readonly (string | undefined)[], open: string, close: string): string | undefined {
  return parts.every((p) => p !== undefined) ? `${open}${parts.join(", ")}${close}` : undefined;
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
  const flat = items.map(flatText);
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

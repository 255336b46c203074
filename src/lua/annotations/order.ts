import type { Code } from "../../diagnostics.js";
import type { ArgParam, KeyParam } from "../../model.js";

/** A key or argument, in the order the tags declare them. */
export type Declared = { tag: "key"; param: KeyParam } | { tag: "arg"; param: ArgParam };

/** What is wrong with where a parameter is declared; at its name. */
export interface OrderProblem {
  code: Code;
  line: number;
  column: number;
  message: string;
  hint: string;
}

/**
 * The checks on the parameter list as a whole, each parameter against those declared before it:
 * a name used twice (LG103), a rest parameter that is not last (LG105), a required argument
 * after an optional one (LG104).
 */
export function checkOrder(declared: readonly Declared[]): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const keys: KeyParam[] = [];
  const args: ArgParam[] = [];
  for (const entry of declared) {
    const at = { line: entry.param.line, column: entry.param.nameColumn };
    const found = [
      duplicate(entry.param, keys, args),
      entry.tag === "key" ? keyOrder(entry.param, keys) : argOrder(entry.param, args),
    ];
    for (const problem of found) if (problem !== undefined) problems.push({ ...at, ...problem });
    if (entry.tag === "key") keys.push(entry.param);
    else args.push(entry.param);
  }
  return problems;
}

type Found = Omit<OrderProblem, "line" | "column"> | undefined;

function duplicate(param: KeyParam | ArgParam, keys: readonly KeyParam[], args: readonly ArgParam[]): Found {
  const other = [...keys, ...args].find((p) => p.name === param.name);
  if (other === undefined) return undefined;
  const hint = "keys and arguments become the function's parameters: each needs its own name";
  return { code: "LG103", message: `'${param.name}' is already declared on line ${other.line}`, hint };
}

function keyOrder(key: KeyParam, keys: readonly KeyParam[]): Found {
  const rest = keys.find((k) => k.rest);
  if (rest === undefined) return undefined;
  return {
    code: "LG105",
    message: `key '${key.name}' comes after the rest key '...${rest.name}'`,
    hint: "a rest key must be the last key",
  };
}

function argOrder(arg: ArgParam, args: readonly ArgParam[]): Found {
  const rest = args.find((a) => a.rest);
  const optional = args.find((a) => a.optional);
  const shown = `${arg.rest ? "..." : ""}${arg.name}`;
  if (rest !== undefined) {
    const message = `argument '${shown}' comes after the rest argument '...${rest.name}'`;
    return { code: "LG105", message, hint: "a rest argument must be the last argument" };
  }
  if (arg.rest && optional !== undefined) {
    const message = `rest argument '${shown}' comes after optional argument '${optional.name}'`;
    return { code: "LG105", message, hint: "make the optional argument required, or drop the rest argument" };
  }
  if (!arg.optional && !arg.rest && optional !== undefined) {
    const message = `required argument '${arg.name}' comes after optional argument '${optional.name}'`;
    return {
      code: "LG104",
      message,
      hint: "optional arguments must come last: move it before them, or mark it optional (name?)",
    };
  }
  return undefined;
}

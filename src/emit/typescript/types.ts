import type { ArgParam, ArgType, KeyParam, ReturnType } from "../../model.js";
import { stringLiteral } from "../text.js";

/** The TypeScript type a caller passes for an argument. `json` takes any value JSON.stringify accepts. */
export function argTypeText(type: ArgType): string {
  const members = new Set<string>();
  for (const kind of type.kinds) {
    if (kind === "json") return "unknown";
    members.add(kind === "integer" ? "number" : kind);
  }
  for (const literal of type.literals) members.add(stringLiteral(literal));
  return [...members].join(" | ");
}

/** `keyType` is the name the module imported ioredis's `RedisKey` under. */
export function paramTypeText(param: KeyParam | ArgParam, keyType: string): string {
  const element = "type" in param ? argTypeText(param.type) : keyType;
  if (!param.rest) return element;
  return element.includes("|") ? `ReadonlyArray<${element}>` : `readonly ${element}[]`;
}

/** Redis's Lua-to-reply conversion as ioredis delivers it. */
export function returnTypeText(type: ReturnType): string {
  switch (type.kind) {
    case "integer":
    case "number":
      return "number";
    case "string":
    case "status":
      return "string";
    case "nil":
      return "null";
    case "unknown":
      return "unknown";
    case "array": {
      const element = returnTypeText(type.element);
      return type.element.kind === "union" ? `(${element})[]` : `${element}[]`;
    }
    case "tuple":
      return `[${type.elements.map(returnTypeText).join(", ")}]`;
    case "union":
      return [...new Set(type.members.map(returnTypeText))].join(" | ");
  }
}

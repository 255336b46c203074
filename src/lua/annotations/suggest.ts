import { editDistance } from "../../suggest.js";

/** Names people write for luagen's types, from other languages and from LuaLS. */
const ALIASES: Record<string, string> = {
  int: "integer",
  str: "string",
  bool: "boolean",
  num: "number",
  float: "number",
  double: "number",
  object: "json",
};

/**
 * The one of `known` that `word` most likely meant, for a "did you mean" hint: the same word in
 * another case (`String`), a common alias (`int`), or a typo within `maxEdits` edits (`intger`).
 */
export function didYouMean(word: string, known: readonly string[], maxEdits: number): string | undefined {
  const lower = word.toLowerCase();
  const alias = ALIASES[lower];
  if (alias !== undefined && known.includes(alias)) return alias;
  return known.find((k) => k === lower) ?? known.find((k) => editDistance(lower, k) <= maxEdits);
}

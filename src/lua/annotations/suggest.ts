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

/** Levenshtein distance. */
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

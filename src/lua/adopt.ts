import type { Chunk, Expression } from "luaparse";
import type { ExpandedSource, SourceFile } from "../model.js";
import { isValidIdentifier } from "../naming.js";
import { leadingComments, ownLineIn } from "./annotations/doc-block.js";
import { isGlobal, walk } from "./parse.js";
import { collectUsage, highestIndex } from "./usage.js";

/**
 * What luagen reads from a script folder written for another loader, for a script with no luagen
 * annotations at all (one with `---@arg` or `---@return` but no `---@key` was written for luagen,
 * and takes no keys):
 * - BullMQ's file names, `moveToDelayed-8.lua`: the trailing `-8` is the number of keys, and the
 *   function is named without it (`moveToDelayed`);
 * - leading comments (a `--[[ ... ]]` block or `--` lines) that document `KEYS[1] 'wait'` or
 *   `ARGV[2] timestamp` (BullMQ, Bull, most hand-written scripts), or `key 1 -> bq:name:jobs` and
 *   `arg 1 -> job id` (bee-queue): the inferred keys and arguments take those names (and the rest
 *   of the line as description);
 * - for what the comments leave unnamed, the locals the script reads them into
 *   (`local limit = tonumber(ARGV[1])`).
 */
export interface Adoption {
  /** From the file name; only for a script with no annotations. */
  keyCount?: number;
  /**
   * A `-N` in the file name not taken as a key count, because the script does not read `KEYS[N]`
   * (`pfc_detect_cisco-8000.lua` names a hardware model): the name keeps its digits.
   */
  ignoredCount?: { count: number; highest: number };
  /** The path the function is named from: without the `-N` when `keyCount` came from it. */
  namePath: string;
  /** Names by 1-based index, from the leading comments or the locals the script reads them into (`namesOf`). */
  keys: Map<number, Documented>;
  args: Map<number, Documented>;
}

export interface Documented {
  name: string;
  description: string;
}

const COUNTED = /^(.*[^-])-(\d+)\.lua$/i;

/** `annotated`: the doc comment has luagen tags, which then say everything about the signature. */
export function adoptionFor(
  file: SourceFile,
  chunk: Chunk,
  expanded: ExpandedSource | undefined,
  annotated: boolean,
): Adoption {
  // Only an inferred signature reads the names: an annotated script's tags say everything.
  const documented = annotated ? { keys: new Map(), args: new Map() } : namesOf(chunk, ownLineIn(file, expanded));
  const counted = annotated ? null : COUNTED.exec(file.relativePath);
  if (counted === null) return { namePath: file.relativePath, ...documented };
  // A script that takes any number of keys (reads KEYS by a computed index, by length or whole)
  // and never reads its N-th key contradicts the count: `pfc_detect_cisco-8000.lua` names a hardware
  // model. None of BullMQ's and Bull's 74 -N scripts reads KEYS so; each reads KEYS[N] itself.
  const count = Number(counted[2]);
  const usage = collectUsage(chunk);
  const highest = highestIndex(usage, "KEYS");
  if (usage.dynamic.has("KEYS") && highest < count) {
    return { namePath: file.relativePath, ignoredCount: { count, highest }, ...documented };
  }
  return { keyCount: count, namePath: `${counted[1]}.lua`, ...documented };
}

type Names = { keys: Map<number, Documented>; args: Map<number, Documented> };

/** A name the script offers for one entry of `KEYS` or `ARGV`. */
interface Offered {
  table: "KEYS" | "ARGV";
  index: number;
  named: Documented;
}

/**
 * The names of the keys and arguments: what the leading comments say, then, for what they leave
 * unnamed, the locals the script reads them into. The first name offered for an index wins; a name
 * taken already is passed over, as are `key3`/`arg2` (what an unnamed one is called) and a name no
 * parameter can have (a reserved word, `completed/failedKey`).
 */
function namesOf(chunk: Chunk, ownLine: ReturnType<typeof ownLineIn>): Names {
  const names: Names = { keys: new Map(), args: new Map() };
  const taken = new Set<string>();
  for (const { table, index, named } of [...commentNames(chunk, ownLine), ...localNames(chunk)]) {
    const byIndex = table === "KEYS" ? names.keys : names.args;
    const { name } = named;
    if (index < 1 || byIndex.has(index) || taken.has(name) || /^(key|arg)\d+$/.test(name) || !isValidIdentifier(name))
      continue;
    byIndex.set(index, named);
    taken.add(named.name);
  }
  return names;
}

/**
 * What the script reads into locals, in source order: `local limit = tonumber(ARGV[1])` offers
 * `limit`, `local tokens_key = KEYS[1]` offers `tokensKey`, `local now = tonumber(ARGV[3]) or
 * redis.call('TIME')[1]` offers `now`.
 */
function localNames(chunk: Chunk): Offered[] {
  const offered: Offered[] = [];
  walk(chunk.body, (node) => {
    if (node.type !== "LocalStatement") return true;
    node.variables.forEach((variable, i) => {
      const read = literalRead(node.init[i]);
      const name = variable.name.replace(/(?<=[a-z0-9])_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      if (read !== undefined) offered.push({ ...read, named: { name, description: "" } });
    });
    return true;
  });
  return offered;
}

/**
 * `KEYS[2]`, `tonumber(ARGV[1])`, `tostring(ARGV[3])`, and any of them with a default after `or`
 * (`tonumber(ARGV[3]) or redis.call('TIME')[1]`): which entry of which table the value is.
 */
function literalRead(value: Expression | undefined): { table: "KEYS" | "ARGV"; index: number } | undefined {
  if (value?.type === "LogicalExpression" && value.operator === "or") return literalRead(value.left);
  if (value?.type === "CallExpression" && value.arguments.length === 1 && isConversion(value.base)) {
    return literalRead(value.arguments[0]);
  }
  if (value?.type !== "IndexExpression" || !isGlobal(value.base) || value.index.type !== "NumericLiteral")
    return undefined;
  const table = value.base.name;
  const index = value.index.value;
  return (table === "KEYS" || table === "ARGV") && Number.isInteger(index) && index >= 1 ? { table, index } : undefined;
}

function isConversion(callee: Expression): boolean {
  return isGlobal(callee) && (callee.name === "tonumber" || callee.name === "tostring");
}

/** A line that documents a key or an argument: its table, its 1-based index, and what it says of it. */
const MENTIONS = [/\b(KEYS|ARGV)\[(\d+)\][\s:=-]*(.*)$/, /^\s*(key|arg)\s*(\d+)\s*(?:->|=>|[:=-])\s*(.*)$/i];
/** `bq:name:jobs`, `{q}:wait`: a key written as its pattern, named by its last part. */
const KEY_PATTERN = /^[\w{}-]*(?::[\w{}-]+)+(?=[\s(,;]|$)/;
const QUOTED = /^(['"])([^'"]+)\1[\s,;.]*(.*)$/;
/** Words that end a name made from a description: "the id of the job" → `id`. */
const STOP = new Set(["of", "for", "to", "in", "on", "at", "by", "with", "and", "or", "if", "is", "as"]);
const ARTICLES = new Set(["the", "a", "an"]);

/** The names the leading comments, a `--[[ ]]` block or `--` lines, give keys and arguments (`MENTIONS`). */
function commentNames(chunk: Chunk, ownLine: ReturnType<typeof ownLineIn>): Offered[] {
  const offered: Offered[] = [];
  for (const { comment } of leadingComments(chunk, ownLine)) {
    for (const line of comment.value.split("\n")) {
      const mention = MENTIONS.map((form) => form.exec(line)).find((match) => match !== null);
      if (!mention) continue;
      const named = nameFrom(mention[3]!);
      offered.push({ table: /^keys?$/i.test(mention[1]!) ? "KEYS" : "ARGV", index: Number(mention[2]), named });
    }
  }
  return offered;
}

/**
 * `'wait',` → wait; `key prefix` → keyPrefix (up to three words); `bq:name:jobs (the jobs)` → jobs;
 * whether it can be a parameter's name is `namesOf`'s to say.
 */
function nameFrom(text: string): Documented {
  const quoted = QUOTED.exec(text.trim());
  const said = (quoted ? quoted[2]! : text).trim();
  const pattern = KEY_PATTERN.exec(said);
  const words = (pattern ? pattern[0].split(":").at(-1)!.replace(/[{}]/g, "") : said)
    .split(/[,.;:()[\]]/)[0]
    .trim()
    .split(/\s+/);
  const kept = words.filter((w, i) => !(i === 0 && ARTICLES.has(w.toLowerCase())));
  const stop = kept.findIndex((w) => STOP.has(w.toLowerCase()));
  const name = camelCase((stop < 0 ? kept : kept.slice(0, stop)).slice(0, 3));
  const description = (quoted ? quoted[3] : text).trim().replace(/[,;]$/, "");
  return { name, description };
}

function camelCase(words: readonly string[]): string {
  return words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() : w.charAt(0).toUpperCase()) + w.slice(1)).join("");
}

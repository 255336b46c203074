import type { ReturnType } from "../model.js";
import shipped from "./commands.json" with { type: "json" };

/**
 * Redis's command table, as luagen ships it (`src/lua/commands.json`, written by
 * `npm run update-commands`): what each command is called, how many arguments it takes, its flags,
 * where its keys are and what it replies. Every entry names the source it came from.
 */

/** Where the first key is looked for: a fixed argument index, or after a keyword. */
export type BeginSearch = { index: number } | { keyword: string; startfrom: number } | { unknown: true };

/** How many keys follow from there. */
export type FindKeys =
  | { range: { lastkey: number; step: number; limit: number } }
  | { keynum: { keynumidx: number; firstkey: number; step: number } }
  | { unknown: true };

/** One of Redis 7's key specs (COMMAND INFO); indices count the command's name as 0. */
export interface KeySpec {
  begin: BeginSearch;
  find: FindKeys;
  /** `RO`, `RW`, `OW`, `RM`, `access`, `insert`, ... lower-cased as COMMAND INFO prints them. */
  flags: readonly string[];
}

export interface CommandInfo {
  /** Upper case; a subcommand is `CONTAINER|SUB` (`CLIENT|KILL`), as Redis names it. */
  name: string;
  /** Redis's arity: the number of words including the name; negative means "at least -arity". */
  arity: number;
  /** COMMAND INFO's flags, lower case: `write`, `readonly`, `noscript`, `denyoom`, `blocking`, ... */
  flags: readonly string[];
  /** Where its keys are; empty for a command without keys. */
  keys: readonly KeySpec[];
  /**
   * What it replies over RESP2, as a script sees the reply before Lua conversion (a status is
   * `status`, a nil bulk `nil`, a double a bulk `string`); absent when no source describes it.
   */
  reply?: ReturnType;
  /** The id of the source (in the table's `sources`) arity, flags and keys came from. */
  source: string;
  /** The id of the source `reply` came from. */
  replySource?: string;
  /** By upper-case subcommand name (`KILL`), for containers such as CLIENT, CONFIG, OBJECT. */
  subcommands?: Readonly<Record<string, CommandInfo>>;
}

export interface CommandSource {
  id: string;
  /** What it is and which version: `redis-server 7.0.15, COMMAND INFO`. */
  description: string;
  licence: string;
}

export interface CommandTable {
  sources: readonly CommandSource[];
  /** By upper-case name. */
  commands: Readonly<Record<string, CommandInfo>>;
}

/** A command and its subcommands as flat entries (`CLIENT`, `CLIENT|KILL`), as commands.json holds them. */
export type FlatCommands = Readonly<Record<string, Omit<CommandInfo, "subcommands">>>;

/** The table luagen ships. */
export const COMMANDS: CommandTable = { sources: shipped.sources, commands: nest(shipped.commands as FlatCommands) };

/** Each `CONTAINER|SUB` entry moved into its container's `subcommands`, keyed by `SUB`. */
export function nest(flat: FlatCommands): Record<string, CommandInfo> {
  const commands: Record<string, CommandInfo> = {};
  for (const [name, entry] of Object.entries(flat)) {
    if (!name.includes("|")) commands[name] = { ...entry };
  }
  for (const [name, entry] of Object.entries(flat)) {
    const [container, sub] = name.split("|");
    if (sub === undefined) continue;
    const parent = commands[container];
    if (parent) parent.subcommands = { ...parent.subcommands, [sub]: entry };
  }
  return commands;
}

/**
 * A command by name, case-insensitive; a subcommand as `CLIENT|KILL` (or `client kill`).
 * Undefined when the table does not know it.
 */
export function lookupCommand(name: string, table: CommandTable = COMMANDS): CommandInfo | undefined {
  const [container, sub, ...rest] = name
    .trim()
    .toUpperCase()
    .split(/[|\s]+/);
  if (container === undefined || rest.length > 0) return undefined;
  const command = Object.hasOwn(table.commands, container) ? table.commands[container] : undefined;
  if (sub === undefined || command === undefined) return command;
  return command.subcommands && Object.hasOwn(command.subcommands, sub) ? command.subcommands[sub] : undefined;
}

/** A module command (`JSON.SET`, `FT.SEARCH`, `TS.ADD`): modules name theirs with a dot. */
export function isModuleCommand(name: string): boolean {
  return name.includes(".");
}

/**
 * The indices of the words that are keys, as Redis's key specs find them (index 0 is the name).
 * `words` holds each word's text when it is a literal, else undefined; with `exact` false, words
 * past the last may follow, so only positions counted from the start are given. A spec that needs
 * a word luagen cannot read (a computed keyword or key count) gives nothing.
 */
export function keyPositions(info: CommandInfo, words: readonly (string | undefined)[], exact: boolean): number[] {
  const positions = new Set<number>();
  for (const spec of info.keys) for (const i of specPositions(spec, words, exact)) positions.add(i);
  return [...positions].sort((a, b) => a - b);
}

function specPositions(spec: KeySpec, words: readonly (string | undefined)[], exact: boolean): number[] {
  const first = beginIndex(spec.begin, words, exact);
  if (first === undefined || "unknown" in spec.find) return [];
  const count = words.length;
  let last: number;
  let step: number;
  if ("range" in spec.find) {
    const { lastkey, limit } = spec.find.range;
    step = spec.find.range.step;
    if (lastkey >= 0) last = first + lastkey;
    else if (!exact) return [];
    else last = limit > 1 ? first + Math.floor((count - first) / limit) + lastkey : count + lastkey;
  } else {
    const { keynumidx, firstkey } = spec.find.keynum;
    const keys = Number(words[first + keynumidx]);
    if (!Number.isInteger(keys) || keys < 0) return [];
    step = spec.find.keynum.step;
    const start = first + firstkey;
    return Array.from({ length: keys }, (_, i) => start + i * step).filter((i) => i < count);
  }
  const out: number[] = [];
  for (let i = first; i <= last && i < count; i += Math.max(1, step)) out.push(i);
  return out;
}

function beginIndex(begin: BeginSearch, words: readonly (string | undefined)[], exact: boolean): number | undefined {
  if ("index" in begin) return begin.index;
  if (!("keyword" in begin)) return undefined;
  const keyword = begin.keyword.toUpperCase();
  const matches = (i: number) => words[i]?.toUpperCase() === keyword;
  if (begin.startfrom >= 0) {
    for (let i = begin.startfrom; i < words.length; i++) {
      if (words[i] === undefined) return undefined; // a computed word might be the keyword
      if (matches(i)) return i + 1;
    }
    return undefined;
  }
  if (!exact) return undefined;
  for (let i = words.length + begin.startfrom; i > 0; i--) {
    if (words[i] === undefined) return undefined;
    if (matches(i)) return i + 1;
  }
  return undefined;
}

/** A command the user declares in the config's `commands`: a module's, or one the table lacks. */
export interface UserCommand {
  /** Redis's arity (the name counts; negative = at least); unchecked when absent. */
  arity?: number;
  /** `write` makes it a write for no-writes scripts; `noscript` refuses it in scripts. */
  flags?: string[];
}

/** The table with the user's commands added (or replacing entries of the same name). */
export function extendCommands(base: CommandTable, extra: Readonly<Record<string, UserCommand>>): CommandTable {
  const entries = Object.entries(extra);
  if (entries.length === 0) return base;
  const added: FlatCommands = Object.fromEntries(
    entries.map(([name, spec]) => {
      const upper = name.toUpperCase();
      return [
        upper,
        { name: upper, arity: spec.arity ?? -1, flags: [...(spec.flags ?? [])], keys: [], source: "config" },
      ];
    }),
  );
  const source: CommandSource = {
    id: "config",
    description: "the commands entry of the luagen config",
    licence: "the project's own",
  };
  return { sources: [...base.sources, source], commands: { ...base.commands, ...nest(added) } };
}

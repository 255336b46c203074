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
  const [container, sub, ...rest] = name.trim().toUpperCase().split(/[|\s]+/);
  if (container === undefined || rest.length > 0) return undefined;
  const command = Object.hasOwn(table.commands, container) ? table.commands[container] : undefined;
  if (sub === undefined || command === undefined) return command;
  return command.subcommands && Object.hasOwn(command.subcommands, sub) ? command.subcommands[sub] : undefined;
}

/** A module command (`JSON.SET`, `FT.SEARCH`, `TS.ADD`): modules name theirs with a dot. */
export function isModuleCommand(name: string): boolean {
  return name.includes(".");
}

import type { Chunk, Expression, Identifier, Node } from "luaparse";
import { plural } from "../diagnostics.js";
import type { Diagnostic, Position } from "../model.js";
import { closest } from "../suggest.js";
import { findRedisCalls, stringLiteralText, type ApiField, type CommandCall } from "./calls.js";
import { REDIS_LUA_API } from "./redis-api.js";
import {
  ARITY_SINCE,
  COMMAND_SINCE,
  SCRIPT_ALLOWED_SINCE,
  SERVER_GLOBAL_SINCE,
  holdsOn,
  whichServers,
  type Since,
} from "./server-facts.js";
import { serverTitle, type Server } from "./servers.js";
import {
  COMMANDS,
  isModuleCommand,
  keyPositions,
  lookupCommand,
  type CommandInfo,
  type CommandTable,
} from "./commands.js";
import { nodePosition } from "./parse.js";
import type { Place } from "./return-check.js";
import { readShebang, type ScriptFlag } from "./shebang.js";

export interface CommandUse {
  /** The flags of the script's `#!lua` line; undefined when it has none. */
  flags?: ScriptFlag[];
  /**
   * Whether the script may write: `no` when every call names its command and none writes (nor may
   * replicate), and redis.call is not used where luagen cannot follow it; `unknown` when a call's
   * command is computed or hidden.
   */
  writes: "yes" | "no" | "unknown";
  diagnostics: Diagnostic[];
}

/**
 * The script's shebang and every redis.call/pcall with a literal command name, checked against
 * Redis's command table: what Redis would refuse only when the script runs (LG230-LG234, LG237),
 * and keys written as string literals (LG235). With `server`, a fact that depends on the release
 * (a command added, a command allowed in scripts, an arity grown) is that server's; without, a
 * call some supported server refuses is a warning (LG236), never an error. Computed names and
 * commands of modules are never flagged.
 */
export function checkCommandUse(
  chunk: Chunk,
  source: string,
  place: Place,
  table: CommandTable = COMMANDS,
  server?: Server,
): CommandUse {
  const { shebang, problems } = readShebang(source);
  const diagnostics = problems.map((p) => place("LG234", { line: 1, column: p.column }, p.message, p.hint));
  const noWrites = shebang?.flags.includes("no-writes") ?? false;
  const { calls, hidden, strangers, valkeyNames } = findRedisCalls(chunk);
  const context = { table, noWrites, place, server, position: (node: Node) => nodePosition(node, chunk) };
  for (const call of calls) diagnostics.push(...checkCall(call, context));
  for (const field of strangers) diagnostics.push(notInLuaApi(field, context));
  if (valkeyNames[0] !== undefined) diagnostics.push(...valkeyOnly(valkeyNames[0], context));
  return { flags: shebang?.flags, writes: mayWrite(calls, hidden, table), diagnostics };
}

/**
 * LG238: `redis.<name>(...)` where the `redis` table has no such function, so the call fails when
 * it runs. A warning: a newer server may have added the function.
 */
function notInLuaApi(field: ApiField, { place, position }: CallContext): Diagnostic {
  const name = field.identifier.name;
  const at = position(field.identifier);
  const message = `${field.base.name}.${name} is not a function of Redis's Lua API: the call fails when it runs ("attempt to call field '${name}' (a nil value)")`;
  if (name === "register_function") {
    const hint = `${field.base.name}.register_function exists only while FUNCTION LOAD runs a library; with --mode functions luagen writes the library and registers every script itself`;
    return place("LG238", at, message, hint);
  }
  const near = closest(name, REDIS_LUA_API);
  return place("LG238", at, message, near === undefined ? undefined : `did you mean ${field.base.name}.${near}?`);
}

/**
 * The global `server`, Valkey's name for the `redis` object (its first use; one diagnostic a
 * script): nothing on a Valkey server, LG239 on a Redis one, which fails the script, and LG236
 * when no server is set.
 */
function valkeyOnly(first: Identifier, context: CallContext): Diagnostic[] {
  const failure = `"Script attempted to access nonexistent global variable 'server'"`;
  const at = context.position(first);
  const hint = "redis.call and the rest of the redis object work on every server";
  const refused = (server: Server) =>
    context.place(
      "LG239",
      at,
      `server is Valkey's name for the redis object, and the server setting is ${server.product}-${server.version}: ${serverTitle(server.product)} has no global server and fails the script (${failure})`,
      `write redis instead of server (${hint}), or change the server setting`,
    );
  const subject = "server (Valkey's name for the redis object)";
  return byRelease(
    { since: SERVER_GLOBAL_SINCE, refused, subject, what: `fail the script (${failure})`, hint, at },
    context,
  );
}

function mayWrite(calls: readonly CommandCall[], hidden: boolean, table: CommandTable): CommandUse["writes"] {
  const infos = calls.map((call) => (call.name === undefined ? undefined : commandOf(call, table)));
  if (infos.some((info) => info !== undefined && writes(info))) return "yes";
  return hidden || infos.some((info) => info === undefined) ? "unknown" : "no";
}

/** What a call runs, when its name (and subcommand) are known to the table. */
function commandOf(call: CommandCall, table: CommandTable): CommandInfo | undefined {
  const found = resolve(call, table);
  return found.kind === "known" ? found.info : undefined;
}

interface CallContext {
  table: CommandTable;
  /** A node's position in the script. */
  position: (node: Node) => Position;
  noWrites: boolean;
  place: Place;
  server?: Server;
}

function checkCall(call: CommandCall, context: CallContext): Diagnostic[] {
  const { table, place } = context;
  if (call.name === undefined || call.nameNode === undefined) return [];
  const at = context.position(call.nameNode);
  const found = resolve(call, table);
  if (found.kind === "module") return [];
  if (found.kind === "unknown") {
    const message = `unknown Redis command '${found.shown}': Redis fails the call ("Unknown Redis command called from script")`;
    return [place("LG230", at, message, found.hint)];
  }
  const { info, shown } = found;
  const added = releaseFact(COMMAND_SINCE, info);
  const availability = added && commandAdded(shown, added, at, context);
  if (availability?.severity === "error") return [availability];
  const diagnostics = availability ? [availability] : [];
  if (info.flags.includes("noscript")) {
    const allowed = releaseFact(SCRIPT_ALLOWED_SINCE, info);
    const refused = () => notInScripts(info, shown, table, place, at);
    if (allowed === undefined) return [...diagnostics, refused()];
    const hint = `on older servers, ${instead(info, shown, table)}`;
    const subject = `${shown} as called here`;
    return [
      ...diagnostics,
      ...byRelease({ since: allowed, refused, subject, what: "refuse it in scripts", hint, at }, context),
    ];
  }
  if (call.exact && !arityFits(info.arity, call.args.length + 1)) {
    const grew = releaseFact(ARITY_SINCE, info);
    const refused = () => wrongArity(info, shown, call, context);
    if (grew !== undefined && arityFits(grew.arity, call.args.length + 1)) {
      const what = `fail a call with ${plural(call.args.length, "argument")}`;
      const [subject, hint, callAt] = [`${shown} as called here`, wrongArityHint(info), context.position(call.node)];
      diagnostics.push(...byRelease({ since: grew.since, refused, subject, what, hint, at: callAt }, context));
    } else diagnostics.push(refused());
  }
  if (context.noWrites && writes(info)) {
    const message = `${shown} writes, and the script declares #!lua flags=no-writes: Redis refuses it ("Write commands are not allowed from read-only scripts")`;
    diagnostics.push(
      place("LG233", at, message, "remove no-writes from the #!lua line, or move the write to another script"),
    );
  }
  diagnostics.push(...literalKeys(info, call, context));
  return diagnostics;
}

const SET_SERVER = 'set "server" in luagen.config.json (or pass --server) to the server the scripts run on';

/**
 * What the release facts say of a command of the table; nothing for one the config declares
 * (`commands`): the user's own entry says what their server does.
 */
function releaseFact<T>(facts: Readonly<Record<string, T>>, info: CommandInfo): T | undefined {
  return info.source !== "config" && Object.hasOwn(facts, info.name) ? facts[info.name] : undefined;
}

interface ReleaseFact {
  since: Since;
  /** What the set server says when the fact does not hold for it. */
  refused: (server: Server) => Diagnostic;
  /** `BLPOP as called here`: what the warning is about. */
  subject: string;
  /** What the other servers do: `refuse it in scripts`. */
  what: string;
  hint: string;
  at: Position;
}

/**
 * A call that some releases run and others refuse: nothing when the server setting runs it,
 * `refused` (the error that server gives) when it does not, else a warning (LG236) naming which
 * servers run it and what the others do.
 */
function byRelease(
  { since, refused, subject, what, hint, at }: ReleaseFact,
  { place, server }: CallContext,
): Diagnostic[] {
  const runs = server && holdsOn(since, server);
  if (runs === true) return [];
  if (server && runs === false) return [refused(server)];
  const older = server
    ? `luagen does not know whether ${serverTitle(server.product, server.version)} runs it`
    : `other servers ${what}`;
  return [place("LG236", at, `${subject} runs on ${whichServers(since)}; ${older}`, `${hint}; ${SET_SERVER}`)];
}

/** LG237 when the server setting lacks a command newer servers added, LG236 when no server is set. */
function commandAdded(shown: string, since: Since, at: Position, context: CallContext): Diagnostic | undefined {
  const failure = `the call ("Unknown command called from script")`;
  const missing = (server: Server) =>
    context.place(
      "LG237",
      at,
      `${shown} needs ${whichServers(since)}, and the server setting is ${server.product}-${server.version}: ${serverTitle(server.product)} fails ${failure}`,
      `if the scripts run on a newer server, change the server setting; else do without ${shown}`,
    );
  const hint = `${shown} is newer than Redis 7.0`;
  return byRelease({ since, refused: missing, subject: shown, what: `fail ${failure}`, hint, at }, context)[0];
}

type Resolved =
  | { kind: "module" }
  | { kind: "unknown"; shown: string; hint: string }
  | { kind: "known"; info: CommandInfo; shown: string };

/** The command, or its subcommand when the next word is a literal (`CLIENT KILL`). */
function resolve(call: CommandCall, table: CommandTable): Resolved {
  const name = call.name!.toUpperCase();
  const info = lookupCommand(name, table);
  if (info === undefined) {
    if (isModuleCommand(name)) return { kind: "module" };
    const near = closest(name, Object.keys(table.commands));
    const hint = near
      ? `did you mean ${near}?`
      : `if a module or a newer server provides it, declare it under "commands" in luagen.config.json`;
    return { kind: "unknown", shown: name, hint };
  }
  const subWord = call.args[0]?.type === "StringLiteral" ? stringLiteralText(call.args[0]) : undefined;
  if (info.subcommands === undefined || subWord === undefined) return { kind: "known", info, shown: name };
  const sub = subWord.toUpperCase();
  const shown = `${name} ${sub}`;
  const subInfo = Object.hasOwn(info.subcommands, sub) ? info.subcommands[sub] : undefined;
  if (subInfo === undefined) {
    const subs = Object.keys(info.subcommands).sort();
    const near = closest(sub, subs);
    return {
      kind: "unknown",
      shown,
      hint: near ? `did you mean ${name} ${near}?` : `${name}'s subcommands are ${subs.join(", ")}`,
    };
  }
  return { kind: "known", info: subInfo, shown };
}

/** Commands Redis refuses in a no-writes script: writes, and those that may replicate (PUBLISH, PFCOUNT). */
function writes(info: CommandInfo): boolean {
  return info.flags.includes("write") || info.flags.includes("may_replicate");
}

function notInScripts(info: CommandInfo, shown: string, table: CommandTable, place: Place, at: Position): Diagnostic {
  const message = `${shown} is not allowed in scripts: Redis refuses it ("This Redis command is not allowed from script")`;
  return place("LG232", at, message, instead(info, shown, table));
}

/** What to do instead of calling `shown` in a script: its non-blocking form, or the client. */
function instead(info: CommandInfo, shown: string, table: CommandTable): string {
  const nonBlocking = info.flags.includes("blocking") && !shown.includes(" ") ? shown.slice(1) : undefined;
  return nonBlocking !== undefined && lookupCommand(nonBlocking, table) !== undefined
    ? `a script cannot block: use ${nonBlocking}, or send ${shown} from the client`
    : `send ${shown} from the client, not from a script`;
}

/** Redis's arity counts the name; a negative arity is a minimum. */
function arityFits(arity: number, words: number): boolean {
  return arity >= 0 ? words === arity : words >= -arity;
}

function wrongArity(info: CommandInfo, shown: string, call: CommandCall, { place, position }: CallContext): Diagnostic {
  const expected = Math.abs(info.arity) - 1;
  const takes = `${info.arity < 0 ? "at least " : ""}${plural(expected, "argument")}`;
  const message = `${shown.split(" ")[0]} takes ${takes} after its name, this call passes ${call.args.length}: Redis fails it ("Wrong number of args calling Redis command from script")`;
  return place("LG231", position(call.node), message, wrongArityHint(info));
}

function wrongArityHint(info: CommandInfo): string {
  return `Redis's arity for ${info.name} is ${info.arity} (the name counts${info.arity < 0 ? "; negative means at least" : ""})`;
}

/** LG235: a word the key specs say is a key, written as a string literal. */
function literalKeys(info: CommandInfo, call: CommandCall, { place, position }: CallContext): Diagnostic[] {
  const words: (Expression | undefined)[] = [call.nameNode, ...call.args];
  const texts = words.map((w) => (w?.type === "StringLiteral" ? stringLiteralText(w) : undefined));
  return keyPositions(info, texts, call.exact).flatMap((i) => {
    const word = words[i];
    if (word?.type !== "StringLiteral") return [];
    const message = `${word.raw} is a key written in the script, not passed in KEYS`;
    const hint =
      "declare it with ---@key and read KEYS[n]: Redis Cluster routes a call by its keys, and ACL key patterns check only those";
    return [place("LG235", position(word), message, hint)];
  });
}

import type { Chunk, Expression, Identifier, MemberExpression, StringLiteral } from "luaparse";
import { REDIS_LUA_API } from "./redis-api.js";
import { isGlobal, walk } from "./parse.js";
import { resolveScopes, type AnyCall, type Binding, type Resolution } from "./scopes.js";

/** One `redis.call(...)` / `redis.pcall(...)`, directly or through a local alias of either. */
export interface CommandCall {
  via: "redis.call" | "redis.pcall";
  node: AnyCall;
  /** The first argument, when there is one. */
  nameNode?: Expression;
  /** The command's name when it is a plain string literal; undefined when it is computed. */
  name?: string;
  /** The arguments after the name, as written. */
  args: readonly Expression[];
  /**
   * The call sends exactly `1 + args.length` words: its last argument is neither `...` nor a call,
   * which Lua expands into all of its values.
   */
  exact: boolean;
}

/**
 * The globals that name Redis's Lua API: `redis`, and `server`, Valkey's name for the same object
 * (`server.call`), which Redis does not have (checked where the server is known: command-checks.ts).
 */
export const API_GLOBALS: ReadonlySet<string> = new Set(["redis", "server"]);

/**
 * Every call of redis.call or redis.pcall in the chunk: through the global `redis` or `server` (not
 * a local that shadows it), or through a local that holds one of them and is never reassigned
 * (`local rcall = redis.call`, BullMQ's style).
 */
export function findCommandCalls(chunk: Chunk, refs: Resolution = resolveScopes(chunk)): CommandCall[] {
  return findRedisCalls(chunk, refs).calls;
}

/**
 * The calls, and whether redis.call/pcall may also be called where luagen does not see it: passed
 * to a function, stored in a table or a global, or held by a local that is reassigned or passed on.
 * `strangers`: calls of a field of the global `redis` that Redis's Lua API does not have;
 * `valkeyNames`: every use of the global `server`.
 */
export function findRedisCalls(
  chunk: Chunk,
  refs: Resolution = resolveScopes(chunk),
): { calls: CommandCall[]; hidden: boolean; strangers: ApiField[]; valkeyNames: Identifier[] } {
  const calls: CommandCall[] = [];
  const strangers: ApiField[] = [];
  const valkeyNames: Identifier[] = [];
  const callees = new Set<Expression>();
  const members: Expression[] = [];
  walk(chunk.body, (node) => {
    if (node.type === "CallExpression" || node.type === "StringCallExpression" || node.type === "TableCallExpression") {
      const via = redisFunction(node.base, refs, 0);
      if (via) calls.push(describeCall(node, via));
      if (via) callees.add(node.base);
      else if (isRedisField(node.base, refs) && !REDIS_LUA_API.has(node.base.identifier.name))
        strangers.push(node.base);
    } else if (node.type === "MemberExpression" && redisFunction(node, refs, 0)) {
      members.push(node);
    } else if (isGlobal(node) && node.name === "server") {
      valkeyNames.push(node);
    }
    return true;
  });
  const aliases = [...new Set(refs.values())].filter((b) => b.kind === "local" && aliasedValue(b, refs) !== undefined);
  const aliasValues = new Set(aliases.map((b) => aliasedValue(b, refs)));
  const hidden =
    members.some((m) => !callees.has(m) && !aliasValues.has(m)) ||
    aliases.some((b) => b.reassigned.length > 0 || b.escapes || b.passedTo.length > 0);
  return { calls, hidden, strangers, valkeyNames };
}

/** The declared value of a local that holds redis.call or redis.pcall. */
function aliasedValue(binding: Binding, refs: Resolution): Expression | undefined {
  const value = binding.declared?.values[binding.declared.index];
  return value !== undefined && redisFunction(value, refs, 0, true) ? value : undefined;
}

/** A call of redis.call/pcall (`via`) as its words: the name, when literal, and the rest. */
export function describeCall(node: AnyCall, via: CommandCall["via"]): CommandCall {
  const all =
    node.type === "CallExpression"
      ? node.arguments
      : node.type === "StringCallExpression"
        ? [node.argument]
        : [node.arguments];
  const [nameNode, ...args] = all;
  const last = all.at(-1);
  const exact = last === undefined || !expands(last);
  const name = nameNode?.type === "StringLiteral" ? stringLiteralText(nameNode) : undefined;
  return { via, node, nameNode, name, args, exact };
}

/** A call or `...` last in an argument list gives all its values (luaparse drops the parentheses that would cut them to one). */
function expands(e: Expression): boolean {
  return (
    e.type === "VarargLiteral" ||
    e.type === "CallExpression" ||
    e.type === "StringCallExpression" ||
    e.type === "TableCallExpression"
  );
}

/** Aliases are followed a few steps (`local c = redis.call; local rc = c`), never around a cycle. */
const MAX_ALIAS_DEPTH = 8;

function redisFunction(
  e: Expression,
  refs: Resolution,
  depth: number,
  evenReassigned = false,
): CommandCall["via"] | undefined {
  if (isRedisField(e, refs)) {
    const field = e.identifier.name;
    return field === "call" || field === "pcall" ? `redis.${field}` : undefined;
  }
  if (e.type !== "Identifier" || depth >= MAX_ALIAS_DEPTH) return undefined;
  const binding = refs.get(e);
  if (binding?.kind !== "local" || (binding.reassigned.length > 0 && !evenReassigned) || binding.declared === undefined)
    return undefined;
  const value = binding.declared.values[binding.declared.index];
  return value === undefined ? undefined : redisFunction(value, refs, depth + 1, evenReassigned);
}

/** `redis.<name>` or `server.<name>`. */
export type ApiField = MemberExpression & { base: Identifier };

/** `redis.<name>` (or `server.<name>`) on the global (not a local that shadows it). */
function isRedisField(e: Expression, refs: Resolution): e is ApiField {
  return (
    e.type === "MemberExpression" &&
    e.indexer === "." &&
    e.base.type === "Identifier" &&
    API_GLOBALS.has(e.base.name) &&
    !refs.has(e.base)
  );
}

/**
 * A short string literal's text from its raw source (luaparse leaves `value` null by default);
 * undefined when it has escapes or is a long string, whose text luagen does not decode.
 */
export function stringLiteralText(node: StringLiteral): string | undefined {
  const raw = node.raw;
  if (!/^(['"]).*\1$/s.test(raw) || raw.includes("\\")) return undefined;
  return raw.slice(1, -1);
}

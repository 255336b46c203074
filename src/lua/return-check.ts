import type { Chunk } from "luaparse";
import type { Code } from "../diagnostics.js";
import type { Diagnostic, Position, ReturnType, Signature } from "../model.js";
import { lookupCommand } from "./commands.js";
import { contains, isKnown, luaToReply, membersOf, replyText, replyUnion, type LuaType } from "./lua-types.js";
import { nodePosition } from "./parse.js";
import { inferReturns, type ReplyLookup, type ReturnSite } from "./returns.js";

/** A diagnostic at a position of the parsed source, reported in the file that position came from. */
export type Place = (code: Code, at: Position, message: string, hint?: string) => Diagnostic;

export interface ReturnCheckInput {
  chunk: Chunk;
  signature: Signature;
  place: Place;
  /** `line 4`, or `includes/x.lua:4` for a line an include brought in: for explanations. */
  where: (at: Position) => string;
  lookup: ReplyLookup;
}

/** Replies from the command table luagen ships (`CLIENT|INFO` for a subcommand). */
export const shippedReplies: ReplyLookup = (name) => lookupCommand(name)?.reply;

/**
 * With `---@return`: every return of the script checked against it (LG220, LG221; LG222 for a value
 * that may be a fraction under `number`). Without: the union of what every return replies, when each
 * is known (else `unknown` stays), and a warning (LG222) for a value Redis changes on the way out,
 * which the inferred type already shows as Redis replies it. Both record, per return, what luagen
 * inferred and why, for `--explain-types`.
 */
export function checkReturns(input: ReturnCheckInput): { returns: Signature["returns"]; diagnostics: Diagnostic[] } {
  const { chunk, signature, lookup } = input;
  const keys = countRequired(signature.keys);
  const args = countRequired(signature.args);
  const inference = inferReturns(chunk, { lookup, keys, args, line: (line) => input.where({ line, column: 1 }) });
  const at = (site: ReturnSite): Position => nodePosition(site.node, chunk);
  const explanation = inference.sites.map((site) => `${input.where(at(site))}: ${explain(site)}`);
  if (inference.fallsThrough) explanation.push("end of script: nil (it can end without a return)");
  if (signature.returns.origin !== "missing") {
    const diagnostics = inference.sites.flatMap((site) =>
      checkSite(input.place, at(site), site, signature.returns.type),
    );
    return { returns: { ...signature.returns, explanation }, diagnostics };
  }
  const inferred = unionOfReturns(inference.sites, inference.fallsThrough);
  const returns: Signature["returns"] =
    inferred === undefined
      ? { ...signature.returns, explanation }
      : { type: inferred, description: signature.returns.description, origin: "inferred", explanation };
  const diagnostics = inference.sites.flatMap((site) =>
    lossyConversions(input.place, at(site), site.value.type, "LG222"),
  );
  return { returns, diagnostics };
}

function countRequired(params: readonly { rest: boolean; optional?: boolean }[]): number {
  const required = params.findIndex((p) => p.rest || p.optional === true);
  return required < 0 ? params.length : required;
}

function explain(site: ReturnSite): string {
  const reply = luaToReply(site.value.type);
  const shown = reply === undefined ? "an error (not a reply)" : replyText(reply);
  return `${shown} (${site.value.why})`;
}

/** Every return's reply, when each is known; undefined (stay `unknown`) otherwise. */
function unionOfReturns(sites: readonly ReturnSite[], fallsThrough: boolean): ReturnType | undefined {
  const replies = sites.flatMap((site) => {
    const reply = luaToReply(site.value.type);
    return reply === undefined ? [] : [reply];
  });
  if (fallsThrough) replies.push({ kind: "nil" });
  if (replies.length === 0) return undefined;
  const union = replyUnion(replies);
  return isKnown(union) ? union : undefined;
}

function checkSite(place: Place, at: Position, site: ReturnSite, declared: ReturnType): Diagnostic[] {
  const lua = site.value.type;
  const diagnostics = lossyConversions(place, at, lua, "LG221");
  // A value Redis changes on the way out is one problem, reported once (LG221), not twice.
  if (diagnostics.length > 0) return diagnostics;
  const reply = luaToReply(lua);
  if (reply !== undefined && !assignable(reply, declared)) {
    const partly = someVariantsMatch(place, at, site, declared);
    if (partly !== undefined) return [partly];
    const message = `this return replies ${replyText(reply)} (${site.value.why}), but ---@return declares ${replyText(declared)}`;
    return [place("LG220", at, message, mismatchHint(lua, reply, declared))];
  }
  if (contains(declared, "number") && mayBeFraction(lua)) {
    const message = `this return may be a fraction (${site.value.why}), which Redis truncates to an integer; ---@return declares number`;
    const hint =
      "Redis converts a Lua number to an integer reply by truncating it: return math.floor(x) if that is meant, " +
      "or return tostring(x) and declare string to keep the fraction";
    return [place("LG222", at, message, hint)];
  }
  return [];
}

/**
 * LG223: the call's arguments leave its reply open and only some of the shapes they may select
 * match the declaration, so a warning that names the arguments that would make it wrong. Undefined
 * when none match (then it is LG220) or the value has no such shapes.
 */
function someVariantsMatch(place: Place, at: Position, site: ReturnSite, declared: ReturnType): Diagnostic | undefined {
  const variants = site.value.variants ?? [];
  const fits = (type: LuaType) => {
    const reply = luaToReply(type);
    return reply === undefined || assignable(reply, declared);
  };
  const wrong = variants.filter((v) => !fits(v.type));
  if (wrong.length === 0 || wrong.length === variants.length) return undefined;
  const cases = wrong.map((v) => `${replyText(luaToReply(v.type)!)} for ${v.when}`).join(", ");
  const message = `this return replies ${cases}, which ---@return ${replyText(declared)} does not declare (${site.value.why})`;
  const hint =
    "the call's arguments are not literals, so luagen cannot tell which shape it gives: write the deciding argument as a literal, " +
    `or declare ---@return ${replyText(replyUnion([declared, ...wrong.map((v) => luaToReply(v.type)!)]))}`;
  return place("LG223", at, message, hint);
}

/** A number from an operation that makes fractions (`/`, `math.sqrt`), here or in a table it returns. */
function mayBeFraction(lua: LuaType): boolean {
  return membersOf(lua).some((t) =>
    t.kind === "number" ? t.integral === false : t.kind === "tuple" && t.elements.some(mayBeFraction),
  );
}

/**
 * Is every reply `from` can be a reply `to` allows, as the caller sees it (status and bulk are both
 * strings)? `unknown` on either side never fails. An array's length is not known: it fits a tuple
 * whose every element its elements fit.
 */
export function assignable(from: ReturnType, to: ReturnType): boolean {
  if (from.kind === "unknown" || to.kind === "unknown") return true;
  if (from.kind === "union") return from.members.every((m) => assignable(m, to));
  if (to.kind === "union") return to.members.some((m) => assignable(from, m));
  if (from.kind === "array") {
    if (to.kind === "array") return assignable(from.element, to.element);
    return to.kind === "tuple" && to.elements.every((e) => assignable(from.element, e));
  }
  if (from.kind === "tuple") {
    if (to.kind === "array") return from.elements.every((e) => assignable(e, to.element));
    return (
      to.kind === "tuple" &&
      to.elements.length === from.elements.length &&
      from.elements.every((e, i) => assignable(e, to.elements[i]))
    );
  }
  if (to.kind === "array" || to.kind === "tuple") return false;
  // As the caller sees them: status and bulk are strings; an integer reply is what `number` declares.
  const asSeen = (kind: string) => (kind === "status" ? "string" : kind === "number" ? "integer" : kind);
  return asSeen(from.kind) === asSeen(to.kind);
}

/** The conversion rules that turned the Lua value into this reply, then the fix. */
function mismatchHint(lua: LuaType, reply: ReturnType, declared: ReturnType): string {
  const rules = new Set<string>();
  for (const member of membersOf(lua)) {
    if (member.kind === "boolean" && member.value !== true) rules.add("Lua false (a command's nil reply) replies nil");
    if (member.kind === "boolean" && member.value !== false) rules.add("true replies 1");
    if (member.kind === "number") rules.add("a Lua number replies an integer");
    if (member.kind === "tuple" || member.kind === "array") rules.add("a table replies an array cut at its first nil");
  }
  const fix = `declare ---@return ${replyText(replyUnion([declared, reply]))} if that is what the script means, or change what this return gives`;
  return [...rules, fix].join("; ");
}

/**
 * Values Redis changes on the way out, here or in a table returned: a fraction (truncated), a table
 * with nil before its end (cut there). LG221 against a `---@return`; LG222 without one, where the
 * inferred type already shows what Redis replies.
 */
function lossyConversions(place: Place, at: Position, lua: LuaType, code: "LG221" | "LG222"): Diagnostic[] {
  const unannotated = code === "LG222" ? " (the inferred return type shows the reply as Redis sends it)" : "";
  return lossy(lua, []).map((found) => place(code, at, found.message, found.hint + unannotated));
}

/** `position` is the path into nested tables (`[2]`, `[2, 1]`); empty for the returned value itself. */
function lossy(lua: LuaType, position: number[]): { message: string; hint: string }[] {
  return membersOf(lua).flatMap((member) => {
    if (member.kind === "number" && member.value !== undefined && !Number.isInteger(member.value)) {
      const where = position.length === 0 ? "" : ` at position ${position.join(".")}`;
      const what = position.length === 0 ? "this return gives" : "this table holds";
      return [
        {
          message: `${what} ${member.value}${where}, which Redis replies as the integer ${Math.trunc(member.value)}`,
          hint: "Redis converts a Lua number to an integer reply by truncating it; return tostring(x) to keep the fraction",
        },
      ];
    }
    if (member.kind !== "tuple") return [];
    const hole = member.elements.findIndex((e) => e.kind === "nil");
    const kept = hole < 0 ? member.elements : member.elements.slice(0, hole);
    const inside = kept.flatMap((element, i) => lossy(element, [...position, i + 1]));
    if (hole < 0 || hole === member.elements.length - 1) return inside;
    const lost = member.elements.length - hole - 1;
    const table = position.length === 0 ? "this table" : `the table at position ${position.join(".")}`;
    return [
      ...inside,
      {
        message: `${table} has nil at position ${hole + 1}: Redis cuts an array reply at its first nil, so the ${lost === 1 ? "value" : `${lost} values`} after it ${lost === 1 ? "is" : "are"} lost`,
        hint: "use false where a nil element is meant: Redis replies nil for it and keeps the rest",
      },
    ];
  });
}

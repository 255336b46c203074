import type { Chunk, Node } from "luaparse";
import type { Position } from "../model.js";
import { isGlobal, nodePosition, perChunk, walk } from "./parse.js";
import { SCRIPT_GLOBALS } from "./redis-api.js";

export type Table = "KEYS" | "ARGV";

/** What the script does with KEYS, ARGV and globals. */
export interface Usage {
  /** Every `KEYS[n]` / `ARGV[n]` with a literal integer n ≥ 1. */
  reads: { table: Table; index: number; at: Position }[];
  /** Tables used any other way (`#KEYS`, `KEYS[i]`, `unpack(ARGV)`): any index may be read. */
  dynamic: Set<Table>;
  globalWrites: { name: string; at: Position; isFunction: boolean }[];
  /**
   * The first read of each global no supported server defines (SCRIPT_GLOBALS), unless the script
   * writes it (LG204 already) or only reads it as a fallback that never runs there: `bit32` in
   * `bit or bit32`, `require` in `cjson or require('cjson')`.
   */
  undefinedReads: { name: string; at: Position }[];
}

/** What the script does with KEYS, ARGV and globals: one walk per chunk, read (never changed) by the checks and by adoption. */
export const collectUsage: (chunk: Chunk) => Usage = perChunk((chunk) => {
  const usage: Usage = { reads: [], dynamic: new Set(), globalWrites: [], undefinedReads: [] };
  // The walk visits a statement before its targets, so a write's target is known when reached.
  const targets = new Set<Node>();
  const fallbacks = new Set<Node>();
  const read = new Map<string, Position>();
  // From the body, not the chunk: `chunk.globals` lists identifiers a second time.
  walk(chunk.body, (node) => {
    if (node.type === "IndexExpression" && isGlobal(node.base) && isTable(node.base.name)) {
      const index = node.index.type === "NumericLiteral" ? node.index.value : NaN;
      if (Number.isInteger(index) && index >= 1) {
        usage.reads.push({ table: node.base.name, index, at: nodePosition(node, chunk) });
        return false; // its base is this read, not a dynamic use of the table
      }
    } else if (isGlobal(node) && isTable(node.name)) {
      usage.dynamic.add(node.name);
    } else if (node.type === "AssignmentStatement") {
      for (const target of node.variables.filter(isGlobal)) {
        targets.add(target);
        usage.globalWrites.push({ name: target.name, at: nodePosition(target, chunk), isFunction: false });
      }
    } else if (node.type === "FunctionDeclaration" && isGlobal(node.identifier)) {
      targets.add(node.identifier);
      usage.globalWrites.push({
        name: node.identifier.name,
        at: nodePosition(node.identifier, chunk),
        isFunction: true,
      });
    } else if (node.type === "LogicalExpression" && node.operator === "or" && isAlwaysTrue(node.left)) {
      walk(node.right, (inner) => {
        if (isGlobal(inner)) fallbacks.add(inner);
        return true;
      });
    } else if (isGlobal(node) && !isDefined(node) && !targets.has(node) && !fallbacks.has(node)) {
      if (!read.has(node.name)) read.set(node.name, nodePosition(node, chunk));
    }
    return true;
  });
  const written = new Set(usage.globalWrites.map((write) => write.name));
  for (const [name, at] of read) if (!written.has(name)) usage.undefinedReads.push({ name, at });
  return usage;
});

/** The highest literal index read from `table` (`KEYS[3]` → 3), or 0. */
export function highestIndex(usage: Usage, table: Table): number {
  return Math.max(0, ...usage.reads.filter((r) => r.table === table).map((r) => r.index));
}

/** A global some supported server defines: a table or a function (where it is missing, reading it fails first). */
function isDefined(node: Node): boolean {
  return isGlobal(node) && SCRIPT_GLOBALS.has(node.name);
}

/** Never nil or false, so what follows an `or` after it never runs: `cjson`, `cjson or json`. */
function isAlwaysTrue(node: Node): boolean {
  return isDefined(node) || (node.type === "LogicalExpression" && node.operator === "or" && isAlwaysTrue(node.left));
}

function isTable(name: string): name is Table {
  return name === "KEYS" || name === "ARGV";
}

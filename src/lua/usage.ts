import type { Chunk } from "luaparse";
import type { Position } from "../model.js";
import { isGlobal, nodePosition, perChunk, walk } from "./parse.js";

export type Table = "KEYS" | "ARGV";

/** What the script does with KEYS, ARGV and globals. */
export interface Usage {
  /** Every `KEYS[n]` / `ARGV[n]` with a literal integer n ≥ 1. */
  reads: { table: Table; index: number; at: Position }[];
  /** Tables used any other way (`#KEYS`, `KEYS[i]`, `unpack(ARGV)`): any index may be read. */
  dynamic: Set<Table>;
  globalWrites: { name: string; at: Position; isFunction: boolean }[];
}

/** What the script does with KEYS, ARGV and globals: one walk per chunk, read (never changed) by the checks and by adoption. */
export const collectUsage: (chunk: Chunk) => Usage = perChunk((chunk) => {
  const usage: Usage = { reads: [], dynamic: new Set(), globalWrites: [] };
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
        usage.globalWrites.push({ name: target.name, at: nodePosition(target, chunk), isFunction: false });
      }
    } else if (node.type === "FunctionDeclaration" && isGlobal(node.identifier)) {
      usage.globalWrites.push({
        name: node.identifier.name,
        at: nodePosition(node.identifier, chunk),
        isFunction: true,
      });
    }
    return true;
  });
  return usage;
});

/** The highest literal index read from `table` (`KEYS[3]` → 3), or 0. */
export function highestIndex(usage: Usage, table: Table): number {
  return Math.max(0, ...usage.reads.filter((r) => r.table === table).map((r) => r.index));
}

function isTable(name: string): name is Table {
  return name === "KEYS" || name === "ARGV";
}

import type { Chunk } from "luaparse";
import { nodeOffset, nodePosition } from "../parse.js";

/** One `---` line of the leading doc block: the text after the dashes, and where that text starts. */
export interface DocLine {
  text: string;
  line: number;
  /** 1-based column of `text[0]`. */
  column: number;
}

/** A `-- @key`-style comment: a luagen tag behind two dashes, which luagen (like LuaLS) does not read. */
export interface StrayTag {
  tag: string;
  line: number;
  /** 1-based column of the comment's first dash. */
  column: number;
}

export interface DocBlock {
  lines: DocLine[];
  strays: StrayTag[];
}

const STRAY = /^--(?!-)\s*@(key|arg|return|name)\b/;

/**
 * The `---` comments before the first statement, up to the first comment of another kind, with
 * their lines in the script's own file (`ownLine`), and the `--` comments before that statement
 * that look like luagen tags. Comments and statements from included files are passed over: the
 * block is what the script's own lines say before its own first statement.
 */
export function leadingDocBlock(chunk: Chunk, shebang: boolean, ownLine: (line: number) => number | undefined): DocBlock {
  const first = chunk.body.find((statement) => ownLine(nodePosition(statement).line) !== undefined);
  const end = first === undefined ? Infinity : nodeOffset(first);
  const block: DocBlock = { lines: [], strays: [] };
  let open = true;
  for (const comment of chunk.comments ?? []) {
    // The parser saw the shebang as a `--` comment at offset 0 (see parseLua).
    if (shebang && nodeOffset(comment) === 0) continue;
    const { line, column } = nodePosition(comment);
    const own = ownLine(line);
    if (own === undefined) continue;
    if (nodeOffset(comment) > end) break;
    const stray = STRAY.exec(comment.raw);
    if (stray) block.strays.push({ tag: stray[1], line: own, column });
    open &&= comment.raw.startsWith("---");
    if (open) block.lines.push({ text: comment.raw.slice(3), line: own, column: column + 3 }); // the text starts after `---`
  }
  return block;
}

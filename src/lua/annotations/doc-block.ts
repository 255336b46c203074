import type { Chunk, Comment } from "luaparse";
import type { ExpandedSource, SourceFile } from "../../model.js";
import { originOf } from "../../origins.js";
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

/** A comment of the script's own file, at its line there. */
export interface OwnComment {
  comment: Comment;
  line: number;
  column: number;
}

/** A line of the (expanded) chunk as a line of the script's own file; undefined for an included file's line. */
export type OwnLine = (line: number) => number | undefined;

/** With `expanded` (the chunk was parsed with its includes inlined), maps its lines back to the file's own. */
export function ownLineIn(file: SourceFile, expanded: ExpandedSource | undefined): OwnLine {
  return (line) => {
    const origin = expanded && originOf(expanded.origins, line);
    return origin === undefined ? line : origin.file === file.path ? origin.line : undefined;
  };
}

/**
 * The comments of the script's own lines before its own first statement, in order. Comments and
 * statements from included files are passed over: this is what the script says before its code.
 */
export function leadingComments(chunk: Chunk, ownLine: OwnLine): OwnComment[] {
  const first = chunk.body.find((statement) => ownLine(nodePosition(statement, chunk).line) !== undefined);
  const end = first === undefined ? Infinity : nodeOffset(first);
  const comments: OwnComment[] = [];
  for (const comment of chunk.comments ?? []) {
    if (nodeOffset(comment) > end) break;
    const { line, column } = nodePosition(comment, chunk);
    const own = ownLine(line);
    if (own !== undefined) comments.push({ comment, line: own, column });
  }
  return comments;
}

const STRAY = /^--(?!-)\s*@(key|arg|return|name)\b/;

/**
 * The `---` comments before the first statement, up to the first comment of another kind, and the
 * `--` comments before that statement that look like luagen tags.
 */
export function leadingDocBlock(chunk: Chunk, shebang: boolean, ownLine: OwnLine): DocBlock {
  const block: DocBlock = { lines: [], strays: [] };
  let open = true;
  for (const { comment, line, column } of leadingComments(chunk, ownLine)) {
    // The parser saw the shebang as a `--` comment at offset 0 (see parseLua).
    if (shebang && nodeOffset(comment) === 0) continue;
    const stray = STRAY.exec(comment.raw);
    if (stray) block.strays.push({ tag: stray[1], line, column });
    open &&= comment.raw.startsWith("---");
    if (open) block.lines.push({ text: comment.raw.slice(3), line, column: column + 3 }); // the text starts after `---`
  }
  return block;
}

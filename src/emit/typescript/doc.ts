import { WIDTH } from "./literal.js";
import { docText } from "../text.js";

/**
 * A JSDoc block of `paragraphs` (lines; "" between paragraphs), `*` + `/` broken apart and lines
 * wrapped at spaces to end before column WIDTH; a tag's wrapped lines are indented under it.
 * One short line becomes `/** text *\/`.
 */
export function docComment(lines: readonly string[], indent = ""): string {
  const body = lines.flatMap((line) => wrap(docText(line), WIDTH - indent.length - 3));
  if (body.length === 1 && indent.length + body[0]!.length + 7 <= WIDTH) return `${indent}/** ${body[0]} */`;
  return [`${indent}/**`, ...body.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`].join(
    "\n",
  );
}

/** `line` in pieces of at most `width` characters, split at spaces; a word longer than that stays whole. */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const hanging = line.startsWith("@") ? "  " : "";
  const pieces: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    const next = current === "" ? word : `${current} ${word}`;
    if (next.length > width && current.trim() !== "") {
      pieces.push(current);
      current = `${hanging}${word}`;
    } else {
      current = next;
    }
  }
  pieces.push(current);
  return pieces;
}

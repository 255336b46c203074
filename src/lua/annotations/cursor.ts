import type { Code } from "../../diagnostics.js";
import type { DocLine } from "./doc-block.js";

/**
 * What is wrong with a tag, and where on its line. A value, never thrown: each reading function
 * returns it up to the tag reader, which reports it once, so one bad tag does not hide the others.
 */
export class TagProblem {
  constructor(
    readonly code: Code,
    readonly column: number,
    readonly message: string,
    readonly hint?: string,
  ) {}
}

/** Reads one doc line left to right: the tokenizer of the tag grammar. `column` is 1-based in the file. */
export class Cursor {
  pos = 0;
  constructor(private readonly doc: DocLine) {}
  get column(): number {
    return this.doc.column + this.pos;
  }
  get done(): boolean {
    return this.pos >= this.doc.text.length;
  }
  peek(): string {
    return this.doc.text.charAt(this.pos);
  }
  /** Consumes what the sticky `pattern` matches here; undefined (and nothing consumed) when it does not. */
  read(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.doc.text);
    if (match === null) return undefined;
    this.pos += match[0].length;
    return match[0];
  }
  skipSpace(): boolean {
    return this.read(/\s+/y) !== undefined;
  }
  rest(): string {
    return this.doc.text.slice(this.pos);
  }
  /** A problem at the cursor. */
  problem(code: Code, message: string, hint?: string): TagProblem {
    return new TagProblem(code, this.column, message, hint);
  }
  /** Names what is at the cursor, for "expected X, found Y". */
  found(): string {
    return this.done ? "the end of the line" : `'${this.peek()}'`;
  }
}

export const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

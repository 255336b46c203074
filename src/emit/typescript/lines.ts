/**
 * Generated text, a line at a time: all luagen's emitters need of a code writer. Every emitter
 * writes whole lines (indentation is part of the text it writes), so this keeps code-block-writer's
 * output for those calls byte for byte — a line always starts a new line, `\r\n` inside a line's
 * text becomes `\n`, a blank line at the very start is two newlines — without its per-character
 * scan for strings and comments, which served an indentation luagen never asked it for (see the
 * commit that replaced it for the measurement).
 */
export class Lines {
  private readonly parts: string[] = [];

  writeLine(text: string): this {
    this.parts.push(text.includes("\r") ? text.split(/\r?\n/).join("\n") : text, "\n");
    return this;
  }

  blankLine(): this {
    if (this.parts.length === 0) this.parts.push("\n");
    this.parts.push("\n");
    return this;
  }

  toString(): string {
    return this.parts.join("");
  }
}

/**
 * Text printed into generated code, escaped for where it goes. A path is whatever the file
 * system allowed: quotes, backslashes, `*` + `/`, newlines, U+2028 (a line terminator to
 * JavaScript, so it ends a `//` comment).
 */

/** A string literal: JSON's escaping, plus U+2028/U+2029, which older parsers reject unescaped. */
export function stringLiteral(text: string): string {
  const literal = JSON.stringify(text);
  // One test instead of two replaces on every line of every script: most text has neither.
  return LINE_SEPARATORS.test(literal) ? literal.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029") : literal;
}

const LINE_SEPARATORS = /[\u2028\u2029]/;

/** Characters that could end or garble a comment (line terminators, other controls, a block's end). */
const UNSAFE_IN_COMMENT = /[\u0000-\u001f\u007f\u2028\u2029]|\*\//;

/**
 * A path inside a `//` or `/* *\/` comment: as it is when that is safe, else as the content of a
 * string literal (`new\nline/x.lua`, backslashes doubled), with `*` + `/` written `*\/`.
 */
export function commentPath(path: string): string {
  if (!UNSAFE_IN_COMMENT.test(path)) return path;
  return stringLiteral(path).slice(1, -1).replace(/\*\//g, "*\\/");
}

/** Free text (a doc comment's summary or a description) inside a JSDoc block: break any `*` + `/` apart. */
export function docText(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

import luaparse from "luaparse";
import type { Position } from "../model.js";

/**
 * Lua 5.1's LUAI_MAXCCALLS. Its parser counts a level on entering every block (`chunk()`) and every
 * expression or operand (`subexpr()`) and refuses a chunk past this with "chunk has too many syntax
 * levels"; Redis compiles scripts with that parser. Measured against redis-server 7.0.15: the
 * smallest refused script is 199 nested parentheses (`return ((…1…))`) or 200 nested `do` blocks.
 */
export const MAX_SYNTAX_LEVELS = 200;

export interface Token {
  type: number;
  value: string | number | boolean | null;
  line: number;
  lineStart: number;
  range: [number, number];
}

// luaparse.tokenTypes
const EOF = 1;
const STRING = 2;
export const KEYWORD = 4;
const NAME = 8;
const NUMBER = 16;
export const PUNCTUATOR = 32;
const LITERALS = new Set([STRING, NUMBER, 64 /* boolean */, 128 /* nil */, 256 /* ... */]);

/** Binary operators' [left, right] priorities, as in lparser.c: right-associative `..` and `^` nest. */
const BINARY: Record<string, readonly [number, number]> = {
  "+": [6, 6],
  "-": [6, 6],
  "*": [7, 7],
  "/": [7, 7],
  "%": [7, 7],
  "^": [10, 9],
  "..": [5, 4],
  "==": [3, 3],
  "~=": [3, 3],
  "<": [3, 3],
  "<=": [3, 3],
  ">": [3, 3],
  ">=": [3, 3],
  and: [2, 2],
  or: [1, 1],
};
const UNARY_PRIORITY = 8;
const BLOCK_FOLLOW = new Set(["else", "elseif", "end", "until"]);

class TooDeep {
  constructor(readonly token: Token) {}
}

/** Not Lua the level count understands: luaparse reports what is wrong. */
const UNPARSABLE = new Error("unparsable");

/**
 * Where Redis's parser would stop with "chunk has too many syntax levels", or undefined. A mirror
 * of Lua 5.1's recursive descent that counts levels and nothing else; luaparse cannot do it (it
 * drops nested parentheses and overflows the stack itself on a few thousand levels). On input that
 * is not valid Lua it gives up before any level past the limit: the syntax error is luaparse's to report.
 */
export function tooDeep(tokens: readonly Token[] | undefined): Position | undefined {
  if (tokens === undefined) return undefined;
  try {
    new Levels(tokens).chunk();
    return undefined;
  } catch (error) {
    if (error instanceof TooDeep)
      return { line: error.token.line, column: error.token.range[0] - error.token.lineStart + 1 };
    if (error === UNPARSABLE) return undefined;
    throw error;
  }
}

/** luaparse's tokens of `source`, ending with EOF; undefined when its lexer stops on an error. */
export function lex(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  try {
    const lexer = luaparse.parse(source, { wait: true, luaVersion: "5.1" }) as unknown as { lex(): Token };
    for (let token = lexer.lex(); ; token = lexer.lex()) {
      tokens.push(token);
      if (token.type === EOF) return tokens;
    }
  } catch {
    return undefined;
  }
}

/** lparser.c's functions, by the same names, reduced to what moves the level. */
class Levels {
  private i = 0;
  private level = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  chunk(): void {
    this.enter();
    let last = false;
    while (!last && !this.blockFollow()) {
      last = this.statement();
      this.accept(";");
    }
    this.level--;
  }

  /** True for `return` and `break`, which end a block. */
  private statement(): boolean {
    const token = this.token;
    if (token.type === KEYWORD) {
      switch (token.value) {
        case "if":
          this.next();
          this.thenBlock();
          while (this.accept("elseif")) this.thenBlock();
          if (this.accept("else")) this.chunk();
          this.expect("end");
          return false;
        case "while":
          this.next();
          this.expr();
          this.doBlock();
          return false;
        case "do":
          this.next();
          this.chunk();
          this.expect("end");
          return false;
        case "for":
          this.next();
          this.name();
          if (this.accept("=")) {
            this.expr();
            this.expect(",");
            this.expr();
            if (this.accept(",")) this.expr();
          } else {
            while (this.accept(",")) this.name();
            this.expect("in");
            this.exprList();
          }
          this.doBlock();
          return false;
        case "repeat":
          this.next();
          this.chunk();
          this.expect("until");
          this.expr();
          return false;
        case "function":
          this.next();
          this.name();
          while (this.accept(".")) this.name();
          if (this.accept(":")) this.name();
          this.body();
          return false;
        case "local":
          this.next();
          if (this.accept("function")) {
            this.name();
            this.body();
          } else {
            this.name();
            while (this.accept(",")) this.name();
            if (this.accept("=")) this.exprList();
          }
          return false;
        case "return":
          this.next();
          if (!this.blockFollow() && !this.is(";")) this.exprList();
          return true;
        case "break":
          this.next();
          return true;
      }
    }
    // A call or an assignment: Lua 5.1 reads these with primaryexp, no expression level.
    this.primary();
    while (this.accept(",")) this.primary();
    if (this.accept("=")) this.exprList();
    return false;
  }

  private thenBlock(): void {
    this.expr();
    this.expect("then");
    this.chunk();
  }

  private doBlock(): void {
    this.expect("do");
    this.chunk();
    this.expect("end");
  }

  private body(): void {
    this.expect("(");
    while (!this.is(")")) {
      if (!this.accept("...")) this.name();
      if (!this.accept(",")) break;
    }
    this.expect(")");
    this.chunk();
    this.expect("end");
  }

  private exprList(): void {
    this.expr();
    while (this.accept(",")) this.expr();
  }

  private expr(): void {
    this.subexpr(0);
  }

  /** Precedence climbing as lparser.c does it: returns the first operator it did not take. */
  private subexpr(limit: number): readonly [number, number] | undefined {
    this.enter();
    if (this.isUnary()) {
      this.next();
      this.subexpr(UNARY_PRIORITY);
    } else {
      this.simple();
    }
    let op = this.binary();
    while (op !== undefined && op[0] > limit) {
      this.next();
      op = this.subexpr(op[1]);
    }
    this.level--;
    return op;
  }

  private simple(): void {
    if (LITERALS.has(this.token.type) || this.is("...")) this.next();
    else if (this.is("{")) this.constructor_();
    else if (this.accept("function")) this.body();
    else this.primary();
  }

  private primary(): void {
    if (this.token.type === NAME) this.next();
    else if (this.accept("(")) {
      this.expr();
      this.expect(")");
    } else throw UNPARSABLE;
    for (;;) {
      if (this.accept(".")) this.name();
      else if (this.accept("[")) {
        this.expr();
        this.expect("]");
      } else if (this.accept(":")) {
        this.name();
        this.args();
      } else if (this.is("(") || this.is("{") || this.token.type === STRING) this.args();
      else return;
    }
  }

  private args(): void {
    if (this.token.type === STRING) this.next();
    else if (this.is("{")) this.constructor_();
    else {
      this.expect("(");
      if (!this.is(")")) this.exprList();
      this.expect(")");
    }
  }

  private constructor_(): void {
    this.expect("{");
    while (!this.is("}")) {
      if (this.token.type === NAME && this.peekIs("=")) {
        this.next();
        this.next();
      } else if (this.accept("[")) {
        this.expr();
        this.expect("]");
        this.expect("=");
      }
      this.expr();
      if (!this.accept(",") && !this.accept(";")) break;
    }
    this.expect("}");
  }

  private enter(): void {
    if (++this.level > MAX_SYNTAX_LEVELS) throw new TooDeep(this.token);
  }

  private get token(): Token {
    return this.tokens[this.i];
  }

  private is(value: string): boolean {
    const { type, value: v } = this.token;
    return (type === PUNCTUATOR || type === KEYWORD || type === 256) && v === value;
  }

  private peekIs(value: string): boolean {
    const next = this.tokens[this.i + 1];
    return next !== undefined && next.type === PUNCTUATOR && next.value === value;
  }

  private isUnary(): boolean {
    return this.is("not") || this.is("-") || this.is("#");
  }

  private binary(): readonly [number, number] | undefined {
    const { type, value } = this.token;
    return type === PUNCTUATOR || (type === KEYWORD && Object.hasOwn(BINARY, String(value)))
      ? BINARY[String(value)]
      : undefined;
  }

  private blockFollow(): boolean {
    return this.token.type === EOF || (this.token.type === KEYWORD && BLOCK_FOLLOW.has(String(this.token.value)));
  }

  private next(): void {
    if (this.i < this.tokens.length - 1) this.i++;
  }

  private accept(value: string): boolean {
    if (!this.is(value)) return false;
    this.next();
    return true;
  }

  private expect(value: string): void {
    if (!this.accept(value)) throw UNPARSABLE;
  }

  private name(): void {
    if (this.token.type !== NAME) throw UNPARSABLE;
    this.next();
  }
}

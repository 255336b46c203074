import type { Chunk, Expression, FunctionDeclaration, Identifier, Statement } from "luaparse";
import type { Binding, Resolution } from "./scopes.js";

/**
 * What a read of a local cannot be, because of the tests control passed to get there: `nil`, `false`,
 * or `truthy` (anything else). After `if not v then return 0 end`, a later `v` is neither nil nor
 * false; inside `if v == false then ... end`, `v` is neither nil nor truthy.
 */
export type Category = "nil" | "false" | "truthy";
export type Exclusion = ReadonlySet<Category>;

/** Every read of a local that some test narrows, with what it excludes there. */
export type Narrowing = Map<Identifier, Exclusion>;

/** What is known, at one point of the script, about each local some test narrowed. */
type Facts = ReadonlyMap<Binding, Exclusion>;

const NONE: Facts = new Map();
const NOT_FALSY: Exclusion = new Set(["nil", "false"]);

/**
 * Flow-sensitive narrowing, for the simple, honest cases only: a condition's facts hold inside the
 * branch it guards, and after an `if` whose branch cannot fall through (`return`, `error()`, `break`);
 * an operation that raises on nil and false (`v + 1`, `v .. s`, `#v`, `v[k]`, `v < 1`) rules both out
 * for what follows it. An assignment forgets what was known; a loop forgets what its body assigns; a
 * function's body starts knowing nothing; a local some other function assigns is never narrowed
 * (a call may change it at any time). Anything else is not narrowed: a read keeps its whole type.
 */
export function narrowReads(chunk: Chunk, refs: Resolution): Narrowing {
  const walker = new Walker(refs);
  walker.block(chunk.body, NONE);
  return walker.narrowed;
}

class Walker {
  readonly narrowed: Narrowing = new Map();

  constructor(private readonly refs: Resolution) {}

  /** The facts at the end of `body`, or undefined when control cannot reach its end. */
  block(body: readonly Statement[], facts: Facts): Facts | undefined {
    let current: Facts | undefined = facts;
    for (const statement of body) {
      if (current === undefined) return undefined;
      current = this.statement(statement, current);
    }
    return current;
  }

  private statement(s: Statement, facts: Facts): Facts | undefined {
    switch (s.type) {
      case "LocalStatement":
        s.init.forEach((e) => this.read(e, facts));
        return and(facts, this.raises(s.init));
      case "AssignmentStatement": {
        s.init.forEach((e) => this.read(e, facts));
        for (const target of s.variables) if (target.type !== "Identifier") this.read(target, facts);
        const after = and(facts, this.raises([...s.init, ...s.variables.filter((t) => t.type !== "Identifier")]));
        return forget(
          after,
          s.variables.flatMap((t) => this.bindingOf(t) ?? []),
        );
      }
      case "CallStatement":
        this.read(s.expression, facts);
        if (isErrorCall(s.expression, this.refs)) return undefined;
        return and(facts, this.raises([s.expression]));
      case "ReturnStatement":
        s.arguments.forEach((e) => this.read(e, facts));
        return undefined;
      case "BreakStatement":
        // The loop's end: what follows the loop is computed without what its body knew.
        return undefined;
      case "FunctionDeclaration":
        this.fn(s);
        return s.identifier === null
          ? facts
          : forget(
              facts,
              [this.bindingOf(s.identifier)].flatMap((b) => b ?? []),
            );
      case "DoStatement":
        return this.block(s.body, facts);
      case "IfStatement":
        return this.ifStatement(s, facts);
      case "WhileStatement": {
        const entry = forget(facts, assignedIn(s.body, this.refs));
        this.read(s.condition, entry);
        const test = this.test(s.condition);
        this.block(s.body, and(and(entry, this.raises([s.condition])), test.whenTrue));
        return entry;
      }
      case "RepeatStatement": {
        const entry = forget(facts, assignedIn(s.body, this.refs));
        const end = this.block(s.body, entry);
        if (end !== undefined) this.read(s.condition, end);
        return entry;
      }
      case "ForNumericStatement":
      case "ForGenericStatement": {
        const heads = s.type === "ForNumericStatement" ? [s.start, s.end, ...(s.step ? [s.step] : [])] : s.iterators;
        heads.forEach((e) => this.read(e, facts));
        const entry = forget(and(facts, this.raises(heads)), assignedIn(s.body, this.refs));
        this.block(s.body, entry);
        return entry;
      }
      default:
        return facts;
    }
  }

  /** Each branch knows its condition held and the earlier ones did not; after, what every way out knows. */
  private ifStatement(s: Statement & { type: "IfStatement" }, facts: Facts): Facts | undefined {
    let rest = facts;
    const ends: Facts[] = [];
    for (const clause of s.clauses) {
      let inside = rest;
      if (clause.type !== "ElseClause") {
        this.read(clause.condition, rest);
        const checked = and(rest, this.raises([clause.condition]));
        const test = this.test(clause.condition);
        inside = and(checked, test.whenTrue);
        rest = and(checked, test.whenFalse);
      }
      const end = this.block(clause.body, inside);
      if (end !== undefined) ends.push(end);
    }
    if (s.clauses.at(-1)?.type !== "ElseClause") ends.push(rest);
    return ends.length === 0 ? undefined : ends.reduce(or);
  }

  private fn(f: FunctionDeclaration): void {
    this.block(f.body, NONE);
  }

  /**
   * Records, for every read of a local in `e`, what the facts exclude there; `a and b` reads b
   * knowing a held, `a or b` knowing it did not. A function's body starts knowing nothing.
   */
  private read(e: Expression, facts: Facts): void {
    switch (e.type) {
      case "Identifier": {
        const binding = this.refs.get(e);
        const known = binding && facts.get(binding);
        if (known && known.size > 0) this.narrowed.set(e, known);
        return;
      }
      case "FunctionDeclaration":
        return this.fn(e);
      case "LogicalExpression": {
        this.read(e.left, facts);
        const test = this.test(e.left);
        const right = and(facts, this.raises([e.left]));
        return this.read(e.right, and(right, e.operator === "and" ? test.whenTrue : test.whenFalse));
      }
      default:
        eachChild(e, (child) => this.read(child, facts));
    }
  }

  /** What a condition says about locals when it is true and when it is false. */
  private test(e: Expression): { whenTrue: Facts; whenFalse: Facts } {
    switch (e.type) {
      case "Identifier": {
        const binding = this.narrowable(e);
        if (!binding) break;
        return { whenTrue: new Map([[binding, NOT_FALSY]]), whenFalse: new Map([[binding, new Set(["truthy"])]]) };
      }
      case "UnaryExpression":
        if (e.operator !== "not") break;
        {
          const inner = this.test(e.argument);
          return { whenTrue: inner.whenFalse, whenFalse: inner.whenTrue };
        }
      case "BinaryExpression": {
        if (e.operator !== "==" && e.operator !== "~=") break;
        const equal = this.equality(e.left, e.right) ?? this.equality(e.right, e.left);
        if (!equal) break;
        return e.operator === "==" ? equal : { whenTrue: equal.whenFalse, whenFalse: equal.whenTrue };
      }
      case "LogicalExpression": {
        const left = this.test(e.left);
        const right = this.test(e.right);
        if (e.operator === "and")
          return {
            whenTrue: and(left.whenTrue, right.whenTrue),
            whenFalse: or(left.whenFalse, and(left.whenTrue, right.whenFalse)),
          };
        return {
          whenTrue: or(left.whenTrue, and(left.whenFalse, right.whenTrue)),
          whenFalse: and(left.whenFalse, right.whenFalse),
        };
      }
    }
    return { whenTrue: NONE, whenFalse: NONE };
  }

  /** `v == nil`, `v == false`, `v == true`, `v == 'x'` / `v == 1`: what v is when equal and when not. */
  private equality(a: Expression, b: Expression): { whenTrue: Facts; whenFalse: Facts } | undefined {
    const binding = a.type === "Identifier" ? this.narrowable(a) : undefined;
    if (!binding) return undefined;
    const facts = (equal: Category[], unequal: Category[]) => ({
      whenTrue: new Map([[binding, new Set(equal)]]),
      whenFalse: unequal.length === 0 ? NONE : new Map([[binding, new Set(unequal)]]),
    });
    switch (b.type) {
      case "NilLiteral":
        return facts(["false", "truthy"], ["nil"]);
      case "BooleanLiteral":
        return b.value ? facts(["nil", "false"], []) : facts(["nil", "truthy"], ["false"]);
      case "StringLiteral":
      case "NumericLiteral":
        return facts(["nil", "false"], []);
      default:
        return undefined;
    }
  }

  /** Locals an operation that raises on nil and false uses, wherever it certainly runs in `es`. */
  private raises(es: readonly Expression[]): Facts {
    // Called for every statement: allocates only when a local is found.
    let found: Map<Binding, Exclusion> | undefined;
    const operand = (e: Expression) => {
      const binding = e.type === "Identifier" ? this.narrowable(e) : undefined;
      if (binding) (found ??= new Map()).set(binding, NOT_FALSY);
    };
    const visit = (e: Expression): void => {
      switch (e.type) {
        case "FunctionDeclaration":
          return;
        case "LogicalExpression":
          // Only the left side certainly runs.
          return visit(e.left);
        case "BinaryExpression":
          if (e.operator !== "==" && e.operator !== "~=") {
            operand(e.left);
            operand(e.right);
          }
          break;
        case "UnaryExpression":
          if (e.operator !== "not") operand(e.argument);
          break;
        case "MemberExpression":
        case "IndexExpression":
        case "CallExpression":
        case "StringCallExpression":
        case "TableCallExpression":
          operand(e.base);
          break;
      }
      eachChild(e, visit);
    };
    for (const e of es) visit(e);
    return found ?? NONE;
  }

  private narrowable(id: Identifier): Binding | undefined {
    const binding = this.refs.get(id);
    return binding && !binding.assignedInClosure ? binding : undefined;
  }

  private bindingOf(target: Expression): Binding | undefined {
    return target.type === "Identifier" ? this.refs.get(target) : undefined;
  }
}

/** Both sets of facts hold: each local excludes what either excludes. */
function and(a: Facts, b: Facts): Facts {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  // Called at every statement, mostly with what is known already (`v` used again): copy only when
  // `b` adds a fact.
  let out: Map<Binding, Exclusion> | undefined;
  for (const [binding, excluded] of b) {
    const known = a.get(binding);
    if (known !== undefined && isSubset(excluded, known)) continue;
    out ??= new Map(a);
    out.set(binding, known === undefined ? excluded : new Set([...known, ...excluded]));
  }
  return out ?? a;
}

function isSubset(small: Exclusion, large: Exclusion): boolean {
  for (const category of small) if (!large.has(category)) return false;
  return true;
}

/** One of two sets of facts holds: each local excludes only what both exclude. */
function or(a: Facts, b: Facts): Facts {
  const out = new Map<Binding, Exclusion>();
  for (const [binding, excluded] of a) {
    const other = b.get(binding);
    if (!other) continue;
    const both = new Set([...excluded].filter((c) => other.has(c)));
    if (both.size > 0) out.set(binding, both);
  }
  return out;
}

function forget(facts: Facts, bindings: readonly Binding[]): Facts {
  // Called at every statement that assigns: copy only when a fact is actually lost.
  if (facts.size === 0 || !bindings.some((binding) => facts.has(binding))) return facts;
  const out = new Map(facts);
  for (const binding of bindings) out.delete(binding);
  return out;
}

/** Every local an assignment anywhere in `body` targets (nested blocks included). */
function assignedIn(body: readonly Statement[], refs: Resolution): Binding[] {
  const found: Binding[] = [];
  const walk = (statements: readonly Statement[]) => {
    for (const s of statements) {
      if (s.type === "AssignmentStatement")
        for (const t of s.variables) if (t.type === "Identifier" && refs.get(t)) found.push(refs.get(t)!);
      if (s.type === "FunctionDeclaration" && s.identifier?.type === "Identifier" && refs.get(s.identifier))
        found.push(refs.get(s.identifier)!);
      if (s.type === "IfStatement") s.clauses.forEach((c) => walk(c.body));
      else if ("body" in s && Array.isArray(s.body) && s.type !== "FunctionDeclaration") walk(s.body);
    }
  };
  walk(body);
  return found;
}

function isErrorCall(e: Expression, refs: Resolution): boolean {
  return (
    (e.type === "CallExpression" || e.type === "StringCallExpression" || e.type === "TableCallExpression") &&
    e.base.type === "Identifier" &&
    e.base.name === "error" &&
    !refs.has(e.base)
  );
}

/** Calls `visit` on the sub-expressions of an expression, in evaluation order (not a function's body). */
function eachChild(e: Expression, visit: (child: Expression) => void): void {
  switch (e.type) {
    case "BinaryExpression":
    case "LogicalExpression":
      visit(e.left);
      visit(e.right);
      return;
    case "UnaryExpression":
      return visit(e.argument);
    case "MemberExpression":
      return visit(e.base);
    case "IndexExpression":
      visit(e.base);
      return visit(e.index);
    case "CallExpression":
      visit(e.base);
      for (const argument of e.arguments) visit(argument);
      return;
    case "StringCallExpression":
      visit(e.base);
      return visit(e.argument);
    case "TableCallExpression":
      visit(e.base);
      return visit(e.arguments);
    case "TableConstructorExpression":
      for (const field of e.fields) {
        if (field.type === "TableKey") visit(field.key);
        visit(field.value);
      }
      return;
  }
}

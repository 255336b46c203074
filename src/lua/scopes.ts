import type {
  CallExpression,
  Chunk,
  Expression,
  FunctionDeclaration,
  Identifier,
  Statement,
  StringCallExpression,
  TableCallExpression,
} from "luaparse";
import { nodePosition, perChunk } from "./parse.js";

/** Where a local's value comes from: position `index` of an expression list (`local a, b = f()`). */
export interface Assigned {
  values: readonly Expression[];
  index: number;
}

/** One local variable (a `local`, a parameter, a loop variable, a local function). */
export interface Binding {
  name: string;
  line: number;
  kind: "local" | "parameter" | "numeric-for" | "generic-for" | "function";
  /** The declaration's value (`local x = ...`); undefined for `local x` with no value. */
  declared?: Assigned;
  /** `local function f`: its node. */
  fn?: FunctionDeclaration;
  /** Later assignments (`x = ...`, `function x() end`). */
  reassigned: (Assigned | FunctionDeclaration)[];
  /**
   * A function other than the one that declares it assigns it: any call may change it, so what a
   * test said about it may not hold at a later read (narrowing.ts leaves it alone).
   */
  assignedInClosure: boolean;
  /** It may be mutated or aliased (`x[k] = v`, `x:m()`, `local y = x`, `{x}`): a table in it may change. */
  escapes: boolean;
  /** Calls it is passed to: a table passed to anything but a read-only built-in may change. */
  passedTo: AnyCall[];
}

export type AnyCall = CallExpression | StringCallExpression | TableCallExpression;

/** Every identifier that names a local, with the local it names; identifiers not in it are globals. */
export type Resolution = Map<Identifier, Binding>;

type Use = "read" | "alias";

/**
 * Lua 5.1's lexical scopes over the whole chunk: which local each identifier names, and what is
 * ever assigned to each local. luaparse's `scope: true` marks only local-or-global, not which local.
 * Computed once per chunk (the return inference and the command checks both need it, and it is a
 * whole walk); callers read it and never change it.
 */
export const resolveScopes: (chunk: Chunk) => Resolution = perChunk((chunk) => {
  const resolver = new Resolver(chunk);
  resolver.block(chunk.body);
  return resolver.refs;
});

class Resolver {
  readonly refs: Resolution = new Map();
  constructor(private readonly chunk: Chunk) {}
  private scopes: Map<string, Binding>[] = [];
  /** The function each binding is declared in, and the one being walked (undefined: the chunk). */
  private owners = new Map<Binding, FunctionDeclaration | undefined>();
  private fn: FunctionDeclaration | undefined;

  /** `then` runs inside the block's scope, after its statements: a `repeat` body's `until`. */
  block(body: readonly Statement[], declare: Binding[] = [], then?: () => void): void {
    this.scopes.push(new Map(declare.map((b) => [b.name, b])));
    for (const statement of body) this.statement(statement);
    then?.();
    this.scopes.pop();
  }

  private find(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i].get(name);
      if (found) return found;
    }
    return undefined;
  }

  private declare(id: Identifier, kind: Binding["kind"], extra: Partial<Binding> = {}): Binding {
    const binding: Binding = {
      name: id.name,
      line: nodePosition(id, this.chunk).line,
      kind,
      reassigned: [],
      assignedInClosure: false,
      escapes: false,
      passedTo: [],
      ...extra,
    };
    this.owners.set(binding, this.fn);
    this.refs.set(id, binding);
    return binding;
  }

  private statement(s: Statement): void {
    switch (s.type) {
      case "LocalStatement": {
        s.init.forEach((e) => this.expression(e, "alias"));
        const bindings = s.variables.map((id, index) =>
          this.declare(id, "local", s.init.length > 0 ? { declared: { values: s.init, index } } : {}),
        );
        for (const b of bindings) this.scopes.at(-1)!.set(b.name, b);
        return;
      }
      case "AssignmentStatement":
        s.init.forEach((e) => this.expression(e, "alias"));
        s.variables.forEach((target, index) => this.assign(target, { values: s.init, index }));
        return;
      case "CallStatement":
        return this.expression(s.expression);
      case "FunctionDeclaration":
        return this.functionStatement(s);
      case "ReturnStatement":
        return s.arguments.forEach((e) => this.expression(e));
      case "IfStatement":
        for (const clause of s.clauses) {
          if (clause.type !== "ElseClause") this.expression(clause.condition);
          this.block(clause.body);
        }
        return;
      case "WhileStatement":
        this.expression(s.condition);
        return this.block(s.body);
      case "RepeatStatement":
        // `until` sees the body's locals.
        return this.block(s.body, [], () => this.expression(s.condition));
      case "DoStatement":
        return this.block(s.body);
      case "ForNumericStatement":
        [s.start, s.end, s.step].forEach((e) => e && this.expression(e));
        return this.block(s.body, [this.declare(s.variable, "numeric-for")]);
      case "ForGenericStatement":
        s.iterators.forEach((e) => this.expression(e));
        return this.block(
          s.body,
          s.variables.map((v) => this.declare(v, "generic-for")),
        );
      default:
        return;
    }
  }

  private assign(target: Expression, value: Assigned | FunctionDeclaration): void {
    if (target.type === "Identifier") {
      const binding = this.find(target.name);
      if (binding) {
        this.refs.set(target, binding);
        binding.reassigned.push(value);
        if (this.owners.get(binding) !== this.fn) binding.assignedInClosure = true;
      }
    } else if (target.type === "MemberExpression" || target.type === "IndexExpression") {
      this.expression(target.base, "alias");
      if (target.type === "IndexExpression") this.expression(target.index);
    }
  }

  private functionStatement(s: FunctionDeclaration): void {
    if (s.isLocal && s.identifier?.type === "Identifier") {
      const binding = this.declare(s.identifier, "function", { fn: s });
      this.scopes.at(-1)!.set(binding.name, binding);
    } else if (s.identifier) {
      this.assign(s.identifier, s);
    }
    this.functionBody(s);
  }

  private functionBody(f: FunctionDeclaration): void {
    const outer = this.fn;
    this.fn = f;
    const params = f.parameters
      .filter((p): p is Identifier => p.type === "Identifier")
      .map((p) => this.declare(p, "parameter"));
    const method = f.identifier?.type === "MemberExpression" && f.identifier.indexer === ":";
    if (method)
      params.push({
        name: "self",
        line: 0,
        kind: "parameter",
        reassigned: [],
        assignedInClosure: false,
        escapes: true,
        passedTo: [],
      });
    this.block(f.body, params);
    this.fn = outer;
  }

  expression(e: Expression, use: Use = "read"): void {
    switch (e.type) {
      case "Identifier": {
        const binding = this.find(e.name);
        if (!binding) return;
        this.refs.set(e, binding);
        if (use === "alias") binding.escapes = true;
        return;
      }
      case "FunctionDeclaration":
        return this.functionBody(e);
      case "TableConstructorExpression":
        for (const field of e.fields) {
          if (field.type === "TableKey") this.expression(field.key);
          this.expression(field.value, "alias");
        }
        return;
      case "BinaryExpression":
        this.expression(e.left);
        return this.expression(e.right);
      case "LogicalExpression":
        this.expression(e.left);
        // `a and b` / `a or b` may be the value of b itself: keep an alias visible.
        return this.expression(e.right, use === "alias" ? "alias" : "read");
      case "UnaryExpression":
        return this.expression(e.argument);
      case "MemberExpression":
        return this.expression(e.base);
      case "IndexExpression":
        this.expression(e.base);
        return this.expression(e.index);
      case "CallExpression":
      case "StringCallExpression":
      case "TableCallExpression":
        return this.call(e);
      default:
        return;
    }
  }

  private call(e: AnyCall): void {
    const method = e.base.type === "MemberExpression" && e.base.indexer === ":";
    if (method) this.expression((e.base as { base: Expression }).base, "alias");
    else this.expression(e.base);
    const args =
      e.type === "CallExpression" ? e.arguments : e.type === "StringCallExpression" ? [e.argument] : [e.arguments];
    for (const arg of args) {
      this.expression(arg);
      if (arg.type === "Identifier") this.refs.get(arg)?.passedTo.push(e);
    }
  }
}

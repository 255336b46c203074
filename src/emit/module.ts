import { StructureKind, type CodeBlockWriter, type WriterFunction, type OptionalKind, type ParameterDeclarationStructure, type JSDocStructure, type StatementStructures } from "ts-morph";
import type { ArgParam, Script, SourceOrigin } from "../model.js";
import { outputPathFor } from "../naming.js";
import { paramTypeText, returnTypeText } from "./types.js";

export interface ModuleOptions {
  /** Appended to relative imports: ".js" for NodeNext, "" for bundlers, ".ts" for allowImportingTsExtensions. */
  importExtension: string;
}

/** What a ts-morph source file is built from: structures, or text written by hand. */
export type Statement = StatementStructures | WriterFunction;


/** The statements of one script's module: imports, the frozen descriptor, the typed function. */
export function scriptModule(script: Script, options: ModuleOptions): Statement[] {
  const depth = outputPathFor(script).split("/").length - 1;
  const runtime = `${depth === 0 ? "./" : "../".repeat(depth)}runtime${options.importExtension}`;
  const usesKeys = script.signature.keys.length > 0;
  return [
    ...(usesKeys
      ? [{ kind: StructureKind.ImportDeclaration, isTypeOnly: true, namedImports: ["RedisKey"], moduleSpecifier: "ioredis" } satisfies StatementStructures]
      : []),
    {
      kind: StructureKind.ImportDeclaration,
      namedImports: ["defineScript", "runScript", "type ScriptBatch", "type ScriptClient", "type ScriptDescriptor"],
      moduleSpecifier: runtime,
    },
    descriptor(script),
    ...overloadedFunction(script),
  ];
}

/**
 * Written as text rather than a VariableStatement structure: ts-morph indents an initializer one
 * level deeper than its statement, and the descriptor literal reads best flush left.
 */
function descriptor(script: Script): Statement {
  const { signature } = script;
  const arg = (a: ArgParam) =>
    `{ name: ${JSON.stringify(a.name)}, kinds: ${list(a.type.kinds)}, literals: ${list(a.type.literals)}, optional: ${a.optional}, rest: ${a.rest} }`;
  const origin = (o: SourceOrigin) => `{ line: ${o.line}, file: ${JSON.stringify(o.file)}, fileLine: ${o.fileLine} }`;
  return (writer: CodeBlockWriter) => {
    writer.blankLineIfLastNot();
    writer.writeLine(`/** The \`${script.file.path}\` script: its exact source, SHA-1 and signature. */`);
    writer.write(`export const ${script.name}Script: ScriptDescriptor = defineScript(`).inlineBlock(() => {
      writer.writeLine(`name: ${JSON.stringify(script.name)},`);
      writer.writeLine(`file: ${JSON.stringify(script.file.path)},`);
      writeSource(writer, script.source);
      writer.writeLine(`sha1: ${JSON.stringify(script.sha1)},`);
      writer.writeLine(`numberOfKeys: ${signature.keys.some((k) => k.rest) ? "null" : signature.keys.length},`);
      writer.writeLine(`keys: [${signature.keys.map((k) => `{ name: ${JSON.stringify(k.name)}, rest: ${k.rest} }`).join(", ")}],`);
      writeList(writer, "args", signature.args.map(arg));
      // Only a script that includes other files has origins: every other descriptor stays as it was.
      if (script.origins) writeList(writer, "origins", script.origins.map(origin));
    });
    writer.write(");");
  };
}

const list = (items: readonly string[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;

/** `name: [],`, or one item a line. */
function writeList(writer: CodeBlockWriter, name: string, items: readonly string[]): void {
  if (items.length === 0) {
    writer.writeLine(`${name}: [],`);
    return;
  }
  writer.writeLine(`${name}: [`);
  writer.indent(() => items.forEach((item) => writer.writeLine(`${item},`)));
  writer.writeLine("],");
}

/**
 * One string literal per line, joined with "\n": the Lua reads as Lua in the generated file, and
 * escaping (JSON.stringify) keeps every byte exact without a template literal's `${` and `\` traps.
 */
function writeSource(writer: CodeBlockWriter, source: string): void {
  const lines = source.split("\n");
  if (lines.length === 1) {
    writer.writeLine(`source: ${JSON.stringify(source)},`);
    return;
  }
  writer.write("source: [");
  writer.indent(() => {
    for (const line of lines) writer.writeLine(`${JSON.stringify(line)},`);
  });
  writer.writeLine('].join("\\n"),');
}

function overloadedFunction(script: Script): StatementStructures[] {
  const { signature } = script;
  const target = targetName(script);
  const params = parameters(script);
  const result = returnTypeText(signature.returns.type);
  const keys = signature.keys.map((k) => k.name).join(", ");
  const args = signature.args.map((a) => a.name).join(", ");
  return [
    {
      kind: StructureKind.Function,
      isExported: true,
      name: script.name,
      overloads: [
        {
          docs: [jsDoc(script, target, "a client (`Redis` or `Cluster`); the call resolves to the script's reply")],
          parameters: [{ name: target, type: "ScriptClient" }, ...params],
          returnType: `Promise<${result}>`,
        },
        {
          docs: [jsDoc(script, target, "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`); the call is queued and the same object is returned for chaining")],
          typeParameters: [{ name: "Batch", constraint: "ScriptBatch" }],
          parameters: [{ name: target, type: "Batch" }, ...params],
          returnType: "Batch",
        },
      ],
      parameters: [{ name: target, type: "ScriptClient | ScriptBatch" }, ...params],
      returnType: "Promise<unknown> | ScriptBatch",
      statements: `return runScript(${script.name}Script, ${target}, [${keys}], [${args}]);`,
    },
  ];
}

/** `target`, unless a key or argument already has that name. */
function targetName(script: Script): string {
  const taken = new Set([...script.signature.keys, ...script.signature.args].map((p) => p.name));
  let name = "target";
  while (taken.has(name)) name = `_${name}`;
  return name;
}

function parameters(script: Script): OptionalKind<ParameterDeclarationStructure>[] {
  const { keys, args } = script.signature;
  return [...keys, ...args].map((p) => ({
    name: p.name,
    type: paramTypeText(p),
    hasQuestionToken: "optional" in p && p.optional === true,
  }));
}

function jsDoc(script: Script, target: string, targetDescription: string): OptionalKind<JSDocStructure> {
  const { signature } = script;
  const description = [signature.summary, `Runs \`${script.file.path}\`.`].filter(Boolean).join("\n\n") + "\n";
  const tags = [
    { tagName: "param", text: `${target} - ${targetDescription}` },
    ...[...signature.keys, ...signature.args].map((p) => ({
      tagName: "param",
      text: p.description ? `${p.name} - ${p.description}` : p.name,
    })),
  ];
  if (signature.returns.description) tags.push({ tagName: "returns", text: signature.returns.description });
  return { description: escapeDoc(description), tags: tags.map((t) => ({ ...t, text: escapeDoc(t.text) })) };
}

// A Lua comment may hold the two characters that close a JSDoc block; break them apart.
function escapeDoc(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

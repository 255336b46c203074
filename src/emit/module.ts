import type CodeBlockWriter from "code-block-writer";
import type { ArgParam, Script, SourceOrigin } from "../model.js";
import { outputPathFor } from "../naming.js";
import { paramTypeText, returnTypeText } from "./types.js";

export interface ModuleOptions {
  /** Appended to relative imports: ".js" for NodeNext, "" for bundlers, ".ts" for allowImportingTsExtensions. */
  importExtension: string;
}

/** Writes one script's module after its header: imports, the frozen descriptor, the typed function. */
export function writeScriptModule(writer: CodeBlockWriter, script: Script, options: ModuleOptions): void {
  const depth = outputPathFor(script).split("/").length - 1;
  const runtime = `${depth === 0 ? "./" : "../".repeat(depth)}runtime${options.importExtension}`;
  if (script.signature.keys.length > 0) writer.writeLine('import type { RedisKey } from "ioredis";');
  writer.writeLine(`import { defineScript, runScript, type ScriptBatch, type ScriptClient, type ScriptDescriptor } from "${runtime}";`);
  writeDescriptor(writer, script);
  writeFunction(writer, script);
}

function writeDescriptor(writer: CodeBlockWriter, script: Script): void {
  const { signature } = script;
  const arg = (a: ArgParam) =>
    `{ name: ${JSON.stringify(a.name)}, kinds: ${list(a.type.kinds)}, literals: ${list(a.type.literals)}, optional: ${a.optional}, rest: ${a.rest} }`;
  const origin = (o: SourceOrigin) => `{ line: ${o.line}, file: ${JSON.stringify(o.file)}, fileLine: ${o.fileLine} }`;
  writer.blankLine();
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
  writer.write(");").newLine();
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

/** Two overloads (a client gives a promise of the reply; a batch gives itself back) and the implementation. */
function writeFunction(writer: CodeBlockWriter, script: Script): void {
  const { signature } = script;
  const target = targetName(script);
  const params = parameterList(script);
  const result = returnTypeText(signature.returns.type);
  const keys = signature.keys.map((k) => k.name).join(", ");
  const args = signature.args.map((a) => a.name).join(", ");
  const signatureOf = (first: string) => `(${[`${target}: ${first}`, ...params].join(", ")})`;
  writer.blankLine();
  writeJsDoc(writer, script, target, "a client (`Redis` or `Cluster`); the call resolves to the script's reply");
  writer.writeLine(`export function ${script.name}${signatureOf("ScriptClient")}: Promise<${result}>;`);
  writeJsDoc(writer, script, target, "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`); the call is queued and the same object is returned for chaining");
  writer.writeLine(`export function ${script.name}<Batch extends ScriptBatch>${signatureOf("Batch")}: Batch;`);
  writer.write(`export function ${script.name}${signatureOf("ScriptClient | ScriptBatch")}: Promise<unknown> | ScriptBatch`).block(() => {
    writer.writeLine(`return runScript(${script.name}Script, ${target}, [${keys}], [${args}]);`);
  });
}

/** `target`, unless a key or argument already has that name. */
function targetName(script: Script): string {
  const taken = new Set([...script.signature.keys, ...script.signature.args].map((p) => p.name));
  let name = "target";
  while (taken.has(name)) name = `_${name}`;
  return name;
}

function parameterList(script: Script): string[] {
  const { keys, args } = script.signature;
  return [...keys, ...args].map((p) => `${p.name}${"optional" in p && p.optional ? "?" : ""}: ${paramTypeText(p)}`);
}

function writeJsDoc(writer: CodeBlockWriter, script: Script, target: string, targetDescription: string): void {
  const { signature } = script;
  const description = [signature.summary, `Runs \`${script.file.path}\`.`].filter(Boolean).join("\n\n");
  const tags = [
    `@param ${target} - ${targetDescription}`,
    ...[...signature.keys, ...signature.args].map((p) => `@param ${p.description ? `${p.name} - ${p.description}` : p.name}`),
  ];
  if (signature.returns.description) tags.push(`@returns ${signature.returns.description}`);
  const lines = [...escapeDoc(description).split("\n"), "", ...tags.map(escapeDoc)];
  writer.writeLine("/**");
  for (const line of lines) writer.writeLine(line ? ` * ${line}` : " *");
  writer.writeLine(" */");
}

// A Lua comment may hold the two characters that close a JSDoc block; break them apart.
function escapeDoc(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

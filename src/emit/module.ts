import type CodeBlockWriter from "code-block-writer";
import type { Client } from "../config.js";
import type { Script } from "../model.js";
import { outputPathFor } from "../naming.js";
import { descriptorFor, printDescriptor } from "./descriptor.js";
import { commentPath, docText, stringLiteral } from "./text.js";
import { paramTypeText, returnTypeText } from "./types.js";

export interface ModuleOptions {
  /** Appended to relative imports: ".js" for NodeNext, "" for bundlers, ".ts" for allowImportingTsExtensions. */
  importExtension: string;
  /** The client library the module is typed for; ioredis by default. */
  client?: Client;
}

/**
 * Per client library: the package a key's type comes from, and the runtime's target types the
 * overloads take (imported under the names `ScriptClient` and `ScriptBatch`), as the JSDoc names them.
 */
const CLIENT_TYPES: Record<Client, { from: string; key: string; client: string; batch: string; clientDoc: string; batchDoc: string }> = {
  ioredis: {
    from: "ioredis",
    key: "RedisKey",
    client: "ScriptClient",
    batch: "ScriptBatch",
    clientDoc: "a client (`Redis` or `Cluster`); the call resolves to the script's reply",
    batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`); the call is queued and the same object is returned for chaining",
  },
  iovalkey: {
    from: "iovalkey",
    key: "RedisKey",
    client: "ScriptClient",
    batch: "ScriptBatch",
    clientDoc: "a client (`Redis` or `Cluster`); the call resolves to the script's reply",
    batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`); the call is queued and the same object is returned for chaining",
  },
  "node-redis": {
    from: "redis",
    key: "RedisArgument",
    client: "NodeRedisClient",
    batch: "NodeRedisMulti",
    clientDoc: "a client or cluster (`createClient()`, `createCluster()`); the call resolves to the script's reply",
    batchDoc: "a multi (`client.multi()`), run by `exec()` or `execAsPipeline()`; the call is queued (always as EVAL) and the same multi is returned for chaining",
  },
};

/** Writes one script's module after its header: imports, the frozen descriptor, the typed function. */
export function writeScriptModule(writer: CodeBlockWriter, script: Script, options: ModuleOptions): void {
  const depth = outputPathFor(script).split("/").length - 1;
  const runtime = `${depth === 0 ? "./" : "../".repeat(depth)}runtime${options.importExtension}`;
  const names = bindingsFor(script);
  const types = CLIENT_TYPES[options.client ?? "ioredis"];
  for (const line of importLines(script, names, runtime, types)) writer.writeLine(line);
  writeDescriptor(writer, script, names);
  writeFunction(writer, script, names, types);
}

/**
 * The names a module's own code uses: the target parameter, the type parameter and everything it
 * imports. Each is its usual name unless the script already uses that name (its function, its
 * descriptor, a key or argument: `run.lua` exports `runScript`), then `_` is put before it until
 * it is free; so no script name can clash with them.
 */
interface Bindings {
  target: string;
  batch: string;
  RedisKey: string;
  defineScript: string;
  runScript: string;
  ScriptBatch: string;
  ScriptClient: string;
  ScriptDescriptor: string;
}

function bindingsFor(script: Script): Bindings {
  const params = [...script.signature.keys, ...script.signature.args].map((p) => p.name);
  const taken = new Set([script.name, `${script.name}Script`, ...params]);
  const free = (wanted: string) => {
    let name = wanted;
    while (taken.has(name)) name = `_${name}`;
    taken.add(name);
    return name;
  };
  return {
    target: free("target"),
    batch: free("Batch"),
    RedisKey: free("RedisKey"),
    defineScript: free("defineScript"),
    runScript: free("runScript"),
    ScriptBatch: free("ScriptBatch"),
    ScriptClient: free("ScriptClient"),
    ScriptDescriptor: free("ScriptDescriptor"),
  };
}

/** What a module imports: the one place that says from where, and under which local names. */
function importLines(script: Script, names: Bindings, runtime: string, types: (typeof CLIENT_TYPES)[Client]): string[] {
  const as = (name: keyof Bindings, exported: string = name) => (names[name] === exported ? exported : `${exported} as ${names[name]}`);
  const lines: string[] = [];
  if (script.signature.keys.length > 0) lines.push(`import type { ${as("RedisKey", types.key)} } from ${stringLiteral(types.from)};`);
  const fromRuntime = [
    as("defineScript"),
    as("runScript"),
    `type ${as("ScriptBatch", types.batch)}`,
    `type ${as("ScriptClient", types.client)}`,
    `type ${as("ScriptDescriptor")}`,
  ];
  lines.push(`import { ${fromRuntime.join(", ")} } from ${stringLiteral(runtime)};`);
  return lines;
}

function writeDescriptor(writer: CodeBlockWriter, script: Script, names: Bindings): void {
  const head = `export const ${script.name}Script: ${names.ScriptDescriptor} = ${names.defineScript}(`;
  writer.blankLine();
  writer.writeLine(`/** The \`${commentPath(script.file.path)}\` script: its exact source, SHA-1 and signature. */`);
  writer.writeLine(`${head}${printDescriptor(descriptorFor(script), head.length)});`);
}

/** Two overloads (a client gives a promise of the reply; a batch gives itself back) and the implementation. */
function writeFunction(writer: CodeBlockWriter, script: Script, names: Bindings, types: (typeof CLIENT_TYPES)[Client]): void {
  const { signature } = script;
  const { target, batch, ScriptBatch, ScriptClient } = names;
  const params = parameterList(script, names);
  const result = returnTypeText(signature.returns.type);
  const keys = signature.keys.map((k) => k.name).join(", ");
  const args = signature.args.map((a) => a.name).join(", ");
  const signatureOf = (first: string) => `(${[`${target}: ${first}`, ...params].join(", ")})`;
  writer.blankLine();
  writeJsDoc(writer, script, target, types.clientDoc);
  writer.writeLine(`export function ${script.name}${signatureOf(ScriptClient)}: Promise<${result}>;`);
  writeJsDoc(writer, script, target, types.batchDoc);
  writer.writeLine(`export function ${script.name}<${batch} extends ${ScriptBatch}>${signatureOf(batch)}: ${batch};`);
  writer.write(`export function ${script.name}${signatureOf(`${ScriptClient} | ${ScriptBatch}`)}: Promise<unknown> | ${ScriptBatch}`).block(() => {
    writer.writeLine(`return ${names.runScript}(${script.name}Script, ${target}, [${keys}], [${args}]);`);
  });
}

function parameterList(script: Script, names: Bindings): string[] {
  const { keys, args } = script.signature;
  return [...keys, ...args].map((p) => `${p.name}${"optional" in p && p.optional ? "?" : ""}: ${paramTypeText(p, names.RedisKey)}`);
}

function writeJsDoc(writer: CodeBlockWriter, script: Script, target: string, targetDescription: string): void {
  const { signature } = script;
  const description = [signature.summary, `Runs \`${commentPath(script.file.path)}\`.`].filter(Boolean).join("\n\n");
  const tags = [
    `@param ${target} - ${targetDescription}`,
    ...[...signature.keys, ...signature.args].map((p) => `@param ${p.description ? `${p.name} - ${p.description}` : p.name}`),
  ];
  const inferred = signature.returns.origin === "inferred" ? "(type inferred by luagen from the script's returns)" : "";
  const returns = [signature.returns.description, inferred].filter(Boolean).join(" ");
  if (returns) tags.push(`@returns ${returns}`);
  const lines = [...docText(description).split("\n"), "", ...tags.map(docText)];
  writer.writeLine("/**");
  for (const line of lines) writer.writeLine(line ? ` * ${line}` : " *");
  writer.writeLine(" */");
}

import type CodeBlockWriter from "code-block-writer";
import type { Client } from "../config.js";
import type { Script } from "../model.js";
import { outputPathFor } from "../naming.js";
import { descriptorFor, printDescriptor } from "./descriptor.js";
import { docComment } from "./doc.js";
import { code, printList } from "./literal.js";
import { commentPath, stringLiteral } from "./text.js";
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
const CLIENT_TYPES: Record<
  Client,
  { from: string; key: string; client: string; batch: string; clientDoc: string; batchDoc: string }
> = {
  ioredis: {
    from: "ioredis",
    key: "RedisKey",
    client: "ScriptClient",
    batch: "ScriptBatch",
    clientDoc: "a client (`Redis` or `Cluster`)",
    batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`)",
  },
  iovalkey: {
    from: "iovalkey",
    key: "RedisKey",
    client: "ScriptClient",
    batch: "ScriptBatch",
    clientDoc: "a client (`Redis` or `Cluster`)",
    batchDoc: "a pipeline or transaction (`redis.pipeline()`, `redis.multi()`)",
  },
  "node-redis": {
    from: "redis",
    key: "RedisArgument",
    client: "NodeRedisClient",
    batch: "NodeRedisMulti",
    clientDoc: "a client or cluster (`createClient()`, `createCluster()`); the call resolves to the script's reply",
    batchDoc:
      "a multi (`client.multi()`), run by `exec()` or `execAsPipeline()`; the call is queued (always as EVAL) and the same multi is returned for chaining",
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
  const as = (name: keyof Bindings, exported: string = name) =>
    names[name] === exported ? exported : `${exported} as ${names[name]}`;
  const lines: string[] = [];
  if (script.signature.keys.length > 0)
    lines.push(`import type { ${as("RedisKey", types.key)} } from ${stringLiteral(types.from)};`);
  const fromRuntime = [
    as("defineScript"),
    as("runScript"),
    `type ${as("ScriptBatch", types.batch)}`,
    `type ${as("ScriptClient", types.client)}`,
    `type ${as("ScriptDescriptor")}`,
  ];
  lines.push(printList("import {", code(fromRuntime), `} from ${stringLiteral(runtime)};`, "", true));
  return lines;
}

function writeDescriptor(writer: CodeBlockWriter, script: Script, names: Bindings): void {
  const head = `export const ${script.name}Script: ${names.ScriptDescriptor} = ${names.defineScript}(`;
  writer.blankLine();
  writer.writeLine(
    docComment([`The \`${commentPath(script.file.path)}\` script: its exact source, SHA-1 and signature.`]),
  );
  writer.writeLine(`${head}${printDescriptor(descriptorFor(script), head.length)});`);
}

/** Two overloads (a client gives a promise of the reply; a batch gives itself back) and the implementation. */
function writeFunction(
  writer: CodeBlockWriter,
  script: Script,
  names: Bindings,
  types: (typeof CLIENT_TYPES)[Client],
): void {
  const { signature } = script;
  const { target, batch, ScriptBatch, ScriptClient } = names;
  const params = parameterList(script, names);
  const reply = returnTypeText(signature.returns.type);
  const declaration = (typeParameters: string, targetType: string, returns: string, end: string) =>
    printList(
      `export function ${script.name}${typeParameters}(`,
      code([`${target}: ${targetType}`, ...params]),
      `): ${returns}${end}`,
    );
  const replyText = returnsText(script);
  writer.blankLine();
  writer.writeLine(jsDoc(script, target, types.clientDoc, replyText && `the script's reply: ${replyText}`));
  writer.writeLine(declaration("", ScriptClient, `Promise<${reply}>`, ";"));
  const queued = `\`${target}\`, the call queued in it for chaining; \`exec()\` gives its reply${replyText && `: ${replyText}`}`;
  writer.writeLine(jsDoc(script, target, types.batchDoc, queued));
  writer.writeLine(declaration(`<${batch} extends ${ScriptBatch}>`, batch, batch, ";"));
  writer.writeLine(declaration("", `${ScriptClient} | ${ScriptBatch}`, `Promise<unknown> | ${ScriptBatch}`, " {"));
  const keys = code(signature.keys.map((k) => k.name));
  const args = code(signature.args.map((a) => a.name));
  writer.writeLine(
    printList(`  return ${names.runScript}(`, [...code([`${script.name}Script`, target]), keys, args], ");", "  "),
  );
  writer.writeLine("}");
}

function parameterList(script: Script, names: Bindings): string[] {
  const { keys, args } = script.signature;
  return [...keys, ...args].map(
    (p) => `${p.name}${"optional" in p && p.optional ? "?" : ""}: ${paramTypeText(p, names.RedisKey)}`,
  );
}

/** What `@returns` says of the reply: the tag's description, and whether luagen inferred the type. */
function returnsText(script: Script): string {
  const { returns } = script.signature;
  const inferred = returns.origin === "inferred" ? "(type inferred by luagen from the script's returns)" : "";
  return [returns.description, inferred].filter(Boolean).join(" ");
}

/**
 * One overload's JSDoc: the summary, where the script is, the target, every parameter that has a
 * description (an empty `@param name` says nothing the signature does not), and what it returns.
 */
function jsDoc(script: Script, target: string, targetDescription: string, returns: string): string {
  const { signature } = script;
  const description = [signature.summary, `Runs \`${commentPath(script.file.path)}\`.`].filter(Boolean).join("\n\n");
  const params = [...signature.keys, ...signature.args].filter((p) => p.description !== "");
  const tags = [`@param ${target} - ${targetDescription}`, ...params.map((p) => `@param ${p.name} - ${p.description}`)];
  if (returns) tags.push(`@returns ${returns}`);
  return docComment([...description.split("\n"), "", ...tags]);
}

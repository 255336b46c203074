import path from "node:path";
import type { Lines } from "./lines.js";
import type { Script } from "../../model.js";
import { LIBRARY_MODULE, outputPathFor } from "../../naming.js";
import type { Client } from "../../config.js";
import { CLIENT_TYPES, type ClientTypes } from "./clients.js";
import { descriptorFor, printDescriptor } from "./descriptor.js";
import { docComment } from "./doc.js";
import { code, printList } from "./literal.js";
import { commentPath, stringLiteral } from "../text.js";
import { paramTypeText, returnTypeText } from "./types.js";

export interface ModuleOptions {
  /** Appended to relative imports: ".js" for NodeNext, "" for bundlers, ".ts" for allowImportingTsExtensions. */
  importExtension: string;
  /** The client library the module is typed for; ioredis by default. */
  client?: Client;
  /**
   * `--mode functions`: the output subfolder (`""` for the output folder) whose library
   * (`_library.ts`) the script's calls go through; absent for a script sent as a script.
   */
  library?: string | undefined;
}

/** Writes one script's module after its header: imports, the frozen descriptor, the typed function. */
export function writeScriptModule(writer: Lines, script: Script, options: ModuleOptions): void {
  const folder = path.posix.dirname(outputPathFor(script)).replace(/^\.$/, "");
  const runtime = `${upFrom(folder)}runtime${options.importExtension}`;
  const names = bindingsFor(script);
  const types = CLIENT_TYPES[options.client ?? "ioredis"];
  for (const line of importLines(script, names, runtime, types)) writer.writeLine(line);
  if (options.library !== undefined) {
    const as = names.library === "library" ? "library" : `library as ${names.library}`;
    const toLibrary = path.posix.relative(folder, options.library) || ".";
    const from = `${toLibrary}/${LIBRARY_MODULE}${options.importExtension}`;
    writer.writeLine(`import { ${as} } from ${stringLiteral(from)};`);
  }
  writeDescriptor(writer, script, names, options.library !== undefined ? names.library : undefined);
  writeFunction(writer, script, names, types);
}

/** The relative way up from an output subfolder (`""` for the output folder) to the output folder: `./`, `../`... */
export function upFrom(folder: string): string {
  return folder === "" ? "./" : "../".repeat(folder.split("/").length);
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
  library: string;
  /**
   * What the implementation calls a parameter that has the descriptor's name (`---@arg
   * limitScript` in `limit.lua`), so that its body still reaches the descriptor. Only the
   * implementation's parameter names change, which no caller sees.
   */
  descriptorParameter: string;
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
    library: free("library"),
    descriptorParameter: free(`${script.name}Script`),
  };
}

/** What a module imports: the one place that says from where, and under which local names. */
function importLines(script: Script, names: Bindings, runtime: string, types: ClientTypes): string[] {
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

function writeDescriptor(writer: Lines, script: Script, names: Bindings, library: string | undefined): void {
  const head = `export const ${script.name}Script: ${names.ScriptDescriptor} = ${names.defineScript}(`;
  writer.blankLine();
  writer.writeLine(
    docComment([`The \`${commentPath(script.file.path)}\` script: its exact source, SHA-1 and signature.`]),
  );
  writer.writeLine(`${head}${printDescriptor(descriptorFor(script), head.length, library)});`);
}

/** Two overloads (a client gives a promise of the reply; a batch gives itself back) and the implementation. */
function writeFunction(writer: Lines, script: Script, names: Bindings, types: ClientTypes): void {
  const { signature } = script;
  const { target, batch, ScriptBatch, ScriptClient } = names;
  const params = parameterList(script, names.RedisKey);
  const reply = returnTypeText(signature.returns.type);
  const declaration = (typeParameters: string, targetType: string, returns: string, end: string, list = params) =>
    printList(
      `export function ${script.name}${typeParameters}(`,
      code([`${target}: ${targetType}`, ...list]),
      `): ${returns}${end}`,
    );
  const replyText = returnsText(script);
  writer.blankLine();
  writer.writeLine(jsDoc(script, target, types.clientDoc, replyText && `the script's reply: ${replyText}`));
  writer.writeLine(declaration("", ScriptClient, `Promise<${reply}>`, ";"));
  const queued = `\`${target}\`, the call queued in it for chaining; \`exec()\` gives its reply${replyText && `: ${replyText}`}`;
  writer.writeLine(jsDoc(script, target, types.batchDoc, queued));
  writer.writeLine(declaration(`<${batch} extends ${ScriptBatch}>`, batch, batch, ";"));
  const descriptor = `${script.name}Script`;
  const own = (name: string) => (name === descriptor ? names.descriptorParameter : name);
  const ownParams = parameterList(script, names.RedisKey, own);
  writer.writeLine(
    declaration("", `${ScriptClient} | ${ScriptBatch}`, `Promise<unknown> | ${ScriptBatch}`, " {", ownParams),
  );
  const keys = code(signature.keys.map((k) => own(k.name)));
  const args = code(signature.args.map((a) => own(a.name)));
  writer.writeLine(printList(`  return ${names.runScript}(`, [...code([descriptor, target]), keys, args], ");", "  "));
  writer.writeLine("}");
}

/**
 * The script's parameters as a generated signature declares them; `keyType` is the local name of
 * the key type, `nameOf` what the signature calls each parameter (its own name by default).
 */
export function parameterList(
  script: Script,
  keyType: string,
  nameOf: (name: string) => string = (name) => name,
): string[] {
  const { keys, args } = script.signature;
  return [...keys, ...args].map(
    (p) => `${nameOf(p.name)}${"optional" in p && p.optional ? "?" : ""}: ${paramTypeText(p, keyType)}`,
  );
}

/** What `@returns` says of the reply: the tag's description, and whether luagen inferred the type. */
export function returnsText(script: Script): string {
  const { returns } = script.signature;
  const inferred = returns.origin === "inferred" ? "(type inferred by luagen from the script's returns)" : "";
  return [returns.description, inferred].filter(Boolean).join(" ");
}

/**
 * One overload's JSDoc: the summary, where the script is, the target (a typed batch's method has
 * none), every parameter that has a description (an empty `@param name` says nothing the signature
 * does not), and what it returns.
 */
export function jsDoc(script: Script, target: string | undefined, targetDescription: string, returns: string): string {
  const { signature } = script;
  const description = [signature.summary, `Runs \`${commentPath(script.file.path)}\`.`].filter(Boolean).join("\n\n");
  const params = [...signature.keys, ...signature.args].filter((p) => p.description !== "");
  const tags = params.map((p) => `@param ${p.name} - ${p.description}`);
  if (target !== undefined) tags.unshift(`@param ${target} - ${targetDescription}`);
  if (returns) tags.push(`@returns ${returns}`);
  return docComment([...description.split("\n"), "", ...tags]);
}

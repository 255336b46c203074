import type CodeBlockWriter from "code-block-writer";
import type { Script } from "../model.js";
import { outputPathFor } from "../naming.js";
import type { ClientTypes } from "./clients.js";
import { docComment } from "./doc.js";
import { code, printList } from "./literal.js";
import { jsDoc, parameterList, returnsText } from "./module.js";
import { stringLiteral } from "./text.js";
import { returnTypeText } from "./types.js";

/**
 * The typed batches of index.ts, for a client whose types declare each command's reply
 * (ioredis, iovalkey): `multi(client)` and `pipeline(client)` open a chain of the client's own
 * commands and this folder's scripts whose `exec()` resolves to a tuple, one reply per call.
 *
 * The client's commands keep all their overloads and reply types: their `Result<T, Context>`
 * looks up `ResultTypes[Context["type"]]`, and index.ts adds the context `"luagen"` to that
 * interface, whose result is the batch with `T` appended to its tuple. The scripts are methods
 * of `BatchScripts`, one per script, with the same parameters as the generated function.
 */
export const batchSection = {
  /** What index.ts imports for the section, before its exports. */
  imports(scripts: readonly Script[], types: ClientTypes, importExtension: string): string[] {
    const fromClient = ["RedisCommander", ...(scripts.some((s) => s.signature.keys.length > 0) ? ["RedisKey"] : [])];
    return [
      `import type { ${fromClient.join(", ")} } from ${stringLiteral(types.from)};`,
      ...scripts.map(
        (script) => `import { ${script.name}Script } from ${stringLiteral(modulePath(script, importExtension))};`,
      ),
      `import { openBatch, type BatchControl, type ScriptClient } from ${stringLiteral(`./runtime${importExtension}`)};`,
    ];
  },

  /** The runtime's batch types and errors, re-exported beside the scripts. */
  exports(importExtension: string): string[] {
    const runtime = stringLiteral(`./runtime${importExtension}`);
    return [
      `export { BatchError, TransactionAbortedError } from ${runtime};`,
      `export type { BatchControl, BatchOutcome, Settled, SettledReplies } from ${runtime};`,
    ];
  },

  write(writer: CodeBlockWriter, scripts: readonly Script[], types: ClientTypes): void {
    writeScriptTable(writer, scripts);
    writeOpeners(writer);
    writeTypes(writer, scripts, types);
  },
};

/** The module a script's exports come from, relative to index.ts. */
export function modulePath(script: Script, importExtension: string): string {
  return `./${outputPathFor(script).replace(/\.ts$/, "")}${importExtension}`;
}

function writeScriptTable(writer: CodeBlockWriter, scripts: readonly Script[]): void {
  writer.blankLine();
  writer.writeLine("/** The scripts a typed batch offers as methods, by method name. */");
  const entries = scripts.map((script) => `${script.name}: ${script.name}Script`);
  writer.writeLine(printList("const SCRIPTS = {", code(entries), "};", "", true));
}

function writeOpeners(writer: CodeBlockWriter): void {
  const opener = (name: string, kind: string, doc: string[]) => {
    writer.blankLine();
    writer.writeLine(docComment(doc));
    writer.writeLine(
      `export function ${name}<Client extends ScriptClient>(client: Client): Batch<[], MappingOf<Client>> {`,
    );
    writer.writeLine(`  return openBatch(client, "${kind}", SCRIPTS);`);
    writer.writeLine("}");
  };
  const common = [
    "",
    "Chain the client's own commands and this folder's scripts, one call each; `exec()` resolves to",
    "a tuple with one reply per call, typed by the client or by the script's `---@return`. If any",
    "call failed, it rejects with a `BatchError` that carries every call's outcome (a script's error",
    "names its `.lua` line and its index); `execSettled()` gives `[error, value]` pairs instead.",
  ];
  opener("multi", "transaction", [
    "Opens a typed transaction (MULTI/EXEC) on `client`, a `Redis` or `Cluster`.",
    ...common,
    "",
    "A script goes as EVAL the first time it appears in the transaction and as EVALSHA after, so",
    "no SCRIPT FLUSH can fail it. A transaction that does not run at all (a WATCHed key changed,",
    "EXECABORT) rejects with a `TransactionAbortedError`.",
  ]);
  opener("pipeline", "pipeline", [
    "Opens a typed pipeline on `client`, a `Redis` or `Cluster`.",
    ...common,
    "",
    "Every script goes as EVAL, since other clients may flush the script cache between two",
    "pipelined commands.",
  ]);
}

function writeTypes(writer: CodeBlockWriter, scripts: readonly Script[], types: ClientTypes): void {
  writer.blankLine();
  writer.writeLine(
    docComment([
      "A typed transaction or pipeline: the client's commands (each adds the client's reply type to",
      "`Replies`), this folder's scripts (each adds its `---@return`), and `exec()`.",
    ]),
  );
  writer.writeLine('export type Batch<Replies extends unknown[] = [], Mapping extends ReplyMapping = "resp2"> =');
  writer.writeLine("  BatchCommands<Replies, Mapping> & BatchScripts<Replies, Mapping> & BatchControl<Replies>;");
  writeScriptMethods(writer, scripts);
  writer.blankLine();
  writer.writeLine(
    "/** The client's commands in a typed batch, less those that end or restructure it, and those a script's name hides. */",
  );
  writer.writeLine("type BatchCommands<Replies extends unknown[], Mapping extends ReplyMapping> = Omit<");
  writer.writeLine('  RedisCommander<{ type: "luagen"; mapping: Mapping; replies: Replies; of: BatchOf }>,');
  writer.writeLine('  keyof BatchScripts<Replies, Mapping> | keyof BatchControl<Replies> | "discard" | "execBuffer"');
  writer.writeLine(">;");
  writer.blankLine();
  writer.writeLine(
    docComment([
      'How the client maps replies: ioredis 6 `Redis<"resp3">` gives RESP3 shapes (a ZSCORE is a',
      "number); ioredis 5, iovalkey and ioredis 6's default give RESP2 shapes (a ZSCORE is a string).",
    ]),
  );
  writer.writeLine('type ReplyMapping = "resp2" | "resp3";');
  writer.writeLine("type MappingOf<Client> = Client extends {");
  writer.writeLine("  zscore(key: string, member: string): Promise<string | null>;");
  writer.writeLine("}");
  writer.writeLine('  ? "resp2"');
  writer.writeLine('  : "resp3";');
  writer.blankLine();
  writer.writeLine(
    docComment([
      "`Batch` as a function of its tuple and mapping: the client's `ResultTypes` below applies it to",
      "a command's context with the command's reply appended.",
    ]),
  );
  writer.writeLine("interface BatchOf {");
  writer.writeLine("  replies: unknown;");
  writer.writeLine("  mapping: unknown;");
  writer.writeLine('  batch: Batch<Extract<this["replies"], unknown[]>, Extract<this["mapping"], ReplyMapping>>;');
  writer.writeLine("}");
  writer.blankLine();
  for (const line of AUGMENTATION) writer.writeLine(line.replace("$MODULE", stringLiteral(types.commander ?? "")));
}

/**
 * The augmentation of the client's `ResultTypes`, the same text in every output folder: it names
 * nothing of one folder (the folder's batch comes in the context, as `of`), so the declarations of
 * several folders in one program merge instead of conflicting. (A first version named the folder's
 * `Batch` here: two folders in one program then sent tsc out of memory.)
 */
const AUGMENTATION = [
  "// The same in every luagen output folder, so that several folders in one program merge.",
  "declare module $MODULE {",
  "  interface ResultTypes<Result, Context> {",
  "    /** A command of a typed luagen batch: the batch, with the command's reply appended to its tuple. */",
  '    luagen: LuagenNext<Result, Extract<Context, LuagenContext>>["batch"];',
  "  }",
  "  interface LuagenContext {",
  "    replies: unknown[];",
  "    mapping: unknown;",
  "    of: { batch: unknown };",
  "  }",
  "  interface LuagenNext<Result, Context extends LuagenContext> {",
  '    batch: (Context["of"] & LuagenApplied<[...Context["replies"], Result], Context["mapping"]>)["batch"];',
  "  }",
  "  interface LuagenApplied<Replies, Mapping> {",
  "    replies: Replies;",
  "    mapping: Mapping;",
  "  }",
  "}",
];

function writeScriptMethods(writer: CodeBlockWriter, scripts: readonly Script[]): void {
  writer.blankLine();
  writer.writeLine(
    "/** This folder's scripts as methods of a typed batch: each queues its call and adds its reply. */",
  );
  writer.writeLine("export interface BatchScripts<Replies extends unknown[], Mapping extends ReplyMapping> {");
  scripts.forEach((script, i) => {
    if (i > 0) writer.blankLine();
    const reply = returnTypeText(script.signature.returns.type);
    const replyText = returnsText(script);
    const doc = jsDoc(script, undefined, "", `the batch, its tuple one longer${replyText && `: ${replyText}`}`);
    writer.writeLine(doc.replace(/^/gm, "  "));
    const returns = `Batch<[...Replies, ${reply}], Mapping>;`;
    writer.writeLine(printList(`  ${script.name}(`, code(parameterList(script, "RedisKey")), `): ${returns}`, "  "));
  });
  writer.writeLine("}");
}

import type { Lines } from "./lines.js";
import type { Script } from "../../model.js";
import { outputPathFor } from "../../naming.js";
import type { ClientTypes, CommandReplies } from "./clients.js";
import { docComment } from "./doc.js";
import { code, printList } from "./literal.js";
import { jsDoc, parameterList, returnsText } from "./module.js";
import { stringLiteral } from "../text.js";
import { returnTypeText } from "./types.js";

/**
 * The typed batches of index.ts: `multi(client)` and `pipeline(client)` open a chain of the client's
 * own commands and this folder's scripts whose `exec()` resolves to a tuple, one reply per call.
 * The scripts are methods of `BatchScripts`, one per script, with the generated function's
 * parameters. How the client's commands get their reply types depends on the client (`Flavour`).
 */
export const batchSection = {
  /** What index.ts imports for the section, before its exports. */
  imports(scripts: readonly Script[], types: ClientTypes, importExtension: string): string[] {
    const flavour = flavourOf(types);
    const hasKeys = scripts.some((s) => s.signature.keys.length > 0);
    const fromClient = [...flavour.clientImports, ...(hasKeys ? [types.key] : [])];
    const values = flavour.valueImports ?? [];
    const imported = [...values, ...fromClient.map((name) => `type ${name}`)];
    const statement = values.length > 0 ? "import" : "import type";
    const names = values.length > 0 ? imported : fromClient;
    return [
      ...(names.length > 0 ? [`${statement} { ${names.join(", ")} } from ${stringLiteral(types.from)};`] : []),
      ...scripts.map(
        (script) => `import { ${script.name}Script } from ${stringLiteral(modulePath(script, importExtension))};`,
      ),
      `import { openBatch, type BatchControl, type ${types.client} } from ${stringLiteral(`./runtime${importExtension}`)};`,
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

  write(writer: Lines, scripts: readonly Script[], types: ClientTypes): void {
    const flavour = flavourOf(types);
    writeScriptTable(writer, scripts);
    writeOpeners(writer, types, flavour);
    writer.blankLine();
    writer.writeLine(
      docComment([
        "A typed transaction or pipeline: the client's commands (each adds the client's reply type to",
        "`Replies`), this folder's scripts (each adds its `---@return`), and `exec()`.",
      ]),
    );
    writer.writeLine(`export type Batch<Replies extends unknown[] = [], ${flavour.of.declaration}> =`);
    const of = flavour.of.name;
    writer.writeLine(`  BatchCommands<Replies, ${of}> & BatchScripts<Replies, ${of}> & BatchControl<Replies>;`);
    writeScriptMethods(writer, scripts, types.key, flavour);
    flavour.writeCommands(writer, types.commandReplies);
  },
};

/** What `newBatch` needs of Valkey GLIDE: index.ts and a Functions library (`_library.ts`) import it. */
export const GLIDE_BATCH_IMPORTS = ["Batch as GlideBatch", "ClusterBatch as GlideClusterBatch", "GlideClusterClient"];

/** What differs between clients: where the batch's command types come from. */
interface Flavour {
  /** Types index.ts imports from the client's package, besides the key type. */
  readonly clientImports: readonly string[];
  /** What `client` may be, as the openers' JSDoc says it. */
  readonly clientDoc: string;
  /** `Batch`'s second type parameter, which the command types are computed from. */
  readonly of: {
    readonly name: string;
    /** As `Batch` declares it, with its default. */
    readonly declaration: string;
    /** As `BatchScripts` declares it. */
    readonly parameter: string;
    /** What `multi(client)` passes for it. */
    readonly fromClient: string;
  };
  /** Values index.ts imports from the client's package (the batch classes it makes). */
  readonly valueImports?: readonly string[];
  /** What the openers pass `openBatch` after the scripts: how to make the client's batch. */
  readonly openArgument?: string;
  /** `BatchCommands` and what it needs. */
  writeCommands(writer: Lines, replies: CommandReplies): void;
}

function flavourOf(types: ClientTypes): Flavour {
  return FLAVOURS[types.commandReplies.from];
}

const FLAVOURS: Record<CommandReplies["from"], Flavour> = {
  "result-types": {
    clientImports: ["RedisCommander"],
    clientDoc: "a `Redis` or `Cluster`",
    of: {
      name: "Mapping",
      declaration: 'Mapping extends ReplyMapping = "resp2"',
      parameter: "Mapping extends ReplyMapping",
      fromClient: "MappingOf<Client>",
    },
    writeCommands: writeResultTypesCommands,
  },
  "client-methods": {
    clientImports: [],
    clientDoc: "a node-redis client or cluster (`createClient()`, `createCluster()`)",
    of: { name: "Client", declaration: "Client = unknown", parameter: "Client", fromClient: "Client" },
    writeCommands: writeClientMethodCommands,
  },
  "batch-methods": {
    clientImports: [],
    valueImports: GLIDE_BATCH_IMPORTS,
    clientDoc: "a Valkey GLIDE client (`GlideClient`, `GlideClusterClient`), run by its `exec(batch, false)`",
    of: { name: "Client", declaration: "Client = unknown", parameter: "Client", fromClient: "Client" },
    openArgument: "newBatch",
    writeCommands: writeBatchMethodCommands,
  },
};

/** The module a script's exports come from, relative to index.ts. */
export function modulePath(script: Script, importExtension: string): string {
  return `./${outputPathFor(script).replace(/\.ts$/, "")}${importExtension}`;
}

function writeScriptTable(writer: Lines, scripts: readonly Script[]): void {
  writer.blankLine();
  writer.writeLine("/** The scripts a typed batch offers as methods, by method name. */");
  const entries = scripts.map((script) => `${script.name}: ${script.name}Script`);
  writer.writeLine(printList("const SCRIPTS = {", code(entries), "};", "", true));
}

function writeOpeners(writer: Lines, types: ClientTypes, flavour: Flavour): void {
  const opener = (name: string, kind: string, doc: string[]) => {
    writer.blankLine();
    writer.writeLine(docComment(doc));
    writer.writeLine(
      `export function ${name}<Client extends ${types.client}>(client: Client): Batch<[], ${flavour.of.fromClient}> {`,
    );
    const make = flavour.openArgument === undefined ? "" : `, ${flavour.openArgument}`;
    writer.writeLine(`  return openBatch(client, "${kind}", SCRIPTS${make});`);
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
    `Opens a typed transaction (MULTI/EXEC) on \`client\`, ${flavour.clientDoc}.`,
    ...common,
    "",
    "A script goes as EVAL the first time it appears in the transaction and as EVALSHA after, so",
    "no SCRIPT FLUSH can fail it. A transaction that does not run at all (a WATCHed key changed,",
    "EXECABORT) rejects with a `TransactionAbortedError`.",
  ]);
  opener("pipeline", "pipeline", [
    `Opens a typed pipeline on \`client\`, ${flavour.clientDoc}.`,
    ...common,
    "",
    "Every script goes as EVAL, since other clients may flush the script cache between two",
    "pipelined commands.",
  ]);
}

function writeScriptMethods(writer: Lines, scripts: readonly Script[], keyType: string, flavour: Flavour) {
  const of = flavour.of.name;
  writer.blankLine();
  writer.writeLine(
    "/** This folder's scripts as methods of a typed batch: each queues its call and adds its reply. */",
  );
  writer.writeLine(`export interface BatchScripts<Replies extends unknown[], ${flavour.of.parameter}> {`);
  scripts.forEach((script, i) => {
    if (i > 0) writer.blankLine();
    const reply = returnTypeText(script.signature.returns.type);
    const replyText = returnsText(script);
    const doc = jsDoc(script, undefined, "", `the batch, its tuple one longer${replyText && `: ${replyText}`}`);
    writer.writeLine(doc.replace(/^/gm, "  "));
    const returns = `Batch<[...Replies, ${reply}], ${of}>;`;
    writer.writeLine(printList(`  ${script.name}(`, code(parameterList(script, keyType)), `): ${returns}`, "  "));
  });
  writer.writeLine("}");
}

/**
 * ioredis and iovalkey: the client's commands keep all their overloads and reply types. Their
 * `Result<T, Context>` looks up `ResultTypes[Context["type"]]`; index.ts adds the context
 * `"luagen"` to that interface, whose result is the batch with `T` appended to its tuple.
 */
function writeResultTypesCommands(writer: Lines, replies: CommandReplies): void {
  const commander = replies.from === "result-types" ? replies.commander : "";
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
  for (const line of AUGMENTATION) writer.writeLine(line.replace("$MODULE", stringLiteral(commander)));
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

/**
 * node-redis: a command of the batch takes the parameters of the client's method of that name and
 * adds the type its promise resolves to: the same reply type a multi gives it, with the client's
 * RESP version and type mapping applied. Methods that are not commands of a multi are left out.
 */
function writeClientMethodCommands(writer: Lines): void {
  writer.blankLine();
  writer.writeLine(
    docComment([
      "The client's commands in a typed batch: each takes the client method's parameters and adds the",
      "type its promise resolves to. Not the client's own methods that are no commands of a multi,",
      "nor the names of this folder's scripts.",
    ]),
  );
  writeCommandsFromClient(writer, "keyof Client", "NotCommands | keyof BatchScripts<Replies, Client>");
  writer.blankLine();
  writer.writeLine("/** Methods of a node-redis client or cluster that are no commands of its multi. */");
  writer.writeLine("type NotCommands =");
  for (const line of printNames(NODE_REDIS_NOT_COMMANDS)) writer.writeLine(line);
}

/**
 * `BatchCommands` where a command's types come from the client's method of that name (node-redis,
 * GLIDE): each of `names` that is a method returning a promise, less `excluded`, takes that
 * method's parameters and adds the type its promise resolves to.
 */
function writeCommandsFromClient(writer: Lines, names: string, excluded: string): void {
  writer.writeLine("type BatchCommands<Replies extends unknown[], Client> = {");
  writer.writeLine(`  [Name in ${names} as Name extends ${excluded}`);
  writer.writeLine("    ? never");
  writer.writeLine("    : Client[Name] extends (...args: never[]) => Promise<unknown>");
  writer.writeLine("      ? Name");
  writer.writeLine("      : never]: Client[Name] extends (...args: infer Args) => Promise<infer Reply>");
  writer.writeLine("    ? (...args: Args) => Batch<[...Replies, Reply], Client>");
  writer.writeLine("    : never;");
  writer.writeLine("};");
}

/**
 * Valkey GLIDE: the batch's commands are the methods its `Batch` class has, each taking the
 * parameters of the client's method of that name and adding the type its promise resolves to.
 * `newBatch` makes the batch the runtime fills: a ClusterBatch for a cluster client.
 */
function writeBatchMethodCommands(writer: Lines): void {
  writer.blankLine();
  writer.writeLine(
    docComment([
      "The client's commands in a typed batch: those GLIDE's `Batch` has, each taking the client",
      "method's parameters and adding the type its promise resolves to; not the names of this folder's",
      "scripts.",
    ]),
  );
  writeCommandsFromClient(
    writer,
    "keyof GlideBatch & keyof Client",
    '"exec" | keyof BatchScripts<Replies, Client> | keyof BatchControl<Replies>',
  );
  writer.blankLine();
  writeGlideNewBatch(writer, "The GLIDE batch a typed batch fills: atomic for `multi`, not for `pipeline`.");
}

/** `newBatch`, which makes the GLIDE batch the runtime fills (it imports no client): a ClusterBatch for a cluster client. */
export function writeGlideNewBatch(writer: Lines, doc: string): void {
  writer.writeLine(`/** ${doc} */`);
  writer.writeLine("function newBatch(client: object, atomic: boolean): object {");
  writer.writeLine(
    "  return client instanceof GlideClusterClient ? new GlideClusterBatch(atomic) : new GlideBatch(atomic);",
  );
  writer.writeLine("}");
}

/** What `client.multi()` lacks among the client's methods that return a promise (node-redis 5 and 6), and `exec` and the like. */
const NODE_REDIS_NOT_COMMANDS = [
  "connect",
  "disconnect",
  "close",
  "quit",
  "QUIT",
  "reAuthenticate",
  "subscribe",
  "unsubscribe",
  "pSubscribe",
  "pUnsubscribe",
  "sSubscribe",
  "sUnsubscribe",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "PSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SSUBSCRIBE",
  "SUNSUBSCRIBE",
  "watch",
  "unwatch",
  "WATCH",
  "UNWATCH",
  "monitor",
  "MONITOR",
  "reset",
  "resetIfDirty",
  "exec",
  "execSettled",
  "length",
  "`_${string}`",
];

/** A union of string-literal types (and one template type), one member a line, as Prettier prints it. */
function printNames(names: readonly string[]): string[] {
  return names.map((name, i) => {
    const member = name.startsWith("`") ? name : stringLiteral(name);
    return `  | ${member}${i === names.length - 1 ? ";" : ""}`;
  });
}

import type { ParseArgsConfig } from "node:util";

/** One command-line flag: how node:util's parseArgs reads it, and how `--help` shows it. */
interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in `--help` and the README (`<dir>`), for a string flag. */
  value?: string;
  /** The line `--help` prints. */
  help: string;
}

/**
 * Every flag, once: the parser options, the `--help` list and the README's flag table
 * (test/cli/docs.test.ts checks the README against it) all come from here. In `--help` order.
 */
export const FLAGS = {
  out: { type: "string", short: "o", value: "<dir>", help: "output folder" },
  check: { type: "boolean", help: "compare the output folder with what would be generated; write nothing" },
  watch: { type: "boolean", short: "w", help: "regenerate when a .lua file is added, changed or removed" },
  strict: { type: "boolean", help: "treat warnings as errors" },
  exclude: { type: "string", multiple: true, value: "<glob>", help: "leave matching files out (repeatable)" },
  "import-extension": {
    type: "string",
    value: "<e>",
    help: 'extension of relative imports: ".js" (default), "" or ".ts"',
  },
  client: { type: "string", value: "<name>", help: "client library: ioredis (default), iovalkey, node-redis or glide" },
  server: {
    type: "string",
    value: "<name>",
    help: "the server the scripts run on (redis-7.2, valkey-8.1, ...): checks use its commands",
  },
  mode: {
    type: "string",
    value: "<mode>",
    help: "scripts (default: EVAL/EVALSHA) or functions (a Functions library, FCALL)",
  },
  library: {
    type: "string",
    value: "<name>",
    help: "with --mode functions, the library's base name (default: the project folder's)",
  },
  target: {
    type: "string",
    value: "<lang>",
    help: "typescript (default) or python (a package for redis-py)",
  },
  "explain-types": {
    type: "boolean",
    help: "print each script's return type and, per return, what luagen inferred and why",
  },
  quiet: { type: "boolean", short: "q", help: "print errors only" },
  help: { type: "boolean", short: "h", help: "print this help" },
  version: { type: "boolean", short: "v", help: "print the version" },
} as const satisfies Record<string, FlagSpec>;

type Flags = typeof FLAGS;
type ParserKey = "type" | "short" | "multiple";

/** `FLAGS` as parseArgs takes them: only the keys it knows, so its typed result follows the table. */
export const PARSER_OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([name, flag]: [string, FlagSpec]) => [
    name,
    { type: flag.type, ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) },
  ]),
) as { [K in keyof Flags]: Pick<Flags[K], Extract<keyof Flags[K], ParserKey>> } satisfies ParseArgsConfig["options"];

/** How a flag is written in `--help` and in the README's table: `-o, --out <dir>`. */
export function flagSignature(name: string, flag: FlagSpec): string {
  return `${flag.short ? `-${flag.short}, ` : ""}--${name}${flag.value ? ` ${flag.value}` : ""}`;
}

/** The `Options:` lines of `--help`: signatures in one column, long flags aligned past the short ones. */
export function flagHelp(): string {
  return Object.entries(FLAGS)
    .map(
      ([name, flag]: [string, FlagSpec]) =>
        `  ${(flag.short ? "" : "    ") + flagSignature(name, flag)}`.padEnd(29) + flag.help,
    )
    .join("\n");
}

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "./diagnostics.js";
import { generate } from "./generate.js";

export const USAGE = `Usage: luagen <dirs, files or globs...> --out <dir> [options]

Generates a typed TypeScript module for every .lua Redis script found, plus index.ts and
runtime.ts, in the output folder.

Options:
  -o, --out <dir>   output folder (required)
      --strict      treat warnings as errors
  -q, --quiet       print errors only
  -h, --help        print this help
  -v, --version     print the version

Exit codes: 0 success, 1 errors in scripts or annotations, 2 usage error.
Example: luagen src/lua --out src/generated`;

export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  color: boolean;
}

const defaultIo = (): Io => ({
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
  color: process.stderr.isTTY === true && !process.env.NO_COLOR,
});

export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const parsed = parseFlags(argv);
  if ("error" in parsed) {
    io.stderr(`luagen: ${parsed.error}\nRun 'luagen --help' for usage.`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (values.version) {
    io.stdout(version());
    return EXIT.ok;
  }
  if (positionals.length === 0 || !values.out) {
    io.stderr(`luagen: ${positionals.length === 0 ? "no input given" : "missing --out <dir>"}\nRun 'luagen --help' for usage.`);
    return EXIT.usage;
  }
  const result = await generate({ inputs: positionals, out: values.out, cwd: io.cwd, strict: values.strict });
  if (result.kind === "usage-error") {
    io.stderr(`luagen: ${result.message}`);
    return EXIT.usage;
  }
  for (const d of result.diagnostics) {
    if (values.quiet && d.severity === "warning" && !values.strict) continue;
    io.stderr(formatDiagnostic(d, { sources: result.sources, color: io.color }) + "\n");
  }
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === "error" || values.strict).length;
    io.stderr(`luagen: ${errors} error${errors === 1 ? "" : "s"}; nothing was written to ${values.out}`);
    return EXIT.errors;
  }
  if (!values.quiet) io.stdout(summaryLine(result.scripts.length, values.out, result.summary!, result.diagnostics.length));
  return EXIT.ok;
}

type Flags = { values: { out?: string; strict?: boolean; quiet?: boolean; help?: boolean; version?: boolean }; positionals: string[] };

function parseFlags(argv: readonly string[]): Flags | { error: string } {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string", short: "o" },
        strict: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    // node:util's messages are good but long; keep the first sentence.
    return { error: (error as Error).message.split(". ")[0] };
  }
}

export function summaryLine(scripts: number, out: string, s: { written: number; unchanged: number; removed: number }, warnings: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const warned = warnings > 0 ? `, ${plural(warnings, "warning")}` : "";
  return `luagen: ${plural(scripts, "script")} → ${out} (${s.written} written, ${s.unchanged} unchanged, ${s.removed} removed${warned})`;
}

function version(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return JSON.parse(readFileSync(path.resolve(here, "..", "package.json"), "utf8")).version;
}

import { IndentationText, NewLineKind, Project, QuoteKind, StructureKind } from "ts-morph";
import type { GeneratedFile, Script } from "../model.js";
import { outputPathFor } from "../naming.js";
import { GENERATED_MARK, headerFor } from "./header.js";
import { scriptModule, type ModuleOptions, type Statement } from "./module.js";

const INDEX_HEADER = `${GENERATED_MARK}. DO NOT EDIT.`;

export interface EmitOptions extends ModuleOptions {
  /** The text of templates/runtime.ts, copied as the output's runtime module. */
  runtime: string;
}

/**
 * Every file the output folder should hold, sorted by path. Pure: the same scripts and options
 * give byte-identical files on any machine.
 */
export function emit(scripts: readonly Script[], options: EmitOptions): GeneratedFile[] {
  const printer = new Printer();
  const files: GeneratedFile[] = scripts.map((script) => ({
    path: outputPathFor(script),
    content: printer.print(headerFor(script.file.path), scriptModule(script, options)),
  }));
  files.push({ path: "index.ts", content: printer.print(INDEX_HEADER, indexModule(scripts, options)) });
  files.push({ path: "runtime.ts", content: normalizeNewlines(options.runtime) });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function indexModule(scripts: readonly Script[], options: ModuleOptions): Statement[] {
  return [
    ...scripts.map((script) => ({
      kind: StructureKind.ExportDeclaration as const,
      namedExports: [script.name, `${script.name}Script`],
      moduleSpecifier: `./${outputPathFor(script).replace(/\.ts$/, "")}${options.importExtension}`,
    })),
    {
      kind: StructureKind.ExportDeclaration,
      isTypeOnly: true,
      namedExports: ["ScriptBatch", "ScriptClient", "ScriptDescriptor"],
      moduleSpecifier: `./runtime${options.importExtension}`,
    },
  ];
}

/** One in-memory ts-morph project reused for every file: creating a Project is the costly part. */
class Printer {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Double,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });

  print(header: string, statements: Statement[]): string {
    const file = this.project.createSourceFile("/module.ts", { statements }, { overwrite: true });
    const text = file.getFullText();
    this.project.removeSourceFile(file);
    return `${header}\n\n${text.trimEnd()}\n`;
  }
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

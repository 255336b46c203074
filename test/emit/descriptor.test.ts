import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { originOf } from "../../src/descriptor.js";
import { descriptorFor, printDescriptor } from "../../src/emit/typescript/descriptor.js";
import { Code, printLiteral } from "../../src/emit/typescript/literal.js";
import { buildScripts } from "../../src/build.js";
import { scan } from "../../src/scan.js";
import { originOf as runtimeOriginOf, sourceLocation, type SourceOrigin } from "../../templates/typescript/runtime.js";
import { tsc, writeTsconfig } from "../support/tsc.js";
import { ROOT, tempDir } from "../support/workspace.js";

// tsc's identity relation: true only when the two types are the same, readonly and optional marks included.
const CHECK = (shared: string, runtime: string) => `import type * as runtime from ${JSON.stringify(runtime)};
import type * as shared from ${JSON.stringify(shared)};

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const same: [
  Same<runtime.ScriptDescriptor, shared.ScriptDescriptor>,
  Same<runtime.KeySpec, shared.KeySpec>,
  Same<runtime.ArgSpec, shared.ArgSpec>,
  Same<runtime.SourceOrigin, shared.SourceOrigin>,
  Same<runtime.ArgKind, shared.ArgKind>,
  Same<typeof runtime.originOf, typeof shared.originOf>,
] = [true, true, true, true, true, true];
`;

async function compileCheck(sharedFile: string): Promise<{ code: number; output: string }> {
  const dir = tempDir("descriptor");
  const spec = (file: string) => `./${path.relative(dir, file).split(path.sep).join("/").replace(/\.ts$/, ".js")}`;
  writeFileSync(
    path.join(dir, "check.ts"),
    CHECK(spec(sharedFile), spec(path.join(ROOT, "templates", "typescript", "runtime.ts"))),
  );
  return tsc(writeTsconfig(dir, { module: "NodeNext", moduleResolution: "NodeNext" }, { files: ["check.ts"] }));
}

describe("one descriptor shape: the runtime's", () => {
  it("src/descriptor.ts declares exactly the runtime's types", async () => {
    const result = await compileCheck(path.join(ROOT, "src", "descriptor.ts"));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("and the check is real: a field that differs in one copy fails it", async () => {
    const drifted = path.join(tempDir("descriptor"), "descriptor.ts");
    const text = readFileSync(path.join(ROOT, "src", "descriptor.ts"), "utf8");
    writeFileSync(drifted, text.replace("readonly rest: boolean;\n}", "readonly rest?: boolean;\n}"));
    const result = await compileCheck(drifted);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("Type 'true' is not assignable to type 'false'");
  });

  it("the runtime and luagen map source lines to files with the same function, character for character", () => {
    expect(runtimeOriginOf.toString()).toBe(originOf.toString());
    const origins: SourceOrigin[] = [
      { line: 1, file: "lua/a.lua", fileLine: 1 },
      { line: 3, file: "lua/lib/_b.lua", fileLine: 1 },
      { line: 6, file: "lua/a.lua", fileLine: 4 },
    ];
    const script = { name: "a", file: "lua/a.lua", source: "", sha1: "", numberOfKeys: 0, keys: [], args: [], origins };
    for (let line = 1; line <= 8; line++) {
      const origin = originOf(origins, line);
      expect(sourceLocation(script, line)).toBe(`${origin?.file}:${origin?.line}`);
    }
    expect(sourceLocation(script, 4)).toBe("lua/lib/_b.lua:2");
  });
});

describe("the descriptor literal", () => {
  it("is the descriptor luagen built, for every fixture script (evaluated back, it is equal)", async () => {
    for (const folder of ["project", "includes"]) {
      const scanned = await scan(["lua"], path.join(ROOT, "test", "fixtures", folder));
      const { scripts } = buildScripts(scanned.files, { library: scanned.library });
      expect(scripts.length).toBeGreaterThan(1);
      for (const script of scripts) {
        const printed = printDescriptor(descriptorFor(script), 60);
        expect(new Function(`return ${printed};`)()).toEqual(descriptorFor(script));
      }
    }
  });

  it("prints what fits on one line, breaks what does not, and one object a line in arrays", () => {
    expect(printLiteral({ a: 1, b: [true, null], c: "x" })).toBe('{ a: 1, b: [true, null], c: "x" }');
    expect(printLiteral([{ a: 1 }])).toBe("[\n  { a: 1 },\n]");
    expect(printLiteral({ long: "x".repeat(90), n: 1 })).toBe(`{\n  long: "${"x".repeat(90)}",\n  n: 1,\n}`);
    expect(printLiteral(["a".repeat(50), "b".repeat(50)], "  ", 10, 1)).toBe(
      `[\n    "${"a".repeat(50)}",\n    "${"b".repeat(50)}",\n  ]`,
    );
    expect(printLiteral({ "not-a-name": '\u2028*/"', gone: undefined })).toBe('{ "not-a-name": "\\u2028*/\\"" }');
    expect(printLiteral({ code: new Code(["[", '  "x",', "].join()"]) }, "  ")).toBe(
      '{\n    code: [\n      "x",\n    ].join(),\n  }',
    );
  });

  it("keeps a value on one line up to column 100 exactly, escapes and nesting counted", () => {
    // Too long by one at column 0, the object breaks; `  s: [...],` is then 100 columns again.
    const broken = (inner: string) => `{\n  s: [${inner}],\n}`;
    // `{ s: [` + literal + `] }`: 9 characters around the literal.
    for (const text of ["x".repeat(89), `${"x".repeat(83)}\u2028`, `${"x".repeat(87)}"`]) {
      const literal = JSON.stringify(text).replace("\u2028", "\\u2028");
      expect(literal.length + 9).toBe(100);
      expect(printLiteral({ s: [text] })).toBe(`{ s: [${literal}] }`);
      expect(printLiteral({ s: [`${text}y`] })).toBe(broken(literal.replace(/"$/, 'y"')));
      expect(printLiteral({ s: [text] }, "", 1)).toBe(broken(literal));
      expect(printLiteral({ s: [text] }, "", 0, 1)).toBe(broken(literal));
    }
    expect(printLiteral({ s: ["x".repeat(42), "y".repeat(43)] })).toBe(
      `{ s: ["${"x".repeat(42)}", "${"y".repeat(43)}"] }`,
    );
    const [x, y] = [`"${"x".repeat(46)}"`, `"${"y".repeat(46)}"`];
    expect(printLiteral(["x".repeat(46), "y".repeat(46)])).toBe(`[${x}, ${y}]`);
    expect(printLiteral(["x".repeat(46), "y".repeat(47)])).toBe(`[\n  ${x},\n  ${y.replace(/"$/, 'y"')},\n]`);
    expect(printLiteral({ s: ["x".repeat(42), "y".repeat(44)] })).toBe(
      `{\n  s: ["${"x".repeat(42)}", "${"y".repeat(44)}"],\n}`,
    );
  });
});

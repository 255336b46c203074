import { describe, expect, test } from "vitest";
import type { ArgType, ReturnType, Signature } from "../../src/model.js";
import { declared, fixture, source } from "./stages.js";

const integer: ArgType = { kinds: ["integer"], literals: [] };
const string: ArgType = { kinds: ["string"], literals: [] };
const unknown = { type: { kind: "unknown" }, description: "" } as const;

/** The signature a fixture declares; its annotations must be clean. */
function signatureOf(name: string): Signature | undefined {
  const { signature, diagnostics } = declared(fixture(name));
  expect(diagnostics).toEqual([]);
  return signature;
}

describe("signatures of the good fixtures", () => {
  test("full annotations", () => {
    expect(signatureOf("full-annotations")).toEqual({
      summary: "Increment a counter, never past a cap.\n\nReturns the new value.",
      keys: [{ name: "counter", description: "the counter's key", rest: false, line: 4, column: 4, nameColumn: 9 }],
      args: [
        {
          name: "max",
          description: "the cap",
          type: integer,
          optional: false,
          rest: false,
          line: 5,
          column: 4,
          nameColumn: 9,
        },
        {
          name: "ttl",
          description: "seconds to live",
          type: integer,
          optional: true,
          rest: false,
          line: 6,
          column: 4,
          nameColumn: 9,
        },
      ],
      returns: { type: { kind: "integer" }, description: "the new value" },
      name: "incrCapped",
      inferred: false,
    });
  });

  test("a rest key followed by arguments", () => {
    expect(signatureOf("rest-key-then-args")).toEqual({
      summary: "Move up to `limit` members from several sets into one.",
      keys: [
        { name: "destination", description: "where they go", rest: false, line: 2, column: 4, nameColumn: 9 },
        { name: "sources", description: "the sets to drain", rest: true, line: 3, column: 4, nameColumn: 9 },
      ],
      args: [
        {
          name: "limit",
          description: "most members to move",
          type: integer,
          optional: false,
          rest: false,
          line: 4,
          column: 4,
          nameColumn: 9,
        },
        {
          name: "mode",
          description: "",
          type: { kinds: [], literals: ["copy", "move"] },
          optional: false,
          rest: false,
          line: 5,
          column: 4,
          nameColumn: 9,
        },
      ],
      returns: { type: { kind: "integer" }, description: "how many moved" },
      inferred: false,
    });
  });

  test("optional trailing arguments", () => {
    const signature = signatureOf("optional-trailing-args");
    expect(signature?.args).toEqual([
      { name: "token", description: "", type: string, optional: false, rest: false, line: 3, column: 4, nameColumn: 9 },
      {
        name: "ttl",
        description: "milliseconds",
        type: integer,
        optional: true,
        rest: false,
        line: 4,
        column: 4,
        nameColumn: 9,
      },
      {
        name: "retries",
        description: "",
        type: integer,
        optional: true,
        rest: false,
        line: 5,
        column: 4,
        nameColumn: 9,
      },
    ]);
    expect(signature?.returns).toEqual({ type: { kind: "status" }, description: "" });
    expect(signature?.name).toBeUndefined();
  });

  test("literal unions, spaces around |, single quotes, repeated kinds once", () => {
    expect(signatureOf("literal-unions")?.args.map((a) => [a.name, a.type, a.description])).toEqual([
      ["order", { kinds: [], literals: ["asc", "desc", "random"] }, "sort order"],
      ["limit", { kinds: ["integer"], literals: ["all"] }, ""],
      ["flag", { kinds: ["boolean", "json"], literals: [] }, ""],
    ]);
  });

  test("a shebang line before the doc block", () => {
    expect(signatureOf("shebang")).toEqual({
      summary: "Read a value without writing.",
      keys: [{ name: "item", description: "", rest: false, line: 4, column: 4, nameColumn: 9 }],
      args: [],
      returns: { type: { kind: "union", members: [{ kind: "string" }, { kind: "nil" }] }, description: "" },
      inferred: false,
    });
  });

  test("`# ` before a description is LuaLS style and is dropped; `#` glued to a word is kept", () => {
    const signature = signatureOf("hash-descriptions");
    expect(signature?.keys.map((k) => k.description)).toEqual(["the counter"]);
    expect(signature?.args.map((a) => a.description)).toEqual(["how much to add", "#no-space stays"]);
    expect(signature?.returns.description).toBe("the new total");
  });

  test("continuation lines extend the tag above, until a blank line or a tag", () => {
    const signature = signatureOf("continuation-lines");
    expect(signature?.summary).toBe("Set a lock.");
    expect(signature?.keys).toEqual([
      {
        name: "lock",
        description: "the lock's key, which must be unique per resource",
        rest: false,
        line: 2,
        column: 4,
        nameColumn: 9,
      },
    ]);
    expect(signature?.args.map((a) => a.description)).toEqual(["milliseconds"]);
    expect(signature?.returns).toEqual({
      type: { kind: "union", members: [{ kind: "status" }, { kind: "nil" }] },
      description: "OK when set, nil when the lock is taken",
    });
  });

  test("nested return types", () => {
    const batch: ReturnType = {
      kind: "tuple",
      elements: [
        { kind: "integer" },
        { kind: "array", element: { kind: "union", members: [{ kind: "string" }, { kind: "nil" }] } },
      ],
    };
    expect(signatureOf("nested-return-types")?.returns).toEqual({
      type: { kind: "union", members: [{ kind: "array", element: batch }, { kind: "nil" }] },
      description: "batches",
    });
  });

  test("the doc block ends at the first plain comment or statement", () => {
    expect(signatureOf("doc-block-boundary")?.keys.map((k) => k.name)).toEqual(["counter"]);
  });

  test("no luagen tag: no signature (the checker infers one)", () => {
    expect(signatureOf("lg205-unannotated")).toBeUndefined();
    expect(
      declared(source("---Just a summary.\n---@diagnostic disable: undefined-global\nreturn 1\n")).signature,
    ).toBeUndefined();
  });

  test("@return alone gives a signature with no keys or arguments", () => {
    expect(declared(source("---@return nil\nreturn nil\n")).signature).toEqual({
      summary: "",
      keys: [],
      args: [],
      returns: { type: { kind: "nil" }, description: "" },
      inferred: false,
    });
  });

  test("no @return: unknown, with an empty description", () => {
    expect(declared(source("---@key k\nreturn KEYS[1]\n")).signature?.returns).toEqual({
      ...unknown,
      origin: "missing",
    });
  });
});

/** The type an inline `---@return ...` line declares. */
function returnOf(text: string): ReturnType | undefined {
  const { signature, diagnostics } = declared(source(`---@return ${text}\nreturn nil\n`));
  expect(diagnostics).toEqual([]);
  return signature?.returns.type;
}

describe("return types", () => {
  const [int, str, nil] = [{ kind: "integer" }, { kind: "string" }, { kind: "nil" }] as const;
  test.each<[string, ReturnType]>([
    ["integer", int],
    ["status", { kind: "status" }],
    ["unknown", { kind: "unknown" }],
    ["string[]", { kind: "array", element: str }],
    ["integer[][]", { kind: "array", element: { kind: "array", element: int } }],
    ["[integer, string]", { kind: "tuple", elements: [int, str] }],
    ["[ integer ,string ]", { kind: "tuple", elements: [int, str] }],
    ["string|nil", { kind: "union", members: [str, nil] }],
    ["string | integer | nil", { kind: "union", members: [str, int, nil] }],
    ["(string|nil)[]", { kind: "array", element: { kind: "union", members: [str, nil] } }],
    ["( integer )", int],
    ["(string|integer)|nil", { kind: "union", members: [str, int, nil] }],
  ])("%s", (text, type) => {
    expect(returnOf(text)).toEqual(type);
  });

  test("the description follows the type after whitespace", () => {
    expect(
      declared(source("---@return [integer, string]   the pair\nreturn nil\n")).signature?.returns.description,
    ).toBe("the pair");
  });
});

/** The diagnostics the annotations of an inline script give. */
function problems(text: string) {
  return declared(source(`${text}\nreturn 1\n`)).diagnostics;
}

describe("diagnostics carry a hint where one helps", () => {
  test("an unknown tag close to one of ours suggests it", () => {
    expect(problems("---@kye k")[0]).toMatchObject({ code: "LG101", hint: "did you mean @key?" });
    expect(problems("---@Arg a string")[0]).toMatchObject({ code: "LG101", hint: "did you mean @arg?" });
    expect(problems("---@returns integer")[0]).toMatchObject({ code: "LG101", hint: "did you mean @return?" });
    expect(problems("---@nam x")[0]).toMatchObject({ code: "LG101", hint: "did you mean @name?" });
    expect(problems("---@todo later")[0]).toMatchObject({ code: "LG101", message: "unknown tag @todo" });
    expect(problems("---@todo later")[0].hint).toBeUndefined();
  });

  test("LuaLS's own tags are left alone", () => {
    const tags =
      "class field type alias generic vararg overload deprecated meta diagnostic see version async nodiscard cast operator enum module private protected package source as";
    expect(
      problems(
        tags
          .split(" ")
          .map((tag) => `---@${tag} x`)
          .join("\n"),
      ),
    ).toEqual([]);
  });

  test("@param points to @key and @arg", () => {
    expect(problems("---@param key string")).toEqual([
      {
        severity: "error",
        code: "LG108",
        file: "inline.lua",
        line: 1,
        column: 4,
        message: "@param is not a luagen tag",
        hint: "use @key for KEYS and @arg for ARGV",
      },
    ]);
  });

  test("a boolean return explains Redis's conversion", () => {
    for (const type of ["boolean", "integer|boolean"]) {
      const [d] = problems(`---@return ${type}`);
      expect(d.code).toBe("LG107");
      expect(d.hint).toMatch(/true into 1 and false into nil/);
      expect(d.hint).toMatch(/integer\|nil/);
    }
  });

  test("a number return is the integer reply of a Lua number (checked against the returns: LG221, LG222)", () => {
    expect(problems("---@return number")).toEqual([]);
    expect(problems("---@return number|nil")).toEqual([]);
  });

  test("a ? after a type says how to write optional values", () => {
    expect(problems("---@return string?")[0]).toMatchObject({ code: "LG100", hint: expect.stringContaining("T|nil") });
  });

  test("@return given twice suggests a tuple", () => {
    expect(problems("---@return integer\n---@return string")[0]).toMatchObject({
      code: "LG106",
      line: 2,
      hint: expect.stringContaining("tuple"),
    });
  });
});

describe("malformed tags", () => {
  test.each([
    ["an unterminated literal", `---@arg mode "asc|desc`, "LG100", 14, "unterminated string literal"],
    ["a literal glued to text", `---@arg mode "asc"x`, "LG100", 19, "unexpected 'x' after the type"],
    ["an empty tuple", "---@return []", "LG100", 13, "expected a return type, found ']'"],
    ["an unclosed tuple", "---@return [integer, string", "LG100", 28, "expected ',' or ']', found the end of the line"],
    ["an unclosed parenthesis", "---@return (integer", "LG100", 20, "expected ')', found the end of the line"],
    ["an array argument", "---@arg ids string[]", "LG100", 19, "unexpected '[' after the type"],
    ["text after @name", "---@name foo bar", "LG100", 14, "unexpected text after @name foo"],
    ["a missing @name", "---@name", "LG100", 9, "@name needs an identifier"],
    ["a missing @return type", "---@return   ", "LG100", 14, "@return needs a type"],
    ["a json return", "---@return json", "LG102", 12, expect.stringContaining("unknown return type 'json'")],
  ])("%s", (_, text, code, column, message) => {
    expect(problems(text)).toMatchObject([{ code, line: 1, column, message }]);
  });

  test("each bad line is reported, and the good ones still count", () => {
    const { signature, diagnostics } = declared(
      source("---@key a\n---@key b-c\n---@arg n int\n---@arg m integer\nreturn 1\n"),
    );
    expect(diagnostics.map((d) => [d.line, d.code])).toEqual([
      [2, "LG100"],
      [3, "LG102"],
    ]);
    expect(signature?.keys.map((k) => k.name)).toEqual(["a", "b-c"]);
    expect(signature?.args.map((a) => a.name)).toEqual(["n", "m"]);
  });

  test("whitespace between tokens is flexible", () => {
    const { signature, diagnostics } = declared(source("---   @arg\tlimit?   integer |  'x'   the limit\nreturn 1\n"));
    expect(diagnostics).toEqual([]);
    expect(signature?.args).toEqual([
      {
        name: "limit",
        description: "the limit",
        type: { kinds: ["integer"], literals: ["x"] },
        optional: true,
        rest: false,
        line: 1,
        column: 7,
        nameColumn: 12,
      },
    ]);
  });
});

describe("did you mean, for a type", () => {
  test.each([
    ["---@arg n int", "integer"],
    ["---@arg s String", "string"],
    ["---@arg b bool", "boolean"],
    ["---@arg n intger", "integer"],
    ["---@return int", "integer"],
    ["---@return String|nil", "string"],
  ])("%s: did you mean %s?", (text, near) => {
    expect(problems(`---@key k\n${text}`)).toMatchObject([{ code: "LG102", hint: `did you mean ${near}?` }]);
  });

  test("no guess for a word that is near nothing, nor a short word one letter from a known one twice over", () => {
    expect(problems("---@return table")[0]?.hint).toBeUndefined();
    expect(problems("---@return stat")[0]?.hint).toBeUndefined();
    expect(problems("---@return num")[0]?.hint).toBe("did you mean number?");
  });
});

describe("LG109: a tag behind two dashes", () => {
  test("is a warning at the comment, naming the tag, and the line is ignored", () => {
    const { signature, diagnostics } = declared(source("---Get it.\n-- @key counter\n---@return integer\nreturn 1\n"));
    expect(diagnostics).toEqual([
      {
        severity: "warning",
        code: "LG109",
        file: "inline.lua",
        line: 2,
        column: 1,
        message:
          "'-- @key' has two dashes: luagen (like LuaLS) reads tags only in '---' comments, so this line is ignored",
        hint: "write ---@key",
      },
    ]);
    expect(signature).toBeUndefined();
  });

  test("is given for each luagen tag before the first statement, not for other comments or later ones", () => {
    const text =
      "--  @arg limit integer\n--@return integer\n-- @include is the include stage's\n-- a note @key\nlocal x = 1\n-- @name later\nreturn x\n";
    expect(declared(source(text)).diagnostics.map((d) => `${d.line}:${d.code}`)).toEqual(["1:LG109", "2:LG109"]);
  });
});

describe("positions recorded on parameters", () => {
  test("each key and argument has its tag's column and its name's column", () => {
    const { signature } = declared(source("---@key k\n---  @arg   ...rest string\nreturn KEYS[1]\n"));
    expect(signature?.keys.map((k) => [k.line, k.column, k.nameColumn])).toEqual([[1, 4, 9]]);
    expect(signature?.args.map((a) => [a.line, a.column, a.nameColumn])).toEqual([[2, 6, 13]]);
  });
});

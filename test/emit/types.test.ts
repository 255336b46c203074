import { describe, expect, test } from "vitest";
import { returnTypeText } from "../../src/emit/typescript/types.js";
import type { ReturnType } from "../../src/model.js";

describe("the TypeScript type of a reply", () => {
  const integer: ReturnType = { kind: "integer" };
  const number: ReturnType = { kind: "number" };
  const nil: ReturnType = { kind: "nil" };
  test.each<[string, ReturnType, string]>([
    ["integer", integer, "number"],
    // `---@return number`: Redis sends a Lua number as an integer reply, which the client gives as a number.
    ["number", number, "number"],
    ["number|nil", { kind: "union", members: [number, nil] }, "number | null"],
    ["integer|number (one TypeScript type)", { kind: "union", members: [integer, number] }, "number"],
    ["status", { kind: "status" }, "string"],
    ["(number|nil)[]", { kind: "array", element: { kind: "union", members: [number, nil] } }, "(number | null)[]"],
  ])("%s", (_, type, expected) => {
    expect(returnTypeText(type)).toBe(expected);
  });
});

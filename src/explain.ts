import { returnTypeText } from "./emit/typescript/types.js";
import { replyText } from "./lua/lua-types.js";
import type { Script } from "./model.js";

/**
 * `--explain-types`: per script, the return type luagen settled on, as `---@return` spells it and
 * as TypeScript sees it, then, per `return`, what luagen inferred it replies and why. `shown`
 * names a script's file as diagnostics do (the CLI: relative to where luagen runs).
 */
export function explainTypes(scripts: readonly Script[], shown: (file: string) => string): string[] {
  return scripts.flatMap((script) => {
    const { returns } = script.signature;
    const how =
      returns.origin === "inferred"
        ? "inferred"
        : returns.origin === "missing"
          ? "no ---@return; not every return is known"
          : "declared by ---@return";
    const head = `${shown(script.file.path)}: returns ${replyText(returns.type)} (${how}) → Promise<${returnTypeText(returns.type)}>`;
    return [head, ...(returns.explanation ?? []).map((line) => `  ${line}`)];
  });
}

import { diagnostic } from "../../diagnostics.js";
import type { Diagnostic, Script } from "../../model.js";

/**
 * Python names for what the TypeScript target names in camelCase: `incrCapped` → `incr_capped`,
 * `parseHTTPHeader` → `parse_http_header`, `userId2` → `user_id2`. A name Python reserves gets a
 * trailing `_` (PEP 8's convention: `pass` → `pass_`), a character Python identifiers cannot hold
 * becomes `_`.
 */
export function snakeName(name: string): string {
  const snake = name
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, "$1_$2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1_$2")
    .toLowerCase()
    .replace(/[^\p{ID_Continue}]/gu, "_");
  const named = /^\p{ID_Start}/u.test(snake) ? snake : `run_${snake}`.replace(/^run__+/, "run_");
  return PYTHON_RESERVED.has(named) ? `${named}_` : named;
}

/** Keywords, soft keywords a parameter cannot shadow harmlessly, and names the generated code itself uses. */
const PYTHON_RESERVED = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except finally for from " +
    "global if import in is lambda nonlocal not or pass raise return try while with yield target"
  ).split(" "),
);

/** A script's names in its Python module: its function, its spec constant, each parameter by declaration order. */
export interface PythonNames {
  function: string;
  spec: string;
  keys: string[];
  args: string[];
}

/** The runtime's module, beside the scripts' own: no script's module may take its name. */
export const PYTHON_RUNTIME_MODULE = "runtime";

/** What `__init__.py` re-exports from the runtime beside the scripts: no script may take these names either. */
export const RUNTIME_EXPORTS = ["ArgSpec", "KeySpec", "Origin", "ScriptSpec", "execute", "execute_async"] as const;

const TAKEN: ReadonlySet<string> = new Set([PYTHON_RUNTIME_MODULE, ...RUNTIME_EXPORTS]);

export function pythonNamesOf(script: Script): PythonNames {
  const fn = pythonFunctionName(script.name);
  return {
    function: fn,
    spec: `${fn.replace(/_+$/, "").toUpperCase()}_SCRIPT`,
    keys: script.signature.keys.map((k) => snakeName(k.name)),
    args: script.signature.args.map((a) => snakeName(a.name)),
  };
}

/** The Python function of the script named `name` (`incrCapped` → `incr_capped`), and its module's name. */
export function pythonFunctionName(name: string): string {
  const snake = snakeName(name);
  return TAKEN.has(snake) ? `${snake}_` : snake;
}

/**
 * What the Python target cannot tell apart though the TypeScript one can: two scripts, or two
 * parameters of one script, whose names differ only in case or spelling (`getHTTP`, `getHttp`).
 */
export function checkPythonNames(scripts: readonly Script[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const taken = new Map<string, Script>();
  for (const script of scripts) {
    const names = pythonNamesOf(script);
    const other = taken.get(names.function);
    if (other !== undefined) {
      diagnostics.push(
        diagnostic(
          "LG305",
          script.file.path,
          { line: 1, column: 1 },
          `the Python name ${names.function} is taken by ${other.file.path} (${other.name} and ${script.name} read the same in snake_case)`,
          "give one of them another name with ---@name",
        ),
      );
    } else taken.set(names.function, script);
    diagnostics.push(...parameterClashes(script, names));
  }
  return diagnostics;
}

function parameterClashes(script: Script, names: PythonNames): Diagnostic[] {
  const params = [...script.signature.keys, ...script.signature.args];
  const seen = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  [...names.keys, ...names.args].forEach((name, i) => {
    const param = params[i]!;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, param.name);
    else
      diagnostics.push(
        diagnostic(
          "LG305",
          script.file.path,
          { line: param.line, column: param.nameColumn },
          `parameter ${param.name} and parameter ${first} are both ${name} in Python`,
          "rename one of them",
        ),
      );
  });
  return diagnostics;
}

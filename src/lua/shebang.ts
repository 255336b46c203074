import { closest } from "../suggest.js";

/** The flags Redis 7 accepts in `#!lua flags=...` (Redis and Valkey alike). */
export const SCRIPT_FLAGS = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"] as const;
export type ScriptFlag = (typeof SCRIPT_FLAGS)[number];

export interface Shebang {
  /** The flags declared; empty for `#!lua` alone (which still opts in to Redis 7's stricter defaults). */
  flags: ScriptFlag[];
}

export interface ShebangProblem {
  /** 1-based column on line 1. */
  column: number;
  message: string;
  hint?: string;
}

/**
 * Reads a `#!lua flags=a,b` first line as Redis 7 does: the engine must be `lua`, the only option
 * is `flags=`, and each flag must be one Redis knows, or the script fails to load ("Unexpected flag
 * in script shebang", "Unknown lua shebang option"). Undefined when the script has no shebang.
 */
export function readShebang(source: string): { shebang?: Shebang; problems: ShebangProblem[] } {
  if (!source.startsWith("#!")) return { problems: [] };
  const line = source.slice(0, source.search(/\n|$/));
  const [engine, ...options] = [...line.matchAll(/\S+/g)];
  if (engine?.[0] !== "#!lua") {
    const message = `the shebang names engine '${engine?.[0].slice(2) ?? ""}': Redis runs scripts with '#!lua' only ("Unexpected engine in script shebang")`;
    return { problems: [{ column: 3, message, hint: "write #!lua flags=..." }] };
  }
  const flags: ScriptFlag[] = [];
  const problems: ShebangProblem[] = [];
  for (const option of options) {
    const column = 1 + (option.index ?? 0);
    if (option[0].startsWith("name=")) {
      const hint =
        "a library's #!lua name=... is for FUNCTION LOAD; a script sent with EVAL takes only flags=: remove name=";
      problems.push({
        column,
        message: `'${option[0]}' is not a script option: Redis refuses it ("Unknown lua shebang option")`,
        hint,
      });
    } else if (!option[0].startsWith("flags=")) {
      problems.push({
        column,
        message: `unknown shebang option '${option[0]}': Redis accepts only flags=`,
        hint: "write #!lua flags=no-writes,...",
      });
    } else {
      readFlags(option[0].slice("flags=".length), column + "flags=".length, flags, problems);
    }
  }
  return { shebang: { flags }, problems };
}

function readFlags(list: string, column: number, flags: ScriptFlag[], problems: ShebangProblem[]): void {
  let offset = 0;
  for (const flag of list.split(",")) {
    if (flag !== "" && (SCRIPT_FLAGS as readonly string[]).includes(flag)) {
      flags.push(flag as ScriptFlag);
    } else if (flag !== "" || list !== "") {
      const near = closest(flag, SCRIPT_FLAGS);
      const hint = near ? `did you mean ${near}?` : `script flags are ${SCRIPT_FLAGS.join(", ")}`;
      problems.push({
        column: column + offset,
        message: `unknown script flag '${flag}': Redis refuses the script ("Unexpected flag in script shebang")`,
        hint,
      });
    }
    offset += flag.length + 1;
  }
}

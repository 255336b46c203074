import { readFile } from "node:fs/promises";
import path from "node:path";
import type { UserCommand } from "./lua/commands.js";
import { SERVER_NAMES, serverNamesText } from "./lua/servers.js";

/** What `luagen.config.json` or the `"luagen"` field of package.json may hold. */
export interface Config {
  input?: string[];
  /** The output folder; with several `targets`, one per target: `{ "typescript": "...", "python": "..." }`. */
  out?: string | OutByTarget;
  strict?: boolean;
  exclude?: string[];
  importExtension?: ImportExtension;
  /** Commands to add to Redis's table for the checks: a module's, or a newer server's. */
  commands?: Record<string, UserCommand>;
  client?: Client;
  /** The server the scripts run on (`redis-7.2`, `valkey-8.1`): the checks use its facts. */
  server?: string;
  /**
   * How the scripts are deployed and called: `scripts` (EVAL/EVALSHA, the default) or `functions`,
   * for the whole run or by folder (`{ "src/lua/billing": "functions" }`: a library per folder).
   */
  mode?: ModeSetting;
  /** `functions` mode: the library's base name (letters, digits, `_`); by default the project folder's name. */
  library?: string;
  /** The language generated: `typescript` (the default) or `python` (a package for redis-py). */
  target?: Target;
  /** Several languages from one run, each into its own folder (`out` by target). */
  targets?: Target[];
}

export type OutByTarget = Partial<Record<Target, string>>;

/** The languages luagen generates for; the first is the default. */
export const TARGETS = ["typescript", "python"] as const;
export type Target = (typeof TARGETS)[number];

/** How scripts are deployed: sent with each call (EVAL/EVALSHA), or loaded once as a Functions library (FCALL). */
export const MODES = ["scripts", "functions"] as const;
export type Mode = (typeof MODES)[number];

/**
 * The `mode` setting: the whole run's (`"functions"`), or by folder (`{ "src/lua/billing":
 * "functions", "src/lua/cache": "scripts" }`, folders relative to where luagen runs, as `input`).
 */
export type ModeSetting = Mode | Readonly<Record<string, Mode>>;

/** Redis accepts letters, digits and underscores in library and function names. */
export const LIBRARY_NAME = /^[A-Za-z0-9_]+$/;

export const IMPORT_EXTENSIONS = [".js", "", ".ts"] as const;
export type ImportExtension = (typeof IMPORT_EXTENSIONS)[number];

/** The client libraries generated code can be for; the first is the default. */
export const CLIENTS = ["ioredis", "iovalkey", "node-redis", "glide"] as const;
export type Client = (typeof CLIENTS)[number];

export type LoadedConfig = { config: Config; file?: string } | { error: string };

export const CONFIG_FILE = "luagen.config.json";

/**
 * Reads `luagen.config.json` from `cwd`, else the `"luagen"` field of `cwd/package.json`, else
 * nothing. An unknown key or a value of the wrong type is an error naming the key and the file.
 */
export async function loadConfig(cwd: string): Promise<LoadedConfig> {
  const own = path.join(cwd, CONFIG_FILE);
  const ownText = await readFile(own, "utf8").catch(() => undefined);
  if (ownText !== undefined)
    return parseConfig(ownText, CONFIG_FILE, (json) => json) ?? { error: `${CONFIG_FILE}: is empty` };
  const pkgText = await readFile(path.join(cwd, "package.json"), "utf8").catch(() => undefined);
  if (pkgText === undefined) return { config: {} };
  return (
    parseConfig(pkgText, "package.json", (json) => (json as Record<string, unknown> | null)?.luagen) ?? { config: {} }
  );
}

/** Undefined when the file holds no luagen configuration at all. */
function parseConfig(text: string, file: string, pick: (json: unknown) => unknown): LoadedConfig | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `${file}: not valid JSON (${(error as Error).message})` };
  }
  const raw = pick(json);
  if (raw === undefined) return undefined;
  const where = file === "package.json" ? `package.json "luagen"` : file;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { error: `${where}: must be an object` };
  const config: Config = {};
  for (const [key, value] of Object.entries(raw)) {
    const problem = assign(config, key, value);
    if (problem) return { error: `${where}: "${key}" ${problem}` };
  }
  return { config, file };
}

/** Sets one validated key; returns what is wrong with it, if anything. */
function assign(config: Config, key: string, value: unknown): string | undefined {
  const strings = (v: unknown) =>
    typeof v === "string"
      ? [v]
      : Array.isArray(v) && v.every((s) => typeof s === "string")
        ? (v as string[])
        : undefined;
  switch (key) {
    case "input":
    case "exclude": {
      const list = strings(value);
      if (!list) return "must be a string or an array of strings";
      config[key] = list;
      return;
    }
    case "out": {
      if (typeof value === "string" && value !== "") {
        config.out = value;
        return;
      }
      const byTarget = typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
      const entries = Object.entries(byTarget ?? { "": "" });
      if (!entries.every(([target, out]) => isOneOf(target, TARGETS) && typeof out === "string" && out !== ""))
        return `must be a non-empty string, or an object of them by target (${TARGETS.map((t) => `"${t}"`).join(", ")})`;
      config.out = byTarget as OutByTarget;
      return;
    }
    case "strict":
      if (typeof value !== "boolean") return "must be true or false";
      config.strict = value;
      return;
    case "importExtension":
      if (!isOneOf(value, IMPORT_EXTENSIONS)) return mustBeOneOf(IMPORT_EXTENSIONS);
      config.importExtension = value;
      return;
    case "commands": {
      const problem = commandsProblem(value);
      if (problem) return problem;
      config.commands = value as Record<string, UserCommand>;
      return;
    }
    case "client":
      if (!isOneOf(value, CLIENTS)) return mustBeOneOf(CLIENTS);
      config.client = value;
      return;
    case "server":
      if (typeof value !== "string" || !SERVER_NAMES.includes(value)) return serverNamesText();
      config.server = value;
      return;
    case "mode": {
      if (isOneOf(value, MODES)) {
        config.mode = value;
        return;
      }
      const byFolder = typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
      const entries = Object.entries(byFolder);
      if (entries.length === 0 || !entries.every(([folder, mode]) => folder !== "" && isOneOf(mode, MODES)))
        return `${mustBeOneOf(MODES)}, or an object of them by folder ({ "src/lua/billing": "functions" })`;
      config.mode = byFolder as Record<string, Mode>;
      return;
    }
    case "target":
      if (!isOneOf(value, TARGETS)) return mustBeOneOf(TARGETS);
      config.target = value;
      return;
    case "targets":
      if (!Array.isArray(value) || value.length === 0 || !value.every((t) => isOneOf(t, TARGETS)))
        return `must be a non-empty array of ${TARGETS.map((t) => `"${t}"`).join(", ")}`;
      if (new Set(value).size !== value.length) return "names a target twice";
      config.targets = value as Target[];
      return;
    case "library":
      if (typeof value !== "string" || !LIBRARY_NAME.test(value)) return LIBRARY_NAME_RULE;
      config.library = value;
      return;
    default:
      return `is not a known key (known: input, out, strict, exclude, importExtension, commands, client, server, mode, library, target, targets)`;
  }
}

export const LIBRARY_NAME_RULE = "must be letters, digits and underscores only (a Redis library name)";

/** `{ "NAME": { "arity"?: integer, "flags"?: string[] } }`: what is wrong with it, if anything. */
function commandsProblem(value: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) return 'must be an object of commands, e.g. { "MY.CMD": { "arity": -2, "flags": ["write"] } }';
  for (const [name, spec] of Object.entries(value)) {
    if (!isObject(spec)) return `"${name}" must be an object ({ "arity"?: integer, "flags"?: string[] })`;
    const unknownKey = Object.keys(spec).find((key) => key !== "arity" && key !== "flags");
    if (unknownKey) return `"${name}" has an unknown key "${unknownKey}" (known: arity, flags)`;
    if (spec.arity !== undefined && (!Number.isInteger(spec.arity) || spec.arity === 0))
      return `"${name}".arity must be a non-zero integer`;
    if (spec.flags !== undefined && !(Array.isArray(spec.flags) && spec.flags.every((f) => typeof f === "string")))
      return `"${name}".flags must be an array of strings`;
  }
  return undefined;
}

/** Whether a config value or flag is one of a setting's allowed values. */
export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return (allowed as readonly unknown[]).includes(value);
}

/** What a config file or flag is told when its value is not allowed: `must be one of ".js", "", ".ts"`. */
export function mustBeOneOf(allowed: readonly string[]): string {
  return `must be one of ${allowed.map((value) => JSON.stringify(value)).join(", ")}`;
}

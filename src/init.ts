import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CONFIG_FILE } from "./config.js";
import type { Io } from "./report.js";

const EXAMPLE_SCRIPT = `---Increment a counter, never past a cap.
---@key counter  the counter's key
---@arg max integer  the cap
---@return integer  the counter's value after the call
local value = tonumber(redis.call("GET", KEYS[1]) or "0")
if value >= tonumber(ARGV[1]) then
  return value
end
return redis.call("INCR", KEYS[1])
`;

const CONFIG = { input: ["src/lua"], out: "src/generated" };

/** lua-language-server: Lua 5.1 as Redis embeds it, Redis's globals, and luagen's own tags left alone. */
const LUARC = {
  $schema: "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
  "runtime.version": "Lua 5.1",
  "diagnostics.globals": ["KEYS", "ARGV", "redis", "cjson", "cmsgpack", "bit", "struct"],
  "workspace.library": [".luals"],
  "workspace.checkThirdParty": false,
};

const REDIS_META = `---@meta
-- Definitions of what Redis gives a Lua script, for lua-language-server. Written by \`luagen init\`.

---@type string[]
KEYS = {}
---@type string[]
ARGV = {}

---@class redis
redis = {}

---Runs a Redis command; a command error raises a Lua error.
---@param command string
---@param ... string|number
---@return any
function redis.call(command, ...) end

---Runs a Redis command; a command error is returned as a table \`{ err = "..." }\`.
---@param command string
---@param ... string|number
---@return any
function redis.pcall(command, ...) end

---Builds an error reply.
---@param message string
---@return { err: string }
function redis.error_reply(message) end

---Builds a status reply.
---@param status string
---@return { ok: string }
function redis.status_reply(status) end

---The SHA-1 hex digest of a string.
---@param text string
---@return string
function redis.sha1hex(text) end

---Writes to the Redis log.
---@param level integer redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE or redis.LOG_WARNING
---@param message string
function redis.log(level, message) end

redis.LOG_DEBUG = 0
redis.LOG_VERBOSE = 1
redis.LOG_NOTICE = 2
redis.LOG_WARNING = 3

cjson = {}
---@param value any
---@return string
function cjson.encode(value) end
---@param text string
---@return any
function cjson.decode(text) end

cmsgpack = {}
---@return string
function cmsgpack.pack(...) end
---@return any
function cmsgpack.unpack(data) end

bit = {}
struct = {}
`;

/**
 * `luagen init`: sets up an existing npm project. Never overwrites a file; reports what it
 * created, what it changed (package.json's prebuild) and what it left alone.
 */
export async function init(io: Io, args: readonly string[]): Promise<number> {
  if (args.length > 0) {
    io.stderr(`luagen: init takes no arguments (got ${args.join(" ")})`);
    return 2;
  }
  const pkgFile = path.join(io.cwd, "package.json");
  const pkgText = await readFile(pkgFile, "utf8").catch(() => undefined);
  if (pkgText === undefined) {
    io.stderr("luagen: no package.json here; run `npm init` first, then `luagen init`");
    return 2;
  }
  const pkg = JSON.parse(pkgText) as { scripts?: Record<string, string>; luagen?: unknown };
  const created: string[] = [];
  const kept: string[] = [];
  const create = async (file: string, content: string) =>
    ((await createIfMissing(path.join(io.cwd, file), content)) ? created : kept).push(file);

  await create("src/lua/incr-capped.lua", EXAMPLE_SCRIPT);
  if (pkg.luagen === undefined) await create(CONFIG_FILE, json(CONFIG));
  else kept.push(`package.json "luagen" (configuration already there)`);
  await create(".luarc.json", json(LUARC));
  await create(".luals/redis.lua", REDIS_META);

  const prebuild = pkg.scripts?.prebuild;
  if (prebuild === undefined) {
    pkg.scripts = { ...pkg.scripts, prebuild: "luagen" };
    await writeFile(pkgFile, JSON.stringify(pkg, null, indentOf(pkgText)) + "\n");
    created.push(`package.json "scripts.prebuild": "luagen"`);
  } else if (!/\bluagen\b/.test(prebuild)) {
    kept.push(`package.json "scripts.prebuild" (it is "${prebuild}": add "luagen && " to it yourself)`);
  } else {
    kept.push(`package.json "scripts.prebuild"`);
  }

  for (const file of created) io.stdout(`created  ${file}`);
  for (const file of kept) io.stdout(`left     ${file}`);
  io.stdout(created.length > 0 ? nextStep(pkg.scripts ?? {}) : "luagen: nothing to do; the project is set up");
  return 0;
}

/** npm runs "prebuild" only before "build": promise `npm run build` only where there is one. */
function nextStep(scripts: Record<string, string>): string {
  if (scripts.build !== undefined)
    return "luagen: next, run `npx luagen` (or `npm run build`: its prebuild now runs luagen)";
  return 'luagen: next, run `npx luagen`; this project has no "build" script, and npm runs "prebuild" only before one';
}

async function createIfMissing(file: string, content: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Keeps the user's package.json indentation. */
function indentOf(text: string): string | number {
  return text.match(/^[ \t]+(?=")/m)?.[0] ?? 2;
}

// Lua scripts for the benchmarks, written to disk: the handful the runtime
// benchmarks call, and thousands of varied, valid, annotated scripts for the
// generator-at-scale benchmark. Everything is deterministic (seeded), so two
// runs time the same trees.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// ---------------------------------------------------------------------------
// The runtime benchmarks' scripts
// ---------------------------------------------------------------------------

/** How many different scripts of each size (the "transaction of 10 different scripts"). */
export const VARIANTS = 10;
export const LARGE_SIZE = 4096;
export type ScriptSize = "small" | "large";

/** `small-3.lua` → `small3`; `large-0.lua` → `large0` (luagen's camelCase naming). */
export function benchScriptName(size: ScriptSize, variant: number): string {
  return `${size}${variant}`;
}

/**
 * INCRBY on one key. `small-N.lua` is the five lines below; `large-N.lua` is the same
 * script padded with a trailing comment to exactly 4 KiB, so EVAL carries 4 KiB of source.
 * Variants differ by one comment line, so each has its own SHA-1.
 */
export function benchScriptSource(size: ScriptSize, variant: number): string {
  const script = [
    `---Adds to a counter (benchmark script ${size} ${variant}).`,
    "---@key counter  the counter",
    "---@arg by integer  the increment",
    "---@return integer  the new value",
    `return redis.call("INCRBY", KEYS[1], ARGV[1]) -- variant ${variant}`,
    "",
  ].join("\n");
  if (size === "small") return script;
  const filler = "-- padding so that EVAL carries a realistic 4 KiB of source ---------------------------\n";
  let padded = script;
  while (padded.length + filler.length <= LARGE_SIZE) padded += filler;
  return padded + "-".repeat(LARGE_SIZE - padded.length - 1) + "\n";
}

/**
 * The source-size benchmark's scripts: the same INCRBY with two tags, padded with comment lines
 * to exactly `bytes` bytes, so that a pipeline's EVALs carry that much source each.
 */
export const PAYLOADS = [
  { name: "payload130B", bytes: 130, label: "130 B" },
  { name: "payload2KiB", bytes: 2 * 1024, label: "2 KiB" },
  { name: "payload8KiB", bytes: 8 * 1024, label: "8 KiB" },
  { name: "payload1MiB", bytes: 1024 * 1024, label: "1 MiB" },
] as const;

export type Payload = (typeof PAYLOADS)[number];

export function payloadSource(bytes: number): string {
  const script = '---@key counter\n---@arg by integer\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])\n';
  const line = `--${"-".repeat(77)}\n`;
  let padded = script;
  while (padded.length + line.length < bytes) padded += line;
  return padded + "-".repeat(bytes - padded.length - 1) + "\n";
}

export function writeBenchScripts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const size of ["small", "large"] as const) {
    for (let v = 0; v < VARIANTS; v++) writeFileSync(path.join(dir, `${size}-${v}.lua`), benchScriptSource(size, v));
  }
  // `@name`-free file names that luagen turns into the names above: payload-130B.lua → payload130B.
  for (const { name, bytes } of PAYLOADS)
    writeFileSync(path.join(dir, `${payloadFile(name)}.lua`), payloadSource(bytes));
}

function payloadFile(name: string): string {
  return name.replace(/^payload/, "payload-");
}

// ---------------------------------------------------------------------------
// The generator benchmark's trees
// ---------------------------------------------------------------------------

/** mulberry32: small, fast, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

const VERBS = ["incr", "take", "claim", "rotate", "sync", "merge", "drain", "touch", "expire", "rank", "score", "trim"];
const NOUNS = [
  "counter",
  "lock",
  "quota",
  "window",
  "queue",
  "set",
  "bucket",
  "stream",
  "lease",
  "index",
  "cache",
  "ledger",
];
const FOLDERS = ["rate", "locks", "queues", "jobs", "cache", "billing", "search", "sessions"];
const ARG_TYPES = [
  "string",
  "number",
  "integer",
  "boolean",
  "json",
  '"asc"|"desc"',
  'integer|"all"',
  "string|number",
  '"a"|"b"|"c"',
];
const RETURN_TYPES = [
  "integer",
  "string",
  "string|nil",
  "integer[]",
  "[integer, string]",
  "status",
  "(string|nil)[]",
  "unknown",
  "nil",
];

/** The tree's layout: `rate/q3/incr-counter-17.lua`, some one level deeper, some at the top. */
function relativePathFor(i: number, dice: Dice): string {
  const base = `${dice.pick(VERBS)}-${dice.pick(NOUNS)}-${i}.lua`;
  const depth = dice.int(0, 3);
  if (depth === 0) return base;
  const parts = [FOLDERS[i % FOLDERS.length]];
  if (depth >= 2) parts.push(`q${i % 7}`);
  if (depth >= 3) parts.push(`deep-${i % 3}`);
  return [...parts, base].join("/");
}

/**
 * One valid script: a summary, 0–4 keys (sometimes a rest key), 0–4 arguments of every kind
 * (optional trailing ones, literal unions, sometimes a rest argument), a return type, sometimes
 * `@name` or a shebang; a body that reads every declared key and argument (so no warnings),
 * padded with plain Lua to 5–200 lines in all.
 */
function synthScript(i: number, dice: Dice): string {
  const head: string[] = [];
  if (dice.chance(0.05)) head.push("#!lua flags=no-writes", "");
  head.push(`---Synthetic script ${i}: ${dice.pick(VERBS)} the ${dice.pick(NOUNS)}.`);
  if (dice.chance(0.3)) head.push("---", `---A second paragraph for script ${i}, copied into the JSDoc.`);

  const keyCount = dice.int(0, 4);
  const restKey = keyCount > 0 && dice.chance(0.2);
  for (let k = 1; k <= keyCount; k++) {
    const rest = restKey && k === keyCount;
    head.push(
      `---@key ${rest ? "..." : ""}key${k}${dice.chance(0.5) ? `  ${dice.chance(0.3) ? "# " : ""}the ${dice.pick(NOUNS)}` : ""}`,
    );
  }
  const argCount = dice.int(0, 4);
  const restArg = argCount > 0 && dice.chance(0.15);
  const firstOptional = restArg || argCount === 0 || !dice.chance(0.35) ? argCount + 1 : dice.int(1, argCount);
  for (let a = 1; a <= argCount; a++) {
    const rest = restArg && a === argCount;
    const optional = a >= firstOptional ? "?" : "";
    head.push(
      `---@arg ${rest ? "..." : ""}arg${a}${optional} ${dice.pick(ARG_TYPES)}${dice.chance(0.4) ? "  a value" : ""}`,
    );
  }
  const returns = dice.pick(RETURN_TYPES);
  head.push(`---@return ${returns}${dice.chance(0.5) ? "  the reply" : ""}`);
  if (dice.chance(0.1)) head.push(`---@name renamed${i}`);

  const body: string[] = [];
  const fixedKeys = restKey ? keyCount - 1 : keyCount;
  const fixedArgs = restArg ? argCount - 1 : argCount;
  for (let k = 1; k <= fixedKeys; k++) body.push(`local k${k} = KEYS[${k}]`);
  if (restKey)
    body.push("local rest_keys = {}", `for i = ${keyCount}, #KEYS do rest_keys[#rest_keys + 1] = KEYS[i] end`);
  for (let a = 1; a <= fixedArgs; a++) body.push(`local a${a} = ARGV[${a}] or ""`);
  if (restArg)
    body.push("local rest_args = {}", `for i = ${argCount}, #ARGV do rest_args[#rest_args + 1] = ARGV[i] end`);

  const target = dice.chance(0.7) ? dice.int(5, 40) : dice.int(40, 200);
  body.push("local acc = 0");
  let n = 0;
  while (head.length + body.length + 1 < target) body.push(...filler(n++, dice, fixedKeys));
  if (fixedKeys > 0) body.push('local current = redis.call("GET", k1)');
  body.push(`return ${returnExpression(returns, fixedKeys > 0)}`);
  return [...head, ...body].join("\n") + "\n";
}

/** What the script returns: a value of the declared type, as luagen's return check infers it. */
function returnExpression(declared: string, hasKey: boolean): string {
  switch (declared) {
    case "integer":
    case "unknown":
      return "acc";
    case "string":
      return "tostring(acc)";
    case "string|nil":
      return hasKey ? "current" : "nil";
    case "integer[]":
      return "{acc, acc + 1}";
    case "[integer, string]":
      return "{acc, tostring(acc)}";
    case "status":
      return 'redis.status_reply("OK")';
    case "(string|nil)[]":
      return "{tostring(acc)}";
    case "nil":
      return "nil";
    default:
      throw new Error(`synth: no return expression for ---@return ${declared}`);
  }
}

/** A few lines of ordinary Lua that touch only locals (and `k1` when there is a key). */
function filler(n: number, dice: Dice, keys: number): string[] {
  switch (dice.int(0, 5)) {
    case 0:
      return [`local v${n} = acc * ${dice.int(2, 9)} + ${n}`, `acc = acc + v${n}`];
    case 1:
      return [
        `if acc > ${dice.int(10, 1000)} then`,
        `  acc = acc - ${dice.int(1, 9)}`,
        "else",
        `  acc = acc + 1`,
        "end",
      ];
    case 2:
      return [`for j${n} = 1, ${dice.int(2, 5)} do`, `  acc = acc + j${n}`, "end"];
    case 3:
      return [`local s${n} = string.format("%d:%s", acc, "item-${n}")`, `acc = acc + #s${n}`];
    case 4:
      return keys > 0
        ? [`local r${n} = redis.call("HGET", k1, "field-${n}")`, `if r${n} then acc = acc + tonumber(r${n}) end`]
        : [`local t${n} = { ${n}, ${n + 1}, "x" }`, `acc = acc + #t${n}`];
    default:
      return [`-- step ${n}: keep the accumulator bounded`, "acc = acc % 1000003"];
  }
}

/** Writes `count` scripts under `dir`; returns their paths relative to `dir`, sorted. */
export function writeSynthTree(dir: string, count: number, seed = 20240601): string[] {
  const dice = new Dice(seed);
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const relative = relativePathFor(i, dice);
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, synthScript(i, dice));
    written.push(relative);
  }
  return written.sort();
}

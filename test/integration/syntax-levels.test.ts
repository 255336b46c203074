import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { buildScripts } from "../../src/build.js";
import { parseLua } from "../../src/lua/parse.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// §3 of issue 8: luagen refuses at build time exactly the nesting Redis's Lua parser refuses
// ("chunk has too many syntax levels"), for every shape that nests, and accepts one level less.

const SHAPES: Record<string, (n: number) => string> = {
  parentheses: (n) => `return ${"(".repeat(n)}1${")".repeat(n)}`,
  "do blocks": (n) => `${"do ".repeat(n)}${"end ".repeat(n)}return 1`,
  "if blocks": (n) => `${"if true then ".repeat(n)}${"end ".repeat(n)}return 1`,
  "while blocks": (n) => `${"while false do ".repeat(n)}${"end ".repeat(n)}return 1`,
  "repeat blocks": (n) => `${"repeat ".repeat(n)}${"until true ".repeat(n)}return 1`,
  functions: (n) => `local f = ${"function() return ".repeat(n)}1${" end".repeat(n)} return 1`,
  tables: (n) => `return #${"{".repeat(n)}1${"}".repeat(n)}`,
  "table keys": (n) => `return #${"{[".repeat(n)}1${"]=1}".repeat(n)}`,
  concatenation: (n) =>
    `return ${Array(n + 1)
      .fill("'a'")
      .join("..")}`,
  powers: (n) =>
    `return ${Array(n + 1)
      .fill("1")
      .join("^")}`,
  "unary minus": (n) => `return ${"- ".repeat(n)}1`,
  "not and": (n) => `return ${"not 1 and ".repeat(n)}1`,
  calls: (n) => `local f = function(x) return x end return ${"f(".repeat(n)}1${")".repeat(n)}`,
  indexes: (n) => `local t = {} return ${"t[".repeat(n)}1${"]".repeat(n)}`,
  "parentheses in blocks": (n) => `${"do ".repeat(100)}return ${"(".repeat(n)}1${")".repeat(n)}${" end".repeat(100)}`,
  "left-associative sums (never nest)": (n) =>
    `return ${Array(n + 1)
      .fill("1")
      .join("+")}`,
};

const MAX = 400;

/** The smallest n in 1..MAX for which `refused(n)` holds (refusal is monotonic in n); MAX + 1 when none. */
async function smallest(refused: (n: number) => Promise<boolean> | boolean): Promise<number> {
  let lo = 1;
  let hi = MAX + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await refused(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function luagenRefuses(source: string): boolean {
  const { diagnostics } = parseLua({ path: "deep.lua", relativePath: "deep.lua", text: source, partial: false });
  return diagnostics.some((d) => d.code === "LG001" && d.message.includes("too many syntax levels"));
}

describe("nesting depth: luagen refuses what Redis refuses", () => {
  let server: RedisServer;
  let redis: Redis;

  holdOpen(async () => {
    server = await startRedisServer();
    return [server, (redis = new Redis({ host: server.host, port: server.port }))];
  });

  const redisRefuses = async (source: string) => {
    try {
      await redis.eval(source, 0);
      return false;
    } catch (error) {
      return /too many syntax levels/.test((error as Error).message);
    }
  };

  it.each(Object.entries(SHAPES))("%s: the same smallest refused depth", async (_, make) => {
    const byRedis = await smallest((n) => redisRefuses(make(n)));
    const byLuagen = await smallest((n) => luagenRefuses(make(n)));
    expect(byLuagen).toBe(byRedis);
  });

  it("Redis's figures for the two shapes docs/diagnostics.md names: 199 parentheses, 200 blocks", async () => {
    expect(await smallest((n) => redisRefuses(SHAPES.parentheses(n)))).toBe(199);
    expect(await smallest((n) => redisRefuses(SHAPES["do blocks"](n)))).toBe(200);
  });

  it("a chain of 20,000 left-associative operators never nests: Redis runs it, luagen says LG004, not an internal error", async () => {
    const chain = (op: string) => `local x = ${Array(20001).fill("1").join(` ${op} `)}\nreturn x\n`;
    expect(await redis.eval(chain("+"), 0)).toBe(20001);
    expect(await redis.eval(chain("or"), 0)).toBe(1);
    for (const op of ["+", "or"]) {
      const { diagnostics } = buildScripts([
        { path: "chain.lua", relativePath: "chain.lua", text: chain(op), partial: false },
      ]);
      expect(
        diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`),
        op,
      ).toEqual(["1:11 LG004"]);
    }
  });

  it("reports it as LG001 at the token where Redis's parser stops: the 201st level opens at the `1`", async () => {
    const source = `local x = 1\nreturn ${"(".repeat(198)}\n(1${")".repeat(199)}`;
    await expect(redis.eval(source, 0)).rejects.toThrow(/user_script:3: chunk has too many syntax levels/);
    const { diagnostics } = parseLua({ path: "deep.lua", relativePath: "deep.lua", text: source, partial: false });
    expect(diagnostics).toMatchObject([{ code: "LG001", file: "deep.lua", line: 3, column: 2 }]);
  });
});

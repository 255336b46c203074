import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Library } from "../../src/emit/library.js";
import { generate } from "../../src/generate.js";
import { holdOpen } from "../support/fixtures.js";
import {
  expectDirectCallsSurviveFunctionFlush,
  generatedFunctions as generated,
  library,
  projectScripts,
  script,
  type Generated,
} from "../support/library.js";
import { pool, underFlushStorm } from "../support/load.js";
import { IOREDIS } from "../support/ioredis.js";
import { NODE_REDIS } from "../support/node-redis.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { commandStats, connect } from "../support/script.js";
import { tempDir, writeTree } from "../support/workspace.js";

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  describe("the library on a real server", () => {
    let redis: Redis;
    let made: Library;
    holdOpen(async () => {
      const server = await start();
      return [server, (redis = new Redis({ host: server.host, port: server.port }))];
    });
    beforeAll(async () => {
      made = library(await projectScripts());
    });

    it("loads, and FUNCTION LIST shows every function with its flags", async () => {
      expect(await redis.call("FUNCTION", "LOAD", made.code)).toBe(made.name);
      const [entry] = (await redis.call("FUNCTION", "LIST", "LIBRARYNAME", made.name)) as unknown[][];
      const listed = (entry![5] as unknown[][]).map((f) => [f[1], f[5]]);
      expect(listed.sort()).toEqual(
        [
          [`${made.name}_bare`, []],
          [`${made.name}_moveJobs`, ["allow-cross-slot-keys"]],
          [`${made.name}_pingStatus`, []],
          [`${made.name}_addTags`, []],
        ].sort(),
      );
    });

    it("answers FCALL as the script answers EVAL, for the same keys and arguments", async () => {
      await redis.call("FUNCTION", "LOAD", "REPLACE", made.code);
      const scripts = await projectScripts();
      const calls: Record<string, [string[], string[]]> = {
        bare: [["{t}a", "{t}b"], ["v"]],
        pingStatus: [[], []],
        addTags: [["{t}s1", "{t}s2"], ["red"]],
        moveJobs: [
          ["{t}src", "{t}d1", "{t}d2"],
          ["2", "asc", "{}"],
        ],
      };
      const reset = () => redis.del("{t}a", "{t}b", "{t}s1", "{t}s2", "{t}src", "{t}d1", "{t}d2", "{t}src:meta");
      for (const s of scripts) {
        const [keys, args] = calls[s.name]!;
        await reset();
        await redis.rpush("{t}src", "j1", "j2", "j3");
        const viaEval = await redis.call("EVAL", s.source, keys.length, ...keys, ...args);
        await reset();
        await redis.rpush("{t}src", "j1", "j2", "j3");
        const viaFcall = await redis.call("FCALL", made.functions.get(s.name)!.name, keys.length, ...keys, ...args);
        expect([s.name, viaFcall]).toEqual([s.name, viaEval]);
      }
    });

    it("runs a script that reads `...` as EVAL does (empty), where a plain callback would stop the library loading", async () => {
      const varargs = script("---@return integer\nreturn select('#', ...)\n", "varargs.lua");
      const own = library([varargs], "varargs");
      await redis.call("FUNCTION", "LOAD", "REPLACE", own.code);
      expect(await redis.call("FCALL", own.functions.get(varargs.name)!.name, 0)).toBe(0);
      expect(await redis.call("EVAL", varargs.source, 0)).toBe(0);
    });

    it("says where a script failed: the library line maps back to the script's own line", async () => {
      const failing = script("---@return integer\nlocal x = 1\nerror('boom')\n", "fails.lua");
      const shebang = script("#!lua flags=no-writes\n---@return integer\n\nerror('boom')\n", "flagged.lua");
      const own = library([failing, shebang], "lines");
      await redis.call("FUNCTION", "LOAD", "REPLACE", own.code);
      for (const [s, line] of [
        [failing, 3],
        [shebang, 4],
      ] as const) {
        const fn = own.functions.get(s.name)!;
        const error = await redis.call("FCALL", fn.name, 0).catch((e: Error) => e.message);
        const at = Number(/@user_function:(\d+)/.exec(String(error))?.[1]);
        expect(at - fn.line + 1).toBe(line);
      }
    });
  });

  // --- The generated code in functions mode (--mode functions), on a real server, with each client ---

  const FLOOD_CALLS = 1_000;

  /** Every client the runtime supports: the ioredis family through the ioredis code, node-redis through its own. */
  const CLIENTS = [
    ...IOREDIS.map((major) => ({
      name: major.name,
      client: "ioredis" as const,
      open: (server: RedisServer) => Promise.resolve(connect(server, major.Redis)),
    })),
    ...NODE_REDIS.map((major) => ({
      name: major.name,
      client: "node-redis" as const,
      open: (server: RedisServer) => major.client(server),
    })),
  ];

  describe.each(CLIENTS)("generated code in functions mode, $name", ({ client, open }) => {
    let server: RedisServer;
    let checker: Redis;
    let flusher: Redis;
    let target: unknown;
    let code: Generated;
    holdOpen(async () => {
      server = await start();
      return server;
    });
    holdOpen(() => (checker = connect(server)));
    holdOpen(() => (flusher = connect(server)));
    holdOpen(async () => {
      const connection = await open(server);
      target = connection;
      return connection;
    });
    beforeAll(async () => {
      code = await generated(client);
    });
    beforeEach(async () => {
      await checker.call("FUNCTION", "FLUSH");
      await checker.flushall();
      await checker.config("RESETSTAT");
    });

    it("loadLibrary loads the library once, then finds it current and writes nothing", async () => {
      expect(await code.loadLibrary(target)).toEqual({ library: code.library.name, loaded: 1, current: 0 });
      expect(await code.loadLibrary(target)).toEqual({ library: code.library.name, loaded: 0, current: 1 });
      expect(code.library.name).toMatch(/^itest_[0-9a-f]{12}$/);
      const stats = await commandStats(checker);
      expect(stats["function|load"]).toEqual({ calls: 2, failed: 1 });
    });

    it("a direct call is an FCALL (FCALL_RO for no-writes); where the library is missing, it loads it and answers", async () => {
      expect(await code.counter(target, "c")).toBe(1);
      expect(await code.counter(target, "c")).toBe(2);
      expect(await code.peek(target, "c")).toBe("2");
      const stats = await commandStats(checker);
      expect(stats.fcall).toEqual({ calls: 3, failed: 1 }); // the first found no function
      expect(stats.fcall_ro).toEqual({ calls: 1, failed: 0 });
      expect(stats["function|load"]?.calls).toBe(1);
      expect(stats.evalsha).toBeUndefined();
      expect(stats.eval).toBeUndefined();
    });

    it("names the script's own file and line when the function fails", async () => {
      const error = await code.fails(target).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/boom 1.*\(lua\/fails\.lua:3\)$/s);
    });

    it("no direct call fails while another connection sends FUNCTION FLUSH back to back", async () => {
      await expectDirectCallsSurviveFunctionFlush(
        flusher,
        checker,
        FLOOD_CALLS,
        () => code.counter(target, "flood"),
        () => code.peek(target, "flood"),
      );
    });

    it("a transaction carries its scripts' source (EVAL) and never ends partial while the library is flushed", async () => {
      const failures: unknown[] = [];
      const TRANSACTIONS = 200;
      await underFlushStorm(
        [flusher],
        () =>
          pool(TRANSACTIONS, 10, async () => {
            const multi = (target as { multi(): { incr(key: string): unknown; exec(): Promise<unknown> } }).multi();
            multi.incr("tx-plain");
            void code.counter(multi, "tx");
            void code.counter(multi, "tx");
            await multi.exec().catch((error: unknown) => void failures.push(error));
          }),
        { flushing: "functions" },
      );
      expect(failures).toEqual([]);
      expect(await checker.mget("tx-plain", "tx")).toEqual([String(TRANSACTIONS), String(2 * TRANSACTIONS)]);
      const stats = await commandStats(checker);
      expect(stats.fcall).toBeUndefined();
      // At least each transaction's first call (node-redis: every call, its multi may end as a pipeline).
      expect(stats.eval?.calls ?? 0).toBeGreaterThanOrEqual(TRANSACTIONS);
    });

    it("a pipeline carries its scripts' source (EVAL) too: no call fails while the library is flushed", async () => {
      const failures: unknown[] = [];
      const PIPELINES = 200;
      type Batch = { exec(): Promise<unknown>; execAsPipeline?(): Promise<unknown> };
      const open = target as { pipeline?(): Batch; multi(): Batch };
      await underFlushStorm(
        [flusher],
        () =>
          pool(PIPELINES, 10, async () => {
            // ioredis: pipeline(), replies as [error, value] pairs; node-redis: multi().execAsPipeline().
            const batch = client === "ioredis" ? open.pipeline!() : open.multi();
            void code.counter(batch, "piped");
            void code.counter(batch, "piped");
            const replies = await (client === "ioredis" ? batch.exec() : batch.execAsPipeline!()).catch(
              (error: unknown) => void failures.push(error),
            );
            for (const reply of Array.isArray(replies) ? replies : [])
              if (client === "ioredis" && (reply as unknown[])[0]) failures.push((reply as unknown[])[0]);
          }),
        { flushing: "functions" },
      );
      expect(failures).toEqual([]);
      expect(await checker.get("piped")).toBe(String(2 * PIPELINES));
      expect((await commandStats(checker)).fcall).toBeUndefined();
    });
  });

  describe("the library file in the output folder", () => {
    let redis: Redis;
    holdOpen(async () => {
      const server = await start();
      return [server, (redis = new Redis({ host: server.host, port: server.port }))];
    });

    it("is written as _library.lua, loads as it is, and goes away with the mode", async () => {
      const dir = tempDir("library-file");
      writeTree(dir, {
        "package.json": "{}\n",
        "lua/get.lua": "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
      });
      const run = (mode?: "functions") =>
        generate({ inputs: ["lua"], out: "gen", cwd: dir, ...(mode ? { mode, library: "file" } : {}) });
      expect((await run("functions")).kind).toBe("written");
      const code = readFileSync(path.join(dir, "gen", "_library.lua"), "utf8");
      const { library } = (await import(path.join(dir, "gen", "_library.ts"))) as {
        library: { name: string; code: string };
      };
      expect(code).toBe(library.code);
      expect(await redis.call("FUNCTION", "LOAD", code)).toBe(library.name);
      const again = await run("functions");
      expect(again.kind === "written" && again.summary).toEqual({ written: 0, unchanged: 5, removed: 0 });
      expect((await run()).kind).toBe("written");
      expect(readdirSync(path.join(dir, "gen")).sort()).toEqual(["get.ts", "index.ts", "runtime.ts"]);
    });

    it("with a mode by folder, is one library per folder: calls answer through their own, a change reloads only its own", async () => {
      const dir = tempDir("library-folders");
      const incr = "---@key k\n---@return integer\nreturn redis.call('INCR', KEYS[1])\n";
      writeTree(dir, {
        "package.json": "{}\n",
        "lua/billing/charge.lua": incr,
        "lua/cache/peek.lua":
          "#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
        "lua/top.lua": incr.replace("INCR", "DECR"),
      });
      const mode = { "lua/billing": "functions", "lua/cache": "functions" } as const;
      const run = () => generate({ inputs: ["lua"], out: "gen", cwd: dir, mode, library: "shop" });
      expect((await run()).kind).toBe("written");
      const code = (folder: string) => readFileSync(path.join(dir, "gen", folder, "_library.lua"), "utf8");
      const cacheBefore = code("cache");
      expect(readdirSync(path.join(dir, "gen")).sort()).toEqual([
        "billing",
        "cache",
        "index.ts",
        "runtime.ts",
        "top.ts",
      ]);
      type Call = (client: Redis, key: string) => Promise<unknown>;
      const { charge, peek, top } = (await import(path.join(dir, "gen", "index.ts"))) as Record<string, Call>;
      await redis.call("FUNCTION", "FLUSH");
      await redis.script("FLUSH");
      await redis.del("n");
      expect([await charge!(redis, "n"), await peek!(redis, "n"), await top!(redis, "n")]).toEqual([1, "1", 0]);
      const nameOf = (folder: string) => /^#!lua name=(\w+)/.exec(code(folder))![1]!;
      const [billing, cache] = [nameOf("billing"), nameOf("cache")];
      expect([billing, cache]).toEqual([
        expect.stringMatching(/^shop_billing_[0-9a-f]{12}$/),
        expect.stringMatching(/^shop_cache_[0-9a-f]{12}$/),
      ]);
      const listed = (await redis.call("FUNCTION", "LIST")) as unknown[][];
      const functionsOf = (entry: unknown[]) => (entry[5] as unknown[][]).map((f) => [f[1], f[5]]);
      expect(listed.map((entry) => [entry[1], functionsOf(entry)]).sort()).toEqual([
        [billing, [[`${billing}_charge`, []]]],
        [cache, [[`${cache}_peek`, ["no-writes"]]]],
      ]);
      // top.lua is in no library's folder: it ran as a script (EVALSHA, then EVAL on NOSCRIPT).
      const { topScript } = (await import(path.join(dir, "gen", "top.ts"))) as { topScript: { sha1: string } };
      expect(await redis.script("EXISTS", topScript.sha1)).toEqual([1]);
      writeTree(dir, { "lua/billing/charge.lua": incr.replace("INCR', KEYS[1]", "INCRBY', KEYS[1], 2") });
      const again = await run();
      expect(again.kind === "written" && again.plan.write.map((f) => f.path).sort()).toEqual([
        "billing/_library.lua",
        "billing/_library.ts",
        "billing/charge.ts",
      ]);
      expect(code("cache")).toBe(cacheBefore);
    });

    it("is never written over a _library.lua luagen did not write (LG302)", async () => {
      const dir = tempDir("library-foreign");
      writeTree(dir, {
        "package.json": "{}\n",
        "lua/get.lua": "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
        "gen/_library.lua": "-- my own notes\n",
      });
      const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir, mode: "functions", library: "file" });
      expect(result.kind).toBe("failed");
      expect(result.kind === "failed" && result.diagnostics.map((d) => [d.code, d.file])).toEqual([
        ["LG302", "gen/_library.lua"],
      ]);
      expect(readFileSync(path.join(dir, "gen", "_library.lua"), "utf8")).toBe("-- my own notes\n");
    });
  });
});

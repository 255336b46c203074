// Valkey GLIDE (issue 25, first part): generated functions on a GlideClient and its Batch, against
// a real redis-server and a real Valkey 8. Under MONITOR: direct evalsha eval, then evalsha; an
// atomic batch multi eval evalsha exec; a non-atomic batch eval eval; no-writes evalsha_ro. Under a
// SCRIPT FLUSH flood: direct, atomic and non-atomic, 0 failures and 0 partial, every counter exact;
// GLIDE's own invokeScript beside it. Bad input reaches no server; a script error names its .lua line.
import path from "node:path";
import { Batch, GlideClient, Logger, Script } from "@valkey/valkey-glide";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generate } from "../../src/generate.js";
import { underFlushStorm } from "../support/load.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { watchWire } from "../support/script.js";
import { GLIDE_SCRIPTS, type GlideCall } from "../support/glide.js";
import { tempDir, writeTree } from "../support/workspace.js";

const CALLS = 3_000;

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  let admin: Redis;
  let glide: GlideClient;
  /** A typed batch of index.ts, loosely: its commands and scripts chain, `exec()` gives the replies. */
  interface Typed {
    [name: string]: (...args: unknown[]) => Typed | Promise<unknown[]>;
    exec(): Promise<unknown[]>;
  }

  let gen: {
    counter: GlideCall;
    peek: GlideCall;
    fails: GlideCall;
    multi(client: GlideClient): Typed;
    pipeline(client: GlideClient): Typed;
    dir: string;
  };
  let wire: Awaited<ReturnType<typeof watchWire>>;

  beforeAll(async () => {
    // GLIDE logs every error reply as a warning; the flood sends thousands of NOSCRIPT on purpose.
    Logger.setLoggerConfig("off");
    server = await start();
    admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await admin.connect();
    glide = await GlideClient.createClient({ addresses: [{ host: server.host, port: server.port }] });
    const dir = tempDir("glide");
    writeTree(dir, GLIDE_SCRIPTS);
    const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir, client: "glide" });
    expect(result.kind).toBe("written");
    gen = { dir, ...((await import(path.join(dir, "gen", "index.ts"))) as Omit<typeof gen, "dir">) };
    wire = await watchWire(server);
  });

  afterAll(async () => {
    await wire?.close();
    glide?.close();
    admin?.disconnect();
    await server?.stop();
  });

  beforeEach(async () => {
    await admin.flushall();
    await admin.script("FLUSH");
  });

  const names = (seen: readonly (readonly string[])[]) => seen.map((args) => args[0]);

  describe("Valkey GLIDE: the policy under MONITOR", () => {
    it("direct: EVALSHA, EVAL after a flush, then EVALSHA", async () => {
      const seen = await wire.capture(admin, async () => {
        expect(await gen.counter(glide, "c", 2)).toBe(2);
        expect(await gen.counter(glide, "c", 2)).toBe(4);
      });
      expect(names(seen)).toEqual(["EVALSHA", "EVAL", "EVALSHA"]);
    });

    it("an atomic Batch: MULTI, EVAL the first time, EVALSHA after, EXEC; the Batch is returned for chaining", async () => {
      const seen = await wire.capture(admin, async () => {
        const batch = new Batch(true);
        expect(gen.counter(batch, "c", 1)).toBe(batch);
        gen.counter(batch, "c", 1);
        batch.incr("other");
        expect(await glide.exec(batch, true)).toEqual([1, 2, 1]);
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "EVALSHA", "INCR", "EXEC"]);
    });

    it("a non-atomic Batch: always EVAL", async () => {
      const seen = await wire.capture(admin, async () => {
        const batch = new Batch(false);
        gen.counter(batch, "c", 1);
        gen.counter(batch, "c", 1);
        expect(await glide.exec(batch, true)).toEqual([1, 2]);
      });
      expect(names(seen)).toEqual(["EVAL", "EVAL"]);
    });

    it("a no-writes script goes as EVALSHA_RO, and as EVAL_RO after a flush", async () => {
      await admin.set("k", "v");
      const seen = await wire.capture(admin, async () => {
        expect(await gen.peek(glide, "k")).toBe("v");
      });
      expect(names(seen)).toEqual(["EVALSHA_RO", "EVAL_RO"]);
    });

    it("GLIDE's own invokeScript, side by side: EVALSHA, then SCRIPT LOAD and EVALSHA again, never EVAL", async () => {
      const script = new Script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      const seen = await wire.capture(admin, async () => {
        await glide.invokeScript(script, { keys: ["c"], args: ["1"] });
      });
      script.release();
      expect(names(seen)).toEqual(["EVALSHA", "SCRIPT", "EVALSHA"]);
    });

    it("bad input reaches no server: a TypeError naming the script and the parameter", async () => {
      const seen = await wire.capture(admin, async () => {
        await expect(gen.counter(glide, "c", "1")).rejects.toThrow(
          new TypeError('counter: argument "by" must be a safe integer, got "1"'),
        );
        const batch = new Batch(true);
        expect(() => gen.counter(batch, 5, 1)).toThrow(
          new TypeError('counter: key "counter" must be a string or Buffer, got 5'),
        );
        expect((batch as unknown as { commands: unknown[] }).commands).toEqual([]);
      });
      expect(names(seen)).toEqual([]);
    });

    it("a script error names the .lua file and line", async () => {
      await expect(gen.fails(glide)).rejects.toThrow(/user_script:3\b.*\(lua\/fails\.lua:3\)$/);
    });
  });

  describe("Valkey GLIDE: the typed batches of index.ts", () => {
    const chain = (batch: Typed, ...calls: [string, ...unknown[]][]) =>
      calls.reduce((b, [name, ...args]) => b[name]!(...args) as Typed, batch);

    it("multi(client): the client's commands and the scripts in one MULTI/EXEC, exec() gives the replies in order", async () => {
      const seen = await wire.capture(admin, async () => {
        const batch = chain(
          gen.multi(glide),
          ["counter", "c", 1],
          ["incr", "other"],
          ["counter", "c", 2],
          ["get", "c"],
        );
        expect(await batch.exec()).toEqual([1, 1, 3, "3"]);
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "INCR", "EVALSHA", "GET", "EXEC"]);
    });

    it("pipeline(client): every script as EVAL", async () => {
      const seen = await wire.capture(admin, async () => {
        expect(await chain(gen.pipeline(glide), ["counter", "c", 1], ["counter", "c", 1]).exec()).toEqual([1, 2]);
      });
      expect(names(seen)).toEqual(["EVAL", "EVAL"]);
    });

    it("a typed transaction whose WATCHed key changed rejects with a TransactionAbortedError, nothing applied", async () => {
      await glide.watch(["w"]);
      await admin.set("w", "changed");
      await expect(chain(gen.multi(glide), ["counter", "n", 1], ["incr", "m"]).exec()).rejects.toMatchObject({
        name: "TransactionAbortedError",
        reason: "watch",
      });
      expect([await admin.get("n"), await admin.get("m")]).toEqual([null, null]);
    });

    it("a script that fails in a typed batch: a BatchError naming its .lua line and its index", async () => {
      const batch = chain(gen.multi(glide), ["incr", "x"], ["fails"]);
      await expect(batch.exec()).rejects.toThrow(/\(fails at lua\/fails\.lua:3, batch index 1\)$/);
      expect(await admin.get("x")).toBe("1");
    });
  });

  describe("Valkey GLIDE under a SCRIPT FLUSH flood", () => {
    const flood = (work: () => Promise<void>) => underFlushStorm([admin], work);

    it(`direct: ${CALLS} calls, 0 failures`, async () => {
      let failures = 0;
      const { flushes } = await flood(async () => {
        for (let i = 0; i < CALLS; i++) await gen.counter(glide, "c", 1).catch(() => failures++);
      });
      expect(flushes).toBeGreaterThan(0);
      expect(failures).toBe(0);
      expect(await admin.get("c")).toBe(String(CALLS));
    });

    it.each([true, false])(
      `Batch(%s): ${CALLS / 3} batches of script, INCR, script: 0 failed, 0 partial`,
      async (atomic) => {
        let failed = 0;
        let partial = 0;
        const { flushes } = await flood(async () => {
          for (let i = 0; i < CALLS / 3; i++) {
            const batch = new Batch(atomic);
            gen.counter(batch, "a", 1);
            batch.incr("other");
            gen.counter(batch, "a", 1);
            const replies = (await glide.exec(batch, false)) as unknown[];
            const errors = replies.filter((reply) => reply instanceof Error).length;
            if (errors > 0) failed++;
            if (errors > 0 && errors < replies.length) partial++;
          }
        });
        expect(flushes).toBeGreaterThan(0);
        expect([failed, partial]).toEqual([0, 0]);
        expect([await admin.get("a"), await admin.get("other")]).toEqual([String((2 * CALLS) / 3), String(CALLS / 3)]);
      },
    );
  });
});

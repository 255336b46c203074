// The hazard itself: while another connection flushes the script cache as
// fast as it can, every call through runScript still succeeds, no call sees
// NOSCRIPT, and no transaction is ever partial. A control run shows that the
// same storm does break ioredis's own defineCommand inside MULTI. With
// ioredis 5 and 6 and iovalkey, on redis-server and on Valkey 8.
import { beforeEach, describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { pool as poolOf, underFlushStorm } from "../support/load.js";
import { defineScript } from "../../templates/typescript/runtime.js";
import { call, commandStats, connect, descriptor, queue } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const DIRECT_CALLS = 2_000;
const PIPELINES = 200;
const PIPELINE_SIZE = 10;
const TRANSACTIONS = 200;
const CONCURRENCY = 20;
const pool = (count: number, task: () => Promise<void>) => poolOf(count, CONCURRENCY, task);
const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith("NOSCRIPT");

const hit = descriptor("hit", 'return redis.call("INCR", KEYS[1])', ["key"]);
/** A read: declared no-writes, so the runtime sends it as EVALSHA_RO / EVAL_RO. */
const peek = defineScript({
  ...descriptor("peek", '#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])', ["key"]),
  flags: ["no-writes"],
});

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  holdOpen(async () => (server = await start()));

  describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
    let clients: Redis[];
    holdOpen(() => (clients = Array.from({ length: 5 }, () => connect(server, Client))));

    beforeEach(async () => {
      await clients[0].flushall();
      await clients[0].config("RESETSTAT");
    });

    test("direct calls, pipelines and transactions all succeed under a SCRIPT FLUSH storm", async () => {
      const [direct, pipelined, transactional, flusher, checker] = clients;
      const failures: unknown[] = [];
      let committed = 0;
      const started = Date.now();

      const { flushes } = await underFlushStorm([flusher], async () => {
        await Promise.all([
          pool(DIRECT_CALLS, async () => {
            await call(hit, direct, ["direct"], []).catch((error) => void failures.push(error));
          }),
          pool(PIPELINES, async () => {
            const pipeline = pipelined.pipeline();
            for (let i = 0; i < PIPELINE_SIZE; i++) queue(hit, pipeline, ["pipelined"], []);
            for (const [error] of (await pipeline.exec()) ?? []) if (error) failures.push(error);
          }),
          pool(TRANSACTIONS, async () => {
            const transaction = transactional.multi().incr("tx-counter");
            queue(hit, queue(hit, transaction, ["tx-hits"], []), ["tx-hits"], []);
            const results = (await transaction.exec()) ?? [];
            const errors = results.filter(([error]) => error).map(([error]) => error);
            failures.push(...errors);
            if (results.length === 3 && errors.length === 0) committed++;
          }),
        ]);
      });

      const elapsed = Date.now() - started;
      const stats = await commandStats(checker);
      console.info(
        `flood: ${elapsed} ms, ${flushes} SCRIPT FLUSH, ` +
          `${stats.evalsha?.failed ?? 0} NOSCRIPT replies to direct EVALSHA (each retried once with EVAL), ` +
          `${stats.evalsha?.calls ?? 0} EVALSHA, ${stats.eval?.calls ?? 0} EVAL`,
      );

      expect(failures.filter(isNoScript)).toEqual([]);
      expect(failures).toEqual([]);
      expect(flushes).toBeGreaterThan(10); // the storm really overlapped the work
      expect(stats.evalsha?.failed ?? 0).toBeGreaterThan(0); // and really emptied the cache under direct calls
      expect(await checker.mget("direct", "pipelined", "tx-counter", "tx-hits")).toEqual([
        String(DIRECT_CALLS),
        String(PIPELINES * PIPELINE_SIZE),
        String(TRANSACTIONS),
        String(TRANSACTIONS * 2),
      ]);
      expect(committed).toBe(TRANSACTIONS);
      expect(Object.keys(stats).filter((name) => name.startsWith("script") && name !== "script|flush")).toEqual([]);
    });

    test("direct calls on a client with enableAutoPipelining succeed under the storm too", async () => {
      // ioredis then batches concurrent direct calls into pipelines of its own: the EVALSHA and its
      // EVAL retry each travel in whatever batch is being written, and must still be retried.
      const [, , , flusher, checker] = clients;
      const autopipelined = new Client({
        host: server.host,
        port: server.port,
        enableAutoPipelining: true,
        maxRetriesPerRequest: 1,
      });
      const failures: unknown[] = [];
      try {
        await underFlushStorm([flusher], () =>
          pool(DIRECT_CALLS, async () => {
            await call(hit, autopipelined, ["auto"], []).catch((error) => void failures.push(error));
          }),
        );
        expect(failures).toEqual([]);
        expect((await commandStats(checker)).evalsha?.failed ?? 0).toBeGreaterThan(0);
        expect(await checker.get("auto")).toBe(String(DIRECT_CALLS));
      } finally {
        autopipelined.disconnect();
      }
    });

    test("a read-only script (no-writes) in every context succeeds under the storm, sent only as EVALSHA_RO / EVAL_RO", async () => {
      const [reader, , , flusher, checker] = clients;
      await checker.set("peeked", "42");
      const failures: unknown[] = [];
      const replies: unknown[] = [];
      const keep = (results: [Error | null, unknown][] | null) => {
        for (const [error, reply] of results ?? []) (error ? failures : replies).push(error ?? reply);
      };
      await underFlushStorm([flusher], () =>
        Promise.all([
          pool(DIRECT_CALLS / 2, async () => {
            await call(peek, reader, ["peeked"], []).then(
              (reply) => void replies.push(reply),
              (error: unknown) => void failures.push(error),
            );
          }),
          pool(PIPELINES / 2, async () => {
            const pipeline = reader.pipeline();
            for (let i = 0; i < PIPELINE_SIZE; i++) queue(peek, pipeline, ["peeked"], []);
            keep(await pipeline.exec());
          }),
          pool(TRANSACTIONS / 2, async () =>
            keep(await queue(peek, queue(peek, reader.multi(), ["peeked"], []), ["peeked"], []).exec()),
          ),
        ]),
      );
      const stats = await commandStats(checker);
      expect(failures).toEqual([]);
      expect(replies).toHaveLength(DIRECT_CALLS / 2 + (PIPELINES / 2) * PIPELINE_SIZE + TRANSACTIONS);
      expect(new Set(replies)).toEqual(new Set(["42"]));
      expect(stats.evalsha_ro?.failed ?? 0).toBeGreaterThan(0); // the storm emptied the cache under direct calls
      expect(stats.eval_ro?.calls ?? 0).toBeGreaterThan(0);
      expect(stats.eval?.calls ?? 0).toBe(0);
      expect(stats.evalsha?.calls ?? 0).toBe(0);
    });

    test("control: the same storm makes ioredis's defineCommand leave partial transactions", async () => {
      const [client, , , flusher, checker] = clients;
      client.defineCommand("hitCommand", { numberOfKeys: 1, lua: hit.source });
      type WithHit = { hitCommand(key: string): unknown };
      let partial = 0;

      await underFlushStorm([flusher], async () => {
        await pool(TRANSACTIONS, async () => {
          const transaction = client.multi().incr("ctl-counter");
          (transaction as unknown as WithHit).hitCommand("ctl-hits");
          const results = (await transaction.exec()) ?? [];
          if (results[0]?.[0] === null && results[1]?.[0]) partial++; // INCR applied, the script did not
        });
      });

      console.info(`control: ${partial} of ${TRANSACTIONS} defineCommand transactions were partial`);
      expect(partial).toBeGreaterThan(0);
      const [counter, hits] = await checker.mget("ctl-counter", "ctl-hits");
      expect(Number(counter) - Number(hits ?? 0)).toBe(partial);
    });
  });
});

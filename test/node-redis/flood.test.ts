// The hazard, through node-redis 5 and 6 in RESP2 and RESP3, on redis-server and on Valkey 8:
// while another connection sends SCRIPT FLUSH back to back, every direct call, every multi run by
// exec() and every multi run by execAsPipeline() succeeds, exactly as many times as called, and no
// transaction is partial. The control: node-redis's own defineScript sends EVALSHA for a script's
// later calls in a multi, which execAsPipeline() runs unprotected, so the same storm fails some.
import { beforeEach, describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import {
  NODE_REDIS,
  callOn,
  queueOn,
  type NodeRedisConnection,
  type NodeRedisTestMulti,
} from "../support/node-redis.js";
import { pool as poolOf, underFlushStorm } from "../support/load.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { commandStats, connect, descriptor } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const DIRECT_CALLS = 2_000;
const MULTIS = 200;
const CONCURRENCY = 20;
const pool = (count: number, task: () => Promise<void>) => poolOf(count, CONCURRENCY, task);

const HIT_SOURCE = 'return redis.call("INCR", KEYS[1])';
const hit = descriptor("hit", HIT_SOURCE, ["key"]);
const PADDING = "x".repeat(100);

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  let flusher: Redis;
  let checker: Redis;

  holdOpen(async () => {
    server = await start();
    return [server, (flusher = connect(server)), (checker = connect(server))];
  });

  beforeEach(async () => {
    await checker.flushall();
    await checker.config("RESETSTAT");
  });

  /** The errors a node-redis exec()/execAsPipeline() reported: it throws one MultiErrorReply listing them. */
  async function failuresOf(run: Promise<unknown[]>): Promise<{ errors: unknown[]; replies: unknown[] }> {
    try {
      return { errors: [], replies: await run };
    } catch (error) {
      const multi = error as { replies?: unknown[]; errorIndexes?: number[] };
      if (!Array.isArray(multi.replies)) return { errors: [error], replies: [] };
      return { errors: (multi.errorIndexes ?? []).map((i) => multi.replies?.[i]), replies: multi.replies };
    }
  }

  describe.each(NODE_REDIS)("$name", (nodeRedis) => {
    let clients: NodeRedisConnection[];
    holdOpen(async () => (clients = await Promise.all([1, 2, 3].map(() => nodeRedis.client(server)))));

    test("direct calls, multis run by exec() and multis run by execAsPipeline() all succeed under a SCRIPT FLUSH storm", async () => {
      const [direct, transactional, pipelined] = clients as [
        NodeRedisConnection,
        NodeRedisConnection,
        NodeRedisConnection,
      ];
      const failures: unknown[] = [];
      let committed = 0;
      const { flushes } = await underFlushStorm([flusher], () =>
        Promise.all([
          pool(DIRECT_CALLS, async () => {
            await callOn(hit, direct, ["direct"], []).catch((error: unknown) => void failures.push(error));
          }),
          pool(MULTIS, async () => {
            const multi = queueOn(
              hit,
              queueOn(hit, transactional.multi().incr("tx-counter"), ["tx-hits"], []),
              ["tx-hits"],
              [],
            );
            const { errors, replies } = await failuresOf(multi.exec());
            failures.push(...errors);
            if (errors.length === 0 && replies.length === 3) committed++;
          }),
          pool(MULTIS, async () => {
            const multi = queueOn(hit, pipelined.multi(), ["piped"], []);
            for (let i = 0; i < 300; i++) multi.sendCommand(["SET", "pad", PADDING]); // as in the control below
            queueOn(hit, multi, ["piped"], []);
            failures.push(...(await failuresOf(multi.execAsPipeline())).errors);
          }),
        ]),
      );
      const stats = await commandStats(checker);
      console.info(
        `node-redis flood (${nodeRedis.name}): ${flushes} SCRIPT FLUSH; ${failures.length} failures; ` +
          `${stats.evalsha?.failed ?? 0} NOSCRIPT replies to direct EVALSHA (each retried once), ${stats.evalsha?.calls ?? 0} EVALSHA, ${stats.eval?.calls ?? 0} EVAL`,
      );
      expect(failures).toEqual([]);
      expect(flushes).toBeGreaterThan(10); // the storm really overlapped the work
      expect(stats.evalsha?.failed ?? 0).toBeGreaterThan(0); // and really emptied the cache under direct calls
      expect(await checker.mget("direct", "tx-counter", "tx-hits", "piped")).toEqual([
        String(DIRECT_CALLS),
        String(MULTIS),
        String(MULTIS * 2),
        String(MULTIS * 2),
      ]);
      expect(committed).toBe(MULTIS);
      expect(stats.evalsha?.calls ?? 0).toBe(DIRECT_CALLS); // EVALSHA only for direct calls, never in a multi
    });

    test("control: the same storm fails node-redis's own defineScript in multis run by execAsPipeline()", async () => {
      const { defineScript } = (await import(nodeRedis.major === 5 ? "redis" : "redis6")) as {
        defineScript: (script: object) => object;
      };
      const scripted = (await nodeRedis.client(server, {
        scripts: {
          hitScript: defineScript({
            SCRIPT: HIT_SOURCE,
            NUMBER_OF_KEYS: 1,
            parseCommand: (parser: { pushKey(key: string): void }, key: string) => parser.pushKey(key),
            transformReply: (reply: unknown) => reply,
          }),
        },
      })) as unknown as Omit<NodeRedisConnection, "multi"> & {
        multi(): NodeRedisTestMulti & { hitScript(key: string): unknown };
      };
      let failed = 0;
      try {
        await underFlushStorm([flusher], () =>
          pool(MULTIS, async () => {
            const multi = scripted.multi();
            multi.hitScript("ctl");
            // Redis reads a client's pipeline ~16 KiB at a time: padding lets the storm's
            // SCRIPT FLUSH run between the EVAL and the EVALSHA, as it can in any large batch.
            for (let i = 0; i < 300; i++) multi.sendCommand(["SET", "pad", PADDING]);
            multi.hitScript("ctl"); // EVALSHA: node-redis saw the script in this multi already
            const { errors } = await failuresOf(multi.execAsPipeline());
            failed += errors.length;
          }),
        );
      } finally {
        scripted.destroy();
      }
      console.info(
        `control (${nodeRedis.name}): ${failed} of ${MULTIS * 2} defineScript calls failed in execAsPipeline()`,
      );
      expect(failed).toBeGreaterThan(0);
      expect(Number(await checker.get("ctl"))).toBe(MULTIS * 2 - failed);
    });
  });
});

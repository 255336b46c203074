// A server restart (redis-server, Valkey 8) between two calls through node-redis 5 and 6: the
// restarted server has an empty script cache, so the next direct call gets NOSCRIPT for its
// EVALSHA and sends the source once; it succeeds, and a multi after the restart succeeds as it
// always does.
import { describe, expect, test } from "vitest";
import { NODE_REDIS, callOn, queueOn } from "../support/node-redis.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { commandCalls, connect, descriptor } from "../support/script.js";
import { holdOpen } from "../support/fixtures.js";

const incr = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  holdOpen(async () => (server = await start()));

  describe.each(NODE_REDIS)("$name", (nodeRedis) => {
    test("a restart between calls: EVALSHA, NOSCRIPT, one EVAL, and the call succeeds; a multi too", async () => {
      const client = await nodeRedis.client(server);
      const admin = connect(server);
      const key = `counter:${nodeRedis.name}`;
      try {
        expect(await callOn(incr, client, [key], [1])).toBe(1);
        await server.restart();
        // node-redis reconnects by itself; wait until it has.
        await expect
          .poll(() => client.sendCommand(["PING"]).catch(() => "down"), { timeout: 10_000, interval: 50 })
          .toBe("PONG");
        await admin.config("RESETSTAT");
        expect(await callOn(incr, client, [key], [5])).toBe(5); // the restart emptied the data too
        expect(await queueOn(incr, client.multi(), [key], [1]).exec()).toEqual([6]);
        expect(await commandCalls(admin)).toMatchObject({ evalsha: 1, eval: 2 });
      } finally {
        admin.disconnect();
        client.destroy();
      }
    });
  });
});

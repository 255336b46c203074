// What each client gives back for each declared `---@return` type, in RESP2 and RESP3: the
// values must be the ones the generated TypeScript types promise (integer → number,
// string/status → string, nil → null, arrays and tuples → arrays, nil inside → null), for a
// direct call and for a call in a batch. The measured table is printed.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { IOREDIS } from "../support/ioredis.js";
import { NODE_REDIS, callOn, queueOn } from "../support/node-redis.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { call, connect, descriptor, queue } from "../support/script.js";

/** Declared type, the script's reply, and the value that type promises. */
const CASES: [declared: string, source: string, expected: unknown][] = [
  ["integer", "return 42", 42],
  ["string", 'return "hi"', "hi"],
  ["nil", "return nil", null],
  ["status", 'return redis.status_reply("OK")', "OK"],
  ["integer[]", "return {1, 2, 3}", [1, 2, 3]],
  ["(integer|nil)[]", "return {1, false, 3}", [1, null, 3]],
  ["[integer, string]", 'return {7, "x"}', [7, "x"]],
  ["[[integer, string], string[]]", 'return {{1, "a"}, {}}', [[1, "a"], []]],
  ["integer (Lua true)", "return true", 1],
  ["nil (Lua false)", "return false", null],
  ["integer (Lua 3.7, truncated)", "return 3.7", 3],
];
const scripts = CASES.map(([declared, source], i) => descriptor(`reply${i}`, `-- ${declared}\n${source}`));

let server: RedisServer;
const table: string[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  console.info(`replies per client and protocol (declared type: direct / batch)\n${table.join("\n")}`);
  await server?.stop();
});

const shown = (value: unknown) => JSON.stringify(value);

describe.each(IOREDIS)("$name", ({ name, Redis: Client }) => {
  test("every declared return type comes back as its TypeScript type, directly and in a transaction", async () => {
    const redis = connect(server, Client);
    try {
      const direct = await Promise.all(scripts.map((script) => call(script, redis, [], [])));
      const multi = redis.multi();
      for (const script of scripts) queue(script, multi, [], []);
      const batched = ((await multi.exec()) ?? []).map(([, reply]) => reply);
      table.push(
        `${name} (protocol ${(redis.options as { protocol?: number }).protocol ?? 2}): ${CASES.map(([d], i) => `${d}: ${shown(direct[i])} / ${shown(batched[i])}`).join("; ")}`,
      );
      expect(direct).toEqual(CASES.map(([, , expected]) => expected));
      expect(batched).toEqual(CASES.map(([, , expected]) => expected));
    } finally {
      redis.disconnect();
    }
  });
});

describe.each(NODE_REDIS)("$name", (nodeRedis) => {
  test("every declared return type comes back as its TypeScript type, directly and in a multi", async () => {
    const client = await nodeRedis.client(server);
    try {
      const direct = await Promise.all(scripts.map((script) => callOn(script, client, [], [])));
      const multi = client.multi();
      for (const script of scripts) queueOn(script, multi, [], []);
      const batched = await multi.exec();
      table.push(
        `${nodeRedis.name}: ${CASES.map(([d], i) => `${d}: ${shown(direct[i])} / ${shown(batched[i])}`).join("; ")}`,
      );
      expect(direct).toEqual(CASES.map(([, , expected]) => expected));
      expect(batched).toEqual(CASES.map(([, , expected]) => expected));
    } finally {
      client.destroy();
    }
  });
});

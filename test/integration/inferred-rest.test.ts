// Scripts written for another loader, with no annotations, that take as many keys or arguments
// as they are given (a loop over ipairs(ARGV), unpack(KEYS)): the generated function takes them as
// one array, and the script gets every one of them on a real redis-server (issue 27).
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { generate } from "../../src/generate.js";
import { holdOpen } from "../support/fixtures.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { connect } from "../support/script.js";
import { tempProject, writeTree } from "../support/workspace.js";

const FILES = {
  "lua/cf-insert.lua":
    "local added = 0\nfor _, v in ipairs(ARGV) do\n  added = added + redis.call('SADD', KEYS[1], v)\nend\nreturn added\n",
  "lua/del-all.lua": "return redis.call('DEL', unpack(KEYS))\n",
};

type Insert = (client: Redis, key1: string, args: readonly (string | number)[]) => Promise<number>;
type DelAll = (client: Redis, keys: readonly string[]) => Promise<number>;

let server: RedisServer;
let redis: Redis;
let cfInsert: Insert;
let delAll: DelAll;
holdOpen(async () => (server = await startRedisServer()));
holdOpen(() => (redis = connect(server)));
beforeAll(async () => {
  const dir = tempProject("inferred-rest");
  writeTree(dir, FILES);
  const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
  expect(result.kind).toBe("written");
  const index = (await import(path.join(dir, "gen", "index.ts"))) as { cfInsert: Insert; delAll: DelAll };
  ({ cfInsert, delAll } = index);
});

test("a loop over ipairs(ARGV) gets every element of the rest argument", async () => {
  expect(await cfInsert(redis, "filter", ["a", "b", "c", 4])).toBe(4);
  expect((await redis.smembers("filter")).sort()).toEqual(["4", "a", "b", "c"]);
  expect(await cfInsert(redis, "filter", [])).toBe(0);
});

test("unpack(KEYS) gets every key of the rest key", async () => {
  await redis.mset("k1", "1", "k2", "2", "k3", "3");
  expect(await delAll(redis, ["k1", "k2", "k3"])).toBe(3);
  expect(await redis.exists("k1", "k2", "k3")).toBe(0);
});

// Calls each generated function directly, in a pipeline, and in a typed transaction.
// Run it with `npm run build && npm start` (REDIS_URL defaults to redis://127.0.0.1:6379).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { incrCapped, multi, releaseLock, slidingWindow } from "./generated/index.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `luagen-example:${process.pid}:`;
const hits = `${prefix}hits`;
const rate = `${prefix}rate`;
const lock = `${prefix}lock`;
const values = (results: [Error | null, unknown][] | null) => results?.map(([error, value]) => error?.message ?? value);

try {
  // Direct calls: EVALSHA, and EVAL only if the server has lost the script.
  console.log("incrCapped (direct):", await incrCapped(redis, hits, 3, 60));
  const [admitted, inWindow] = await slidingWindow(redis, rate, Date.now(), 1_000, 2, randomUUID());
  console.log("slidingWindow (direct): admitted =", admitted, "in window =", inWindow);
  const token = randomUUID();
  await redis.set(lock, token, "PX", 10_000);
  console.log("releaseLock (direct), wrong token:", await releaseLock(redis, lock, "not-my-token"));

  // A pipeline: every script call is sent as EVAL, so no flush can make it fail.
  const pipeline = redis.pipeline();
  incrCapped(pipeline, hits, 3);
  incrCapped(pipeline, hits, 3);
  slidingWindow(pipeline, rate, Date.now(), 1_000, 2, randomUUID());
  releaseLock(pipeline, lock, "not-my-token");
  console.log("pipeline:", JSON.stringify(values(await pipeline.exec())));

  // A typed transaction: EVAL the first time a script appears in it, EVALSHA after; all or nothing.
  // exec() resolves to one reply per call, each typed: [string | null, number, [number, number], number, number].
  const [lockValue, count, window, notReleased, released] = await multi(redis)
    .get(lock)
    .incrCapped(hits, 3)
    .slidingWindow(rate, Date.now(), 1_000, 2, randomUUID())
    .releaseLock(lock, "not-my-token")
    .releaseLock(lock, token)
    .exec();
  console.log("transaction:", JSON.stringify([lockValue, count, window, notReleased, released]));
} finally {
  await redis.del(hits, rate, lock);
  redis.disconnect();
}

// Calls each generated function directly, in a pipeline and in a transaction.
// Run it with `npm run build && npm start` (REDIS_URL defaults to redis://127.0.0.1:6379).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { incrCapped, releaseLock, slidingWindow } from "./generated/index.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `luagen-example:${process.pid}:`;

try {
  // Direct calls: EVALSHA, and EVAL only if the server has lost the script.
  console.log("incrCapped (direct):", await incrCapped(redis, `${prefix}hits`, 3, 60));
  const [admitted, inWindow] = await slidingWindow(redis, `${prefix}rate`, Date.now(), 1_000, 2, randomUUID());
  console.log("slidingWindow (direct): admitted =", admitted, "in window =", inWindow);

  // A pipeline: every script call is sent as EVAL, so no flush can make it fail.
  const piped = await incrCapped(incrCapped(redis.pipeline(), `${prefix}hits`, 3), `${prefix}hits`, 3).exec();
  console.log("incrCapped x2 (pipeline):", piped?.map(([, value]) => value));

  // A transaction: EVAL the first time a script appears in it, EVALSHA after.
  const token = randomUUID();
  await redis.set(`${prefix}lock`, token, "PX", 10_000);
  const tx = redis.multi().get(`${prefix}lock`);
  releaseLock(tx, `${prefix}lock`, "not-my-token");
  releaseLock(tx, `${prefix}lock`, token);
  console.log("get + releaseLock x2 (transaction):", (await tx.exec())?.map(([, value]) => value));
} finally {
  await redis.del(`${prefix}hits`, `${prefix}rate`, `${prefix}lock`);
  redis.disconnect();
}

// The quickstart on node-redis: the same scripts (../quickstart/src/lua), generated with
// `--client node-redis`, called directly, in a transaction (exec) and in a pipeline (execAsPipeline).
// Run it with `npm run build && npm start` (REDIS_URL defaults to redis://127.0.0.1:6379).
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { incrCapped, releaseLock, slidingWindow } from "./generated/index.js";

const redis = await createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }).connect();
const prefix = `luagen-example:${process.pid}:`;
const hits = `${prefix}hits`;
const rate = `${prefix}rate`;
const lock = `${prefix}lock`;

try {
  // Direct calls: EVALSHA, and EVAL only if the server has lost the script.
  console.log("incrCapped (direct):", await incrCapped(redis, hits, 3, 60));
  const [admitted, inWindow] = await slidingWindow(redis, rate, Date.now(), 1_000, 2, randomUUID());
  console.log("slidingWindow (direct): admitted =", admitted, "in window =", inWindow);
  const token = randomUUID();
  await redis.set(lock, token, { PX: 10_000 });
  console.log("releaseLock (direct), wrong token:", await releaseLock(redis, lock, "not-my-token"));

  // A transaction (MULTI/EXEC): every script call on a multi is queued as EVAL; all or nothing.
  const tx = redis.multi().get(lock);
  incrCapped(tx, hits, 3);
  slidingWindow(tx, rate, Date.now(), 1_000, 2, randomUUID());
  releaseLock(releaseLock(tx, lock, "not-my-token"), lock, token);
  console.log("exec:", JSON.stringify(await tx.exec()));

  // The same kind of multi run as a plain pipeline: EVAL again, so no flush can make it fail.
  const pipeline = redis.multi();
  incrCapped(pipeline, hits, 3);
  incrCapped(pipeline, hits, 3);
  slidingWindow(pipeline, rate, Date.now(), 1_000, 2, randomUUID());
  releaseLock(pipeline, lock, "not-my-token");
  console.log("execAsPipeline:", JSON.stringify(await pipeline.execAsPipeline()));
} finally {
  await redis.del([hits, rate, lock]);
  redis.destroy();
}

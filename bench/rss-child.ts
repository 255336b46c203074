// One pipeline of one variant in a process of its own, so that its peak memory is its own:
// bench/source.ts spawns this once per variant and run (compiled by tsc with the generated
// code, run by plain `node --expose-gc`: no tsx loader in the figures). It connects, imports the
// generated module, settles its heap, sends `batches` pipelines of `calls` calls of one script,
// and prints its RSS before the first pipeline and its peak RSS (getrusage's maxRSS) as JSON.
//
//   node rss-child.js <ioredis|node-redis> <module index.js | raw> <script name> <sha1> <host> <port> <calls> <batches>
import { Redis } from "ioredis";
import { createClient } from "redis";

type Fn = (target: unknown, key: string, by: number) => unknown;

const [client, modulePath, name, sha1, host, port, calls, batches] = process.argv.slice(2);
if (batches === undefined)
  throw new Error("usage: rss-child <client> <module|raw> <name> <sha1> <host> <port> <calls> <batches>");
const key = "bench:rss";
const module = modulePath === "raw" ? undefined : ((await import(modulePath)) as Record<string, Fn>);
const fn = module?.[name];
if (module !== undefined && typeof fn !== "function") throw new Error(`the generated module exports no ${name}`);

/** Queues `calls` calls on `batch`: the generated function, or raw EVALSHA through `raw`. */
function fill<B>(batch: B, raw: (batch: B) => void): void {
  for (let i = 0; i < Number(calls); i++) {
    if (fn === undefined) raw(batch);
    else fn(batch, key, 1);
  }
}

let send: () => Promise<unknown>;
let close: () => Promise<unknown>;
if (client === "ioredis") {
  const redis = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
  await redis.ping();
  send = () => {
    const pipeline = redis.pipeline();
    fill(pipeline, (p) => void p.evalsha(sha1, 1, key, 1));
    return pipeline.exec();
  };
  close = () => redis.quit();
} else {
  const redis = createClient({ socket: { host, port: Number(port) } });
  await redis.connect();
  send = () => {
    const multi = redis.multi();
    fill(multi, (m) => void m.addCommand(["EVALSHA", sha1, "1", key, "1"]));
    return multi.execAsPipeline();
  };
  close = () => redis.quit();
}

(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage().rss;
for (let i = 0; i < Number(batches); i++) await send();
const peak = process.resourceUsage().maxRSS * 1024;
await close();
process.stdout.write(`${JSON.stringify({ before, peak })}\n`);

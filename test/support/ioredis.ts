// The ioredis-family clients the runtime supports, for `describe.each(IOREDIS)`: ioredis 5,
// ioredis 6 (installed under the alias "ioredis6") and iovalkey, the Valkey fork of ioredis.
// All are typed here as ioredis 5's classes: the tests use only what they share, and the
// runtime's types are checked against each one's own declarations by
// test/emit/compile.test.ts and test/runtime/ioredis6-types.test.ts.
import { createRequire } from "node:module";
import { Cluster as Cluster5, Redis as Redis5 } from "ioredis";
import { Cluster as Cluster6, Redis as Redis6 } from "ioredis6";
import { Cluster as ClusterValkey, Redis as RedisValkey } from "iovalkey";

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

export interface IORedisMajor {
  /** "ioredis 5.11.1", "ioredis 6.0.0", "iovalkey 0.4.0": as installed, for test names. */
  readonly name: string;
  /** A short tag that tells the clients apart in key names and messages: 5, 6 or "valkey". */
  readonly major: 5 | 6 | "valkey";
  readonly Redis: typeof Redis5;
  readonly Cluster: typeof Cluster5;
}

export const IOREDIS: readonly IORedisMajor[] = [
  { name: `ioredis ${versionOf("ioredis")}`, major: 5, Redis: Redis5, Cluster: Cluster5 },
  {
    name: `ioredis ${versionOf("ioredis6")}`,
    major: 6,
    Redis: Redis6 as unknown as typeof Redis5,
    Cluster: Cluster6 as unknown as typeof Cluster5,
  },
  {
    name: `iovalkey ${versionOf("iovalkey")}`,
    major: "valkey",
    Redis: RedisValkey as unknown as typeof Redis5,
    Cluster: ClusterValkey as unknown as typeof Cluster5,
  },
];

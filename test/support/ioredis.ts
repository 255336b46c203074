// The two ioredis majors the runtime supports, for `describe.each(IOREDIS)`.
// ioredis 6 is installed under the alias "ioredis6". Both are typed here as
// ioredis 5's classes: the tests use only what the two share, and the runtime's
// types are checked against ioredis 6's own declarations by
// test/runtime/ioredis6-types.test.ts.
import { createRequire } from "node:module";
import { Cluster as Cluster5, Redis as Redis5 } from "ioredis";
import { Cluster as Cluster6, Redis as Redis6 } from "ioredis6";

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

export interface IORedisMajor {
  /** "ioredis 5.11.1", "ioredis 6.0.0": as installed, for test names. */
  readonly name: string;
  readonly major: 5 | 6;
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
];

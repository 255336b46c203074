/**
 * The servers luagen's checks can be told about (`"server": "redis-7.2"`, `--server valkey-8.1`):
 * one entry per release line, from the oldest each product supports scripts the way luagen
 * generates them for (Redis 7.0; Valkey forked from Redis 7.2) to the newest release luagen's
 * facts cover. A release not listed here is refused with the list, never guessed at.
 */

export type Product = "redis" | "valkey";

/** A release line: `{ product: "redis", version: "7.2" }`. */
export interface Server {
  product: Product;
  version: string;
}

export const RELEASES: Readonly<Record<Product, readonly string[]>> = {
  redis: ["7.0", "7.2", "7.4", "8.0", "8.2", "8.4", "8.6", "8.8"],
  valkey: ["7.2", "8.0", "8.1", "9.0", "9.1"],
};

/** Every accepted value of the setting, oldest first per product: `redis-7.0`, ..., `valkey-9.1`. */
export const SERVER_NAMES: readonly string[] = (Object.keys(RELEASES) as Product[]).flatMap((product) =>
  RELEASES[product].map((version) => `${product}-${version}`),
);

/** `redis-7.2` → the server; undefined for anything not in `SERVER_NAMES`. */
export function parseServer(name: string): Server | undefined {
  if (!SERVER_NAMES.includes(name)) return undefined;
  const [product, version] = name.split("-") as [Product, string];
  return { product, version };
}

/** What a bad value is told: every accepted one. */
export function serverNamesText(): string {
  return `must be one of ${SERVER_NAMES.join(", ")}`;
}

/** `Redis 7.2`, `Valkey 8.1`: how diagnostics name a server. */
export function serverTitle(product: Product, version?: string): string {
  const title = product === "redis" ? "Redis" : "Valkey";
  return version === undefined ? title : `${title} ${version}`;
}

/** Whether release `version` is `since` or later (`"7.10"` after `"7.9"`: numbers, not text). */
export function atLeast(version: string, since: string): boolean {
  const [a1, a2] = version.split(".").map(Number) as [number, number];
  const [b1, b2] = since.split(".").map(Number) as [number, number];
  return a1 !== b1 ? a1 > b1 : a2 >= b2;
}

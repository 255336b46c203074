import { createHash } from "node:crypto";

/** SHA-1 in hex: what Redis names a script by, and the key of every cache entry. */
export function hashOf(value: string): string {
  return createHash("sha1").update(value, "utf8").digest("hex");
}

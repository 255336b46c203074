// What the Valkey GLIDE tests share: the scripts they generate from, and the shape of a generated function.
import type { Batch, GlideClient } from "@valkey/valkey-glide";

/** A project of three scripts: a counter, a no-writes read, and one that fails on its line 3. */
export const GLIDE_SCRIPTS = {
  "package.json": "{}\n",
  "lua/counter.lua":
    "---@key counter\n---@arg by integer\n---@return integer\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])\n",
  "lua/peek.lua": "#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
  "lua/fails.lua": "---@return integer\nlocal x = 1\nreturn redis.call('INCRBY', 'k', 'not a number')\n",
};

/** A generated function: a promise of the reply on a client, the Batch itself on a Batch. */
export type GlideCall = ((target: GlideClient, ...params: unknown[]) => Promise<unknown>) &
  ((target: Batch, ...params: unknown[]) => Batch);

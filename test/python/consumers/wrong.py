"""Calls that must fail to type-check: one error per marked line (mypy checks the count)."""

from __future__ import annotations

import redis

from gen import add_tags, bare, move_jobs


def wrong(client: redis.Redis) -> None:
    add_tags(client, "a", "tag")  # error: a str is not a list of keys
    add_tags(client, ["a"], 1)  # error: tag is a str
    bare(client, "k1", "k2")  # error: arg1 is missing
    bare(client, 1, "k2", "v")  # error: a key is str or bytes
    move_jobs(client, "s", [], 1, "sideways", {})  # error: order is "asc" or "desc"
    move_jobs(client, "s", [], 1.5, "asc", {})  # error: count is an int
    added: str = add_tags(client, ["a"], "t")  # error: the reply is an int
    add_tags(object(), ["a"], "t")  # error: not a client or pipeline
    print(added)

"""MONITOR for the policy tests (test_policy.py, test_functions.py): which commands a client sent."""

from __future__ import annotations

from collections.abc import Callable

import redis


def monitored(port: int, action: Callable[[redis.Redis], object]) -> list[str]:
    """The commands the server saw while `action` ran on a fresh client: lower-case names (``eval``,
    ``evalsha``, ...), FUNCTION with its subcommand (``function load``)."""
    watcher = redis.Redis(port=port)
    marker = "luagen-monitor-end"
    with watcher.monitor() as monitor:
        worker = redis.Redis(port=port)
        action(worker)
        worker.echo(marker)
        seen: list[str] = []
        while True:
            entry = monitor.next_command()
            command = entry["command"]
            if marker in command:
                break
            words = command.split(" ")
            name = words[0].lower()
            if name == "function":
                name = f"function {words[1].lower()}"
            # Leave out what scripts call (client type "lua") and redis-py's connection handshake.
            if entry["client_type"] != "lua" and name not in ("client", "hello"):
                seen.append(name)
        worker.close()
    watcher.close()
    return seen

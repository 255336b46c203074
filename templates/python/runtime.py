"""The luagen runtime for redis-py: how a generated function validates its
parameters and sends its script, so that it never meets NOSCRIPT at a bad moment.

==================================================  ==============================================
target                                              sent
==================================================  ==============================================
a client or cluster (direct)                        EVALSHA; on ``NoScriptError``, once EVAL
the same, ``--mode functions``                      FCALL; on "Function not found", the library
                                                    loaded (``load_library``), then once EVAL
``pipeline()`` in a transaction (MULTI/EXEC)         first call of a script: EVAL; later ones: EVALSHA
``pipeline(transaction=False)``                      always EVAL
==================================================  ==============================================

Clients: ``redis.Redis``, ``redis.asyncio.Redis``, ``redis.cluster.RedisCluster`` and
``redis.asyncio.cluster.RedisCluster``, and the ``pipeline()`` of each.

A NOSCRIPT reply means the script did not run, so the direct retry cannot apply
it twice. EXEC runs atomically, so once a transaction's EVAL has cached a script
nothing can flush it before the same transaction's EVALSHA. Between pipelined
commands other clients can flush or evict, so a pipeline always carries the
source. SCRIPT EXISTS / SCRIPT LOAD are never sent: checking first and sending
later is exactly the race (redis-py's own ``register_script`` does that before
every pipeline).

A script that declares ``#!lua flags=no-writes`` goes as EVALSHA_RO / EVAL_RO in
the same places.

Generated with ``--mode functions``, a script is also a function of a Redis
Functions library (its spec's ``library``). A direct call then sends FCALL
(FCALL_RO for no-writes); when the function is not found (the library was
flushed, never loaded, or is another release's) it loads the library
(``load_library``: FUNCTION LOAD on the server, or on every primary of a
cluster) and sends the call once more as EVAL, which carries the script, so
that no flush after the load can fail it. The library's name carries a hash of
its code, so "already exists" means "this very code": it is never replaced,
and two releases' libraries run side by side. Pipelines send the script as
above, so that a batch never depends on the library and no transaction can end
partial because it is missing.

Everything is validated and encoded before anything is sent or queued: a wrong
type is a ``TypeError``, a wrong value a ``ValueError``, each naming the script
and the parameter; on a cluster, so are keys that hash to more
than one slot. A server error that names a line of the script (``user_script:3``,
or a function's ``user_function:28``) gets the ``.lua`` file and line appended.

The policy is decided in one place (``_queued_command``); this file imports only
redis-py and serves ``redis`` 5 and later.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union, cast

import redis
import redis.asyncio
import redis.asyncio.client
import redis.asyncio.cluster
import redis.client
import redis.cluster
from redis.crc import key_slot
from redis.exceptions import NoScriptError, ResponseError

__all__ = [
    "ArgKind",
    "AnyPipeline",
    "ArgSpec",
    "AsyncClient",
    "Key",
    "KeySpec",
    "LibraryFunction",
    "LibraryLoad",
    "LibrarySpec",
    "Origin",
    "Pipe",
    "ScriptSpec",
    "SyncClient",
    "execute",
    "execute_async",
    "load_library",
    "load_library_async",
    "run",
]

ArgKind = Literal["string", "number", "integer", "boolean", "json"]
"""How an argument may be encoded; an ``ArgSpec`` lists one or more."""

Key = Union[str, bytes]
"""A key, as redis-py sends it: ``str`` (UTF-8 encoded) or ``bytes``."""

SyncClient = Union[redis.Redis, redis.cluster.RedisCluster]
AsyncClient = Union[redis.asyncio.Redis, redis.asyncio.cluster.RedisCluster]
AnyPipeline = Union[
    redis.client.Pipeline,
    redis.asyncio.client.Pipeline,
    redis.cluster.ClusterPipeline,
    redis.asyncio.cluster.ClusterPipeline,
]
Pipe = TypeVar("Pipe", bound=AnyPipeline)
"""A pipeline (``client.pipeline()``): a generated function queues its call and returns it."""


@dataclass(frozen=True)
class KeySpec:
    """One ``@key`` tag: ``KEYS[i]``, or with ``rest`` all remaining keys."""

    name: str
    rest: bool = False


@dataclass(frozen=True)
class ArgSpec:
    """One ``@arg`` tag: ``ARGV[i]``, or with ``rest`` all remaining arguments."""

    name: str
    kinds: tuple[ArgKind, ...]
    literals: tuple[str, ...] = ()
    optional: bool = False
    rest: bool = False


@dataclass(frozen=True)
class Origin:
    """From line ``line`` of an assembled source on, the lines are ``file``'s from ``file_line`` on."""

    line: int
    file: str
    file_line: int


@dataclass(frozen=True)
class LibraryFunction:
    """One script's function in a Functions library."""

    name: str
    """What FCALL names: ``<library>_<script>``."""
    line: int
    """The library line that holds the script's line 1: an error at library line n is the script's line n - line + 1."""


@dataclass(frozen=True)
class LibrarySpec:
    """A Redis Functions library of a folder's scripts (``--mode functions``); generated, then frozen."""

    name: str
    """``<base>_<version>``: what FUNCTION LOAD registers."""
    version: str
    """A hash of the code: a library of other code has another name."""
    code: str
    """What FUNCTION LOAD takes: the ``#!lua name=`` line, then one registration per script."""
    functions: Mapping[str, LibraryFunction]
    """By the generated function's name (``ScriptSpec.name``)."""


@dataclass(frozen=True)
class ScriptSpec:
    """Everything the runtime knows about one script; generated, then frozen."""

    name: str
    """The generated function's name, e.g. ``incr_capped``; used in error messages."""
    file: str
    """The ``.lua`` file it came from, e.g. ``src/lua/incr-capped.lua``."""
    source: str
    """The exact Lua source, as sent by EVAL."""
    sha1: str
    """SHA-1 hex of ``source``, as sent by EVALSHA."""
    keys: tuple[KeySpec, ...] = ()
    args: tuple[ArgSpec, ...] = ()
    origins: tuple[Origin, ...] = ()
    """Where the lines of ``source`` come from when it was assembled (``---@include``); empty otherwise."""
    flags: tuple[str, ...] = ()
    """The flags of the script's ``#!lua flags=...`` line."""
    library: LibrarySpec | None = None
    """With ``--mode functions``: the library that holds the script as a function (under ``name``)."""
    commands: dict[str, tuple[str, str]] = field(init=False, repr=False, compare=False)
    """By policy (EVAL, EVALSHA): the command sent and what it carries (``_RO`` for ``no-writes``)."""
    plain: tuple[type, ...] | None = field(init=False, repr=False, compare=False)
    """For a script without rest or optional parameters: the Python type each argument has when
    it goes to the wire as it is (``int`` for an integer, ``str`` for a string); otherwise None."""
    function: tuple[str, str] | None = field(init=False, repr=False, compare=False)
    """With ``library``: the command a direct call sends (FCALL, or FCALL_RO for ``no-writes``) and the function it names."""

    def __post_init__(self) -> None:
        suffix = "_RO" if "no-writes" in self.flags else ""
        commands = {"EVAL": ("EVAL" + suffix, self.source), "EVALSHA": ("EVALSHA" + suffix, self.sha1)}
        object.__setattr__(self, "commands", commands)
        object.__setattr__(self, "plain", _plain_types(self))
        object.__setattr__(self, "function", _function_of(self, suffix))


def _function_of(script: ScriptSpec, suffix: str) -> tuple[str, str] | None:
    if script.library is None:
        return None
    function = script.library.functions.get(script.name)
    if function is None:
        raise TypeError(f"{script.name}: the library {script.library.name} has no function for it")
    return ("FCALL" + suffix, function.name)


def run(
    script: ScriptSpec,
    target: object,
    keys: Sequence[object],
    args: Sequence[object],
) -> Any:
    """Validates and encodes the call, then sends or queues it by the policy above.

    Returns the reply for a synchronous client, an awaitable of it for an asyncio
    client, and ``target`` itself for a pipeline, so calls can be chained.
    """
    wire = _as_is(script, keys, args)
    if wire is None:
        wire = _encode_keys(script, keys)
        num_keys = len(wire)
        _encode_args(script, args, wire)
    else:
        num_keys = len(keys)
    kind = _kinds.get(type(target)) or _kind_of(script, target)
    if kind.cluster:
        _check_cluster(script, keys, wire[:num_keys])
    return kind.send(script, target, num_keys, wire)


class _Kind:
    """How calls reach one class of target: sent and awaited, sent by asyncio, or queued; on a cluster or not."""

    __slots__ = ("send", "cluster")

    def __init__(self, send: Callable[[ScriptSpec, Any, int, list[Any]], Any], cluster: bool) -> None:
        self.send = send
        self.cluster = cluster


# Looked up by the target's exact class: redis-py's classes are Protocols underneath, and an
# isinstance() against one costs about half a microsecond, which a call would pay several times.
_kinds: dict[type, _Kind] = {}


def _kind_of(script: ScriptSpec, target: object) -> _Kind:
    # Pipelines first: redis-py's Pipeline is a Redis, its ClusterPipeline a RedisCluster.
    if isinstance(target, (redis.client.Pipeline, redis.asyncio.client.Pipeline)):
        kind = _Kind(_queue, cluster=False)
    elif isinstance(target, (redis.cluster.ClusterPipeline, redis.asyncio.cluster.ClusterPipeline)):
        kind = _Kind(_queue, cluster=True)
    elif isinstance(target, (redis.Redis, redis.cluster.RedisCluster)):
        kind = _Kind(_call_sync, cluster=isinstance(target, redis.cluster.RedisCluster))
    elif isinstance(target, (redis.asyncio.Redis, redis.asyncio.cluster.RedisCluster)):
        kind = _Kind(_call_async, cluster=isinstance(target, redis.asyncio.cluster.RedisCluster))
    else:
        raise TypeError(
            f"{script.name}: target must be a redis-py client, cluster or pipeline (redis.Redis, "
            f"redis.asyncio.Redis, redis.cluster.RedisCluster, ... or their pipeline()), got {_describe(target)}"
        )
    _kinds[type(target)] = kind
    return kind


# ---------------------------------------------------------------------------
# The policy: which command carries a script, and when (the one place that decides)
# ---------------------------------------------------------------------------

PolicyCommand = Literal["EVAL", "EVALSHA"]


class _Queue:
    """What luagen queued in one pipeline's queue, while it is the same list: the scripts EVALed
    in it (for a transaction's EVALSHA), and which script each queued call of ours runs (for errors)."""

    __slots__ = ("stack", "sha1s", "eval_only", "scripts")

    def __init__(self, stack: object) -> None:
        self.stack = stack
        self.sha1s: set[str] = set()
        self.eval_only = False
        self.scripts: dict[int, ScriptSpec] = {}


_QUEUE = "_luagen_queue"

MAX_SCRIPTS_PER_TRANSACTION = 400
"""Since Redis 7.4 scripts sent by EVAL are evicted least recently used first
once there are 500 of them, also while EXEC runs: an EVALSHA can trust its
transaction's earlier EVAL only while fewer than 500 other scripts came after.
From the 401st distinct script of a transaction on, every call carries its source."""


def _queued_command(script: ScriptSpec, sent: _Queue, transaction: bool) -> PolicyCommand:
    """EVAL, except for a script already EVALed in the same transaction: EVALSHA."""
    if not transaction:
        return "EVAL"
    if sent.eval_only:
        return "EVAL"
    if script.sha1 in sent.sha1s:
        return "EVALSHA"
    if len(sent.sha1s) < MAX_SCRIPTS_PER_TRANSACTION:
        sent.sha1s.add(script.sha1)
    else:
        sent.eval_only = True
        sent.sha1s.clear()
    return "EVAL"


def _queue(script: ScriptSpec, pipe: Any, num_keys: int, wire: list[Any]) -> Any:
    transaction, stack = _pipeline_state(script, pipe)
    queue = _queue_of(pipe, stack)
    command, text = script.commands[_queued_command(script, queue, transaction)]
    index = len(cast("list[object]", stack)) if isinstance(stack, list) else -1
    pipe.execute_command(command, text, num_keys, *wire)
    if index >= 0:
        queue.scripts[index] = script
    return pipe


def _queue_of(pipe: Any, stack: object) -> _Queue:
    """The record of ``pipe``'s queue. redis-py replaces the queue with a new list when a pipeline
    is executed or reset: a new list is a new batch. Kept on the pipeline itself (an attribute
    lookup, where a WeakKeyDictionary costs a few times more per call)."""
    queue: _Queue | None = getattr(pipe, _QUEUE, None)
    if queue is None or queue.stack is not stack:
        queue = _Queue(stack)
        setattr(pipe, _QUEUE, queue)
    return queue


SyncPipeline = Union[redis.client.Pipeline, redis.cluster.ClusterPipeline]
AsyncPipeline = Union[redis.asyncio.client.Pipeline, redis.asyncio.cluster.ClusterPipeline]


def execute(pipe: SyncPipeline, raise_on_error: bool = True) -> list[Any]:
    """``pipe.execute()``, with each failed script call's error naming its ``.lua`` line and its
    place in the batch: `` (incr_capped at src/lua/incr-capped.lua:7, batch index 2)``.

    With ``raise_on_error`` (as redis-py's), the first error is raised once every reply is in;
    otherwise the errors are returned in their places.
    """
    scripts = _scripts_queued(pipe)
    replies: list[Any] = cast(Any, pipe).execute(raise_on_error=False)
    return _settled(scripts, replies, raise_on_error)


async def execute_async(pipe: AsyncPipeline, raise_on_error: bool = True) -> list[Any]:
    """``await pipe.execute()`` for an asyncio pipeline, as ``execute``."""
    scripts = _scripts_queued(pipe)
    replies: list[Any] = await cast(Any, pipe).execute(raise_on_error=False)
    return _settled(scripts, replies, raise_on_error)


def _scripts_queued(pipe: object) -> dict[int, ScriptSpec]:
    own = vars(pipe)
    stack = _stack_of(own, _strategy_of(pipe, own))
    queue: _Queue | None = getattr(pipe, _QUEUE, None)
    return queue.scripts if queue is not None and queue.stack is stack else {}


def _settled(scripts: dict[int, ScriptSpec], replies: list[Any], raise_on_error: bool) -> list[Any]:
    first: BaseException | None = None
    for index, reply in enumerate(replies):
        if not isinstance(reply, BaseException):
            continue
        script = scripts.get(index)
        if script is not None and isinstance(reply, ResponseError):
            _located(script, reply, index)
        first = first or reply
    if raise_on_error and first is not None:
        raise first
    return replies


def _pipeline_state(script: ScriptSpec, pipe: Any) -> tuple[bool, object]:
    """Whether calls queued in ``pipe`` now end up inside MULTI/EXEC, and the list they are queued in.

    A standalone pipeline keeps this on itself; a cluster pipeline (redis-py 6 and later)
    in its execution strategy, a transaction's being a ``TransactionStrategy``. After WATCH
    and before MULTI, redis-py runs commands at once instead of queuing them: refused.
    """
    own = cast("dict[str, Any]", vars(pipe))
    strategy = _strategy_of(pipe, own)
    if strategy is None:
        # A Pipeline's own `transaction` flag shadows the class's transaction() method; asyncio's is `is_transaction`.
        explicit = bool(own.get("explicit_transaction"))
        watching = bool(own.get("watching"))
        transaction = bool(own.get("transaction", own.get("is_transaction"))) or explicit
    else:
        explicit = bool(getattr(strategy, "_explicit_transaction", False))
        watching = bool(getattr(strategy, "_watching", False))
        transaction = type(strategy).__name__ == "TransactionStrategy" or explicit
    if watching and not explicit:
        raise TypeError(
            f"{script.name}: the pipeline is WATCHing and not yet in MULTI, so redis-py would run the "
            "script at once instead of queuing it; call it on the client, or call pipe.multi() first"
        )
    return transaction, _stack_of(own, strategy)


def _strategy_of(pipe: object, own: dict[str, Any]) -> Any:
    """A cluster pipeline's execution strategy (redis-py 6+), or None for a standalone pipeline.

    The asyncio ClusterPipeline keeps it in a ``__slots__`` slot, not in ``vars()``: a slot shows
    as a descriptor on the class, which a standalone Pipeline's class has not.
    """
    strategy = own.get("_execution_strategy")
    if strategy is None and hasattr(type(pipe), "_execution_strategy"):
        strategy = getattr(pipe, "_execution_strategy", None)
    return strategy


def _stack_of(own: dict[str, Any], strategy: Any) -> object:
    """The list a pipeline queues its commands in: its own, or its cluster strategy's."""
    return own.get("command_stack") if strategy is None else getattr(strategy, "_command_queue", None)


def _call_sync(script: ScriptSpec, client: Any, num_keys: int, wire: list[Any]) -> Any:
    function = script.function
    if function is None:
        command, text = script.commands["EVALSHA"]
        try:
            return client.execute_command(command, text, num_keys, *wire)
        except NoScriptError:
            pass
        except ResponseError as error:
            raise _located(script, error)
    else:
        command, name = function
        try:
            return client.execute_command(command, name, num_keys, *wire)
        except ResponseError as error:
            if not _is_function_not_found(error):
                raise _located(script, error)
        load_library(cast(LibrarySpec, script.library), client)
    command, text = script.commands["EVAL"]
    try:
        return client.execute_command(command, text, num_keys, *wire)
    except ResponseError as error:
        raise _located(script, error)


async def _call_async(script: ScriptSpec, client: Any, num_keys: int, wire: list[Any]) -> Any:
    function = script.function
    if function is None:
        command, text = script.commands["EVALSHA"]
        try:
            return await client.execute_command(command, text, num_keys, *wire)
        except NoScriptError:
            pass
        except ResponseError as error:
            raise _located(script, error)
    else:
        command, name = function
        try:
            return await client.execute_command(command, name, num_keys, *wire)
        except ResponseError as error:
            if not _is_function_not_found(error):
                raise _located(script, error)
        await load_library_async(cast(LibrarySpec, script.library), client)
    command, text = script.commands["EVAL"]
    try:
        return await client.execute_command(command, text, num_keys, *wire)
    except ResponseError as error:
        raise _located(script, error)


# ---------------------------------------------------------------------------
# Functions libraries: loading one where it is missing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryLoad:
    """What ``load_library`` did on each primary it reached."""

    library: str
    loaded: int
    """Primaries that did not have the library and now do."""
    current: int
    """Primaries that had it already: nothing was written there."""


def load_library(library: LibrarySpec, client: SyncClient) -> LibraryLoad:
    """Loads ``library`` (FUNCTION LOAD, never REPLACE: a library of this name holds this very code)
    on the client's server, or on every primary of a cluster, where FUNCTION LOAD reaches one node
    only. A deploy step, and optional: a direct call loads the library where it finds it missing."""
    loaded = current = 0
    sender: Any = client
    for route in _primaries(client, "load_library", (redis.Redis, redis.cluster.RedisCluster)):
        try:
            sender.execute_command("FUNCTION", "LOAD", library.code, **route)
            loaded += 1
        except ResponseError as error:
            if not _is_library_there(error):
                raise
            current += 1
    return LibraryLoad(library.name, loaded, current)


async def load_library_async(library: LibrarySpec, client: AsyncClient) -> LibraryLoad:
    """``load_library`` for an asyncio client or cluster."""
    loaded = current = 0
    sender: Any = client
    for route in _primaries(client, "load_library_async", (redis.asyncio.Redis, redis.asyncio.cluster.RedisCluster)):
        try:
            await sender.execute_command("FUNCTION", "LOAD", library.code, **route)
            loaded += 1
        except ResponseError as error:
            if not _is_library_there(error):
                raise
            current += 1
    return LibraryLoad(library.name, loaded, current)


def _primaries(client: object, caller: str, accepted: tuple[type, ...]) -> list[dict[str, Any]]:
    """How to reach each primary: a cluster's ``target_nodes``, or nothing more for one server.
    A pipeline is refused: a load queued in someone's batch would shift the replies of their batch."""
    pipelines = (
        redis.client.Pipeline,
        redis.asyncio.client.Pipeline,
        redis.cluster.ClusterPipeline,
        redis.asyncio.cluster.ClusterPipeline,
    )
    if isinstance(client, pipelines) or not isinstance(client, accepted):
        names = " or ".join(f"{kind.__module__}.{kind.__name__}" for kind in accepted)
        raise TypeError(f"{caller}: expected a client or cluster ({names}), got {_describe(client)}")
    if isinstance(client, (redis.cluster.RedisCluster, redis.asyncio.cluster.RedisCluster)):
        return [{"target_nodes": node} for node in client.get_primaries()]
    return [{}]


_FUNCTION_NOT_FOUND = re.compile(r"^(?:ERR )?Function not found")
_LIBRARY_THERE = re.compile(r"Library '[^']*' already exists")


def _is_function_not_found(error: ResponseError) -> bool:
    return _FUNCTION_NOT_FOUND.match(str(error)) is not None


def _is_library_there(error: ResponseError) -> bool:
    return _LIBRARY_THERE.search(str(error)) is not None


# ---------------------------------------------------------------------------
# Where an error happened: the .lua file and line
# ---------------------------------------------------------------------------


def _located(script: ScriptSpec, error: ResponseError, index: int = -1) -> ResponseError:
    """The same error with `` (src/lua/x.lua:3)`` appended when Redis names a line (``user_script:3``).

    In a batch (``index``), where the error alone would not say which call failed:
    `` (name at src/lua/x.lua:3, batch index 2)``, or without a line `` (name in src/lua/x.lua, batch index 2)``.
    """
    message = str(error.args[0]) if error.args else ""
    line = _script_line(message)
    if line is None:
        line = _function_line(script, message)
    if index >= 0:
        where = f"in {script.file}" if line is None else f"at {source_location(script, line)}"
        suffix = f" ({script.name} {where}, batch index {index})"
    elif line is None:
        return error
    else:
        suffix = f" ({source_location(script, line)})"
    if not message.endswith(suffix):
        error.args = (message + suffix, *error.args[1:])
    return error


def _script_line(message: str) -> int | None:
    """The line of the script Redis names (``user_script:3``), if it names one."""
    match = _USER_SCRIPT_LINE.search(message)
    return int(match.group(1)) if match else None


_USER_SCRIPT_LINE = re.compile(r"user_script:(\d+)")


def _function_line(script: ScriptSpec, message: str) -> int | None:
    """The line of the script's function Redis names (``@user_function:12``, a line of the library), as a line of the script."""
    match = _USER_FUNCTION_LINE.search(message)
    if match is None or script.library is None:
        return None
    line = int(match.group(1)) - script.library.functions[script.name].line + 1
    return line if line >= 1 else None


_USER_FUNCTION_LINE = re.compile(r"user_function:(\d+)")


def source_location(script: ScriptSpec, line: int) -> str:
    """``file:line`` of line ``line`` of the source, through ``origins`` when it was assembled."""
    found: Origin | None = None
    for origin in script.origins:
        if origin.line > line:
            break
        found = origin
    if found is None:
        return f"{script.file}:{line}"
    return f"{found.file}:{found.file_line + (line - found.line)}"


# ---------------------------------------------------------------------------
# Validation and encoding
# ---------------------------------------------------------------------------

def _check_cluster(script: ScriptSpec, keys: Sequence[object], wire: list[Any]) -> None:
    """On a cluster: a ``no-cluster`` script is refused, and every key of one call must hash to one slot.

    Redis refuses the call otherwise (CROSSSLOT), and inside a transaction only at EXEC;
    checked before anything is sent or queued, with the slots Redis computes.
    """
    if "no-cluster" in script.flags:
        raise TypeError(
            f"{script.name}: the script declares #!lua flags=no-cluster, and Redis Cluster refuses to run it; "
            "call it on a standalone server"
        )
    slots = [key_slot(key.encode() if isinstance(key, str) else key) for key in wire]
    if len(set(slots)) <= 1:
        return
    listed = ", ".join(f"key {label!r} {key!r} is in slot {slot}" for label, key, slot in zip(_key_labels(script, keys), wire, slots))
    raise TypeError(
        f"{script.name}: on a Redis Cluster all keys of one call must hash to the same slot, but {listed}. "
        'Give them a common hash tag: only the part in braces is hashed, so "{user42}:a" and "{user42}:b" share a slot.'
    )


def _key_labels(script: ScriptSpec, keys: Sequence[object]) -> list[str]:
    """The parameter name of each key sent, as the errors name them (``destinations[1]`` for a rest key)."""
    labels: list[str] = []
    for spec, value in zip(script.keys, keys):
        if spec.rest and isinstance(value, (list, tuple)):
            labels.extend(f"{spec.name}[{i}]" for i in range(len(cast("Sequence[object]", value))))
        else:
            labels.append(spec.name)
    return labels


MAX_SAFE_INTEGER = 2**53 - 1
"""Lua 5.1 numbers are doubles: a larger integer would not arrive exact."""


# The encoders run on every call: the common case (a str key, an int for an integer) comes first.


def _plain_types(script: ScriptSpec) -> tuple[type, ...] | None:
    if any(spec.rest for spec in script.keys) or any(spec.rest or spec.optional for spec in script.args):
        return None
    return tuple(int if "integer" in spec.kinds else str if "string" in spec.kinds else _Encoded for spec in script.args)


class _Encoded:
    """The type no argument has: an argument of other kinds always goes through ``_encode_arg``."""


def _as_is(script: ScriptSpec, keys: Sequence[Any], args: Sequence[Any]) -> list[Any] | None:
    """The wire form when every key is a ``str`` and every argument is sent as it is (the usual
    call, checked in one pass); None when anything needs the encoders below, which also raise."""
    plain = script.plain
    if plain is None or len(keys) != len(script.keys) or len(args) != len(plain):
        return None
    for key in keys:
        if type(key) is not str:
            return None
    for expected, value in zip(plain, args):
        if type(value) is int:
            if expected is not int or not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                return None
        elif type(value) is not expected:
            return None
    return [*keys, *args]


def _encode_keys(script: ScriptSpec, keys: Sequence[object]) -> list[Any]:
    _check_count(script, "key", len(keys), len(script.keys))
    wire: list[Any] = []
    for spec, value in zip(script.keys, keys):
        if spec.rest:
            for i, item in enumerate(_rest_items(script, "key", spec.name, value)):
                wire.append(_encode_key(script, f"{spec.name}[{i}]", item))
        elif type(value) is str:
            wire.append(value)
        else:
            wire.append(_encode_key(script, spec.name, value))
    return wire


def _encode_key(script: ScriptSpec, label: str, value: object) -> str | bytes:
    if isinstance(value, (str, bytes)):
        return value
    raise TypeError(f"{script.name}: key {label!r} must be str or bytes, got {_describe(value)}")


def _rest_items(script: ScriptSpec, what: str, name: str, value: object) -> Sequence[object]:
    """A rest parameter's values: a list or tuple, never a ``str`` (which is a sequence of characters)."""
    if isinstance(value, (list, tuple)):
        return cast("Sequence[object]", value)
    raise TypeError(f"{script.name}: {what} {name!r} must be a list or tuple, got {_describe(value)}")


def _encode_args(script: ScriptSpec, args: Sequence[object], wire: list[Any]) -> None:
    """Appends the encoded arguments. Optional ones are positional: only trailing ones may be left out."""
    _check_count(script, "argument", len(args), len(script.args))
    omitted: str | None = None
    for spec, value in zip(script.args, args):
        if value is None and spec.optional:
            omitted = omitted or spec.name
            continue
        empty = spec.rest and (value == [] or value == ())
        if omitted is not None and not empty:
            raise ValueError(
                f"{script.name}: argument {spec.name!r} is given but optional argument {omitted!r} before it "
                "is None; arguments are sent by position, so only trailing ones can be left out"
            )
        if spec.rest:
            for i, item in enumerate(_rest_items(script, "argument", spec.name, value)):
                wire.append(_encode_arg(script, spec, f"{spec.name}[{i}]", item))
        elif type(value) is int and "integer" in spec.kinds and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            wire.append(value)  # redis-py sends an int as its decimal digits
        else:
            wire.append(_encode_arg(script, spec, spec.name, value))


def _check_count(script: ScriptSpec, what: str, actual: int, expected: int) -> None:
    """The generated function always passes every parameter; anything else is a hand-written mistake."""
    if actual != expected:
        raise TypeError(f"{script.name}: expected {expected} {what} entries, got {actual}")


def _encode_arg(script: ScriptSpec, spec: ArgSpec, label: str, value: object) -> str | bytes:
    """The encoding the value's Python type and the declared kinds choose (as the TypeScript runtime's).

    A ``str`` is itself (if ``string`` or a listed literal); an ``int`` an integer
    within 2**53, a ``float`` a finite number; a ``bool`` is "1"/"0"; ``bytes`` is
    itself for ``string``; anything else, and any of these the kinds do not cover,
    is JSON if ``json`` is allowed.
    """
    kinds = spec.kinds
    if isinstance(value, str) and ("string" in kinds or value in spec.literals):
        return value
    if isinstance(value, bool):
        if "boolean" in kinds:
            return "1" if value else "0"
    elif isinstance(value, int):
        if ("integer" in kinds or "number" in kinds) and abs(value) <= MAX_SAFE_INTEGER:
            return str(int(value))  # an int subclass (an IntEnum) as its digits, not its name
        if "json" not in kinds and ("integer" in kinds or "number" in kinds):
            raise ValueError(
                f"{script.name}: argument {label!r} must be within ±(2**53 - 1) to reach Lua exactly, got {value}"
            )
    elif isinstance(value, float):
        if "number" in kinds and math.isfinite(value):
            return repr(value)
        if "number" in kinds and "json" not in kinds:
            raise ValueError(f"{script.name}: argument {label!r} must be a finite number, got {value!r}")
    elif isinstance(value, bytes) and "string" in kinds:
        return value
    if "json" in kinds and value is not None:
        try:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            pass
    if isinstance(value, str) and spec.literals and "string" not in kinds:
        raise ValueError(f"{script.name}: argument {label!r} must be {_expectation(spec)}, got {_describe(value)}")
    raise TypeError(f"{script.name}: argument {label!r} must be {_expectation(spec)}, got {_describe(value)}")


def _expectation(spec: ArgSpec) -> str:
    phrases = {
        "string": "str",
        "number": "a finite float or int",
        "integer": "an int",
        "boolean": "a bool",
        "json": "a JSON-serialisable value",
    }
    parts = [phrases[kind] for kind in spec.kinds]
    if spec.literals:
        parts.insert(0, "one of " + ", ".join(repr(literal) for literal in spec.literals))
    return " or ".join(parts)


def _describe(value: object) -> str:
    """A short, unambiguous rendering of a bad value for an error message."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        return repr(value[:40]) + ("..." if len(value) > 40 else "")
    return f"a {type(value).__name__}"


"""Yield points between Redis commands, for apps on pynenc-redis.

A pynenc-redis method may issue several commands (read a status, then write it in
a MULTI/EXEC), and unlike the memory backend nothing serialises the method as a
whole: another client's commands can run between them.  While the block runs,
every command a redis-py client sends (``Redis.execute_command``) and every
pipeline it executes (``Pipeline.execute``: one step, as Redis runs a MULTI/EXEC
transaction at once) is a decision point of the interleaver, labelled
``redis.<COMMAND>``.  Without redis-py installed the block changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pynenc_suite.drivers.deterministic.interleave import Interleaver

_methods_only = False


@contextmanager
def methods_only() -> Iterator[None]:
    """Driver sessions in the block decide at pynenc's methods only, as on the memory backend (to show what
    yielding between commands adds)."""
    global _methods_only
    previous, _methods_only = _methods_only, True
    try:
        yield
    finally:
        _methods_only = previous


@contextmanager
def command_yield_points(interleaver: Interleaver) -> Iterator[None]:
    try:
        from redis.client import Pipeline, Redis
    except ImportError:
        yield
        return
    if _methods_only:
        yield
        return
    with ExitStack() as stack:
        stack.enter_context(_wrapped(Redis, "execute_command", interleaver, lambda args: str(args[0]).upper()))
        stack.enter_context(_wrapped(Pipeline, "execute", interleaver, lambda args: "EXEC"))
        yield


@contextmanager
def _wrapped(owner: type, name: str, interleaver: Interleaver, command: Any) -> Iterator[None]:
    real = vars(owner)[name]

    @functools.wraps(real)
    def yielding(self: Any, *args: Any, **kwargs: Any) -> Any:
        interleaver.yield_point(f"redis.{command(args)}")
        return real(self, *args, **kwargs)

    setattr(owner, name, yielding)
    try:
        yield
    finally:
        setattr(owner, name, real)

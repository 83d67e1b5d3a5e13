"""One CPU for the driver's threads while a run lasts.

The deterministic driver runs one thread at a time and hands control between
threads at every switch of an interleaved group and every parked worker.  Left
to the OS, the woken thread often runs on another core than the one that woke
it, and each handoff then moves the working set (pynenc's objects, the
recorder's) between CPU caches: on a 2-core machine that made the explorer's
Python code about a quarter slower per call.  Since only one of the threads runs
at any moment, keeping them all on the CPU the run started on costs no
parallelism.  Where the OS offers no affinity control, nothing changes.

The choice of CPU never affects a decision (batons decide who runs), only speed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


def _sched_getcpu() -> Callable[[], int] | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        getcpu = libc.sched_getcpu
    except (OSError, AttributeError):
        return None
    getcpu.restype = ctypes.c_int
    getcpu.argtypes = []
    return getcpu


_GETCPU = _sched_getcpu()


def current_cpu() -> int | None:
    """The CPU the calling thread runs on now, or None where that cannot be known."""
    if _GETCPU is None:
        return None
    cpu = _GETCPU()
    return cpu if cpu >= 0 else None


@contextmanager
def on_one_cpu(threads: Callable[[], Iterable[int]]) -> Iterator[None]:
    """While the block runs, the calling thread and ``threads()`` (native thread ids) stay on the calling
    thread's current CPU; threads they create meanwhile inherit it.  Afterwards ``threads()`` (asked again,
    so that threads created meanwhile are included) and the caller get back the affinity they had."""
    cpu = current_cpu()
    if cpu is None:
        yield
        return
    allowed = os.sched_getaffinity(0)
    if cpu not in allowed or len(allowed) == 1:
        yield
        return
    _set((0, *threads()), {cpu})
    try:
        yield
    finally:
        _set((0, *threads()), allowed)


def _set(thread_ids: Iterable[int], cpus: set[int]) -> None:
    for ident in thread_ids:
        try:
            os.sched_setaffinity(ident, cpus)
        except OSError:  # a thread that ended meanwhile, or a container that forbids it: speed only
            pass

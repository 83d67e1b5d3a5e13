"""Atomic steps: a block the deterministic interleaver runs as one indivisible step of its operation.

Code that runs inside pynenc's operations (a candidate fix's transaction, ``findings/decision_fixes.py``)
marks a block with :func:`uninterruptible`; the interleaver (:mod:`.interleave`), while its yield points
are installed, registers its yield point here (:func:`hook`) and lets no yield point inside such a block
switch operations.  This module imports nothing but the standard library, so a candidate fix marks its
blocks without importing the driver (its lanes, pynenc's context); with no interleaver installed the
marks cost nothing and change nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

YieldPoint = Callable[[str], None]

_uninterruptible = threading.local()
_yield_point: YieldPoint | None = None  # the installed interleaver's (one driver session at a time)


def hook(yield_point: YieldPoint | None) -> YieldPoint | None:
    """Make ``yield_point`` the one a labelled block starts with (None: no interleaver); returns the previous one."""
    global _yield_point
    previous, _yield_point = _yield_point, yield_point
    return previous


def inside() -> bool:
    """Whether the calling thread is inside an uninterruptible block."""
    return bool(getattr(_uninterruptible, "depth", 0))


@contextmanager
def uninterruptible(label: str | None = None) -> Iterator[None]:
    """The calling thread runs the block with no yield point: the block is one indivisible step of its operation.

    For code that holds a real lock across several pynenc methods (a candidate fix's atomic section, as a
    database transaction would make it): yielding there would leave the other operations waiting on the lock,
    and a kill lands before or after the block, as a killed transaction commits entirely or not at all.
    With a ``label``, the start of the block is a yield point (taken before the caller's lock): the step can
    begin later than the code before it, as a transaction can, so preemptions still land before each step.
    """
    depth = getattr(_uninterruptible, "depth", 0)
    if label is not None and not depth and _yield_point is not None:
        _yield_point(label)
    _uninterruptible.depth = depth + 1
    try:
        yield
    finally:
        _uninterruptible.depth -= 1

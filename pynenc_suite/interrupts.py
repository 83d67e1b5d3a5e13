"""A Ctrl-C is never lost: remembered when it arrives, raised again at the next example if Python dropped it.

Python raises ``KeyboardInterrupt`` wherever the main thread is when SIGINT arrives; inside a finalizer (a
``__del__``, a weakref callback, a generator closed by the garbage collector) it is printed as "Exception
ignored" and the run goes on, so a run under ``-p no:xdist`` could keep generating examples after Ctrl-C.
:func:`install` (main thread, in a session that runs the suite) replaces Python's default SIGINT handler with one
that also remembers the interrupt; :func:`check`, called before each example and each test, raises it again if it was lost.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

_interrupted = threading.Event()


def install() -> None:
    """Remember every SIGINT of this process; the handler still raises KeyboardInterrupt, as Python's default does."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # already installed, or a handler someone else chose: theirs stays

    def remembering(signum: int, frame: FrameType | None) -> Any:
        _interrupted.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, remembering)


def check() -> None:
    """Raise ``KeyboardInterrupt`` if the user pressed Ctrl-C (again, if it was dropped on the way)."""
    if _interrupted.is_set():
        raise KeyboardInterrupt

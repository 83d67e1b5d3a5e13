"""The command's exit statuses, and the one mistake a user can make: :class:`BadInput` (one line, exit 2).

0 the suite passed; 1 a property of yours failed (or a replay did not reproduce); 2 bad input; 3 the suite itself
failed; 130 interrupted by Ctrl-C.  The statuses keep their meaning under every pytest option passed through.
"""

from __future__ import annotations

PASSED, FAILED, BAD_INPUT, SUITE_ERROR = 0, 1, 2, 3
INTERRUPTED = 130  # Ctrl-C: the shell's 128 + SIGINT, never mistaken for bad input
INTERRUPTED_LINE = "pynenc-suite: interrupted (Ctrl-C): the run stopped before a verdict"


class BadInput(Exception):
    """A mistake in what the command was given; ``str()`` is the one line that says what to fix."""

"""Reading runner logs: pynenc state errors a runner or one of its workers logged, and a log's last error.

A worker's loop can die of a pynenc error without its runner exiting; the log is
then the only record.  Each error is parsed here, once, into typed facts
(:class:`~pynenc_suite.history.model.ErrorInfo`); nothing downstream reads the text.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from pynenc_suite.history.model import ErrorInfo, ErrorSite

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOG_TIME = re.compile(r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00) ")
_TRACEBACK_ERROR = re.compile(r"^pynenc\.exceptions\.\w+: (?P<message>Invocation\w*Error\(.*)$")
_LOG_ERROR = re.compile(
    r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00) ERROR\s.*?(?P<message>\S*Invocation\w*Error\(.*)$"
)
_ERROR_TYPE = re.compile(r"(?P<type>Invocation\w*Error)\(")
_TRANSITION = re.compile(r"from_status:(?P<before>\w+), to_status:(?P<after>\w+)")


def logged_state_errors(text: str, end: float | None = None) -> list[tuple[float, str]]:
    """(time.time() value, message) of every pynenc Invocation*Error a runner's log reports.

    Timestamped ERROR lines give their own time.  A traceback printed without a timestamp (a worker
    process whose loop died of the error: multiprocessing prints it) gets the time of the next
    timestamped line, or ``end``: when it happened is known only to be before that.
    """
    out: list[tuple[float, str]] = []
    untimed: list[str] = []
    for line in (_ANSI.sub("", raw) for raw in text.splitlines()):
        stamp = _LOG_TIME.match(line)
        if stamp:
            when = datetime.fromisoformat(stamp["when"]).timestamp()
            out.extend((when, message) for message in untimed)
            untimed = []
            match = _LOG_ERROR.match(line)
            if match:
                out.append((when, match["message"]))
        elif (match := _TRACEBACK_ERROR.match(line)) is not None:
            untimed.append(match["message"])
    if untimed and end is not None:
        out.extend((end, message) for message in untimed)
    return out


def error_from_message(message: str) -> ErrorInfo:
    """The typed facts of a logged pynenc error message."""
    kind = _ERROR_TYPE.search(message)
    transition = _TRANSITION.search(message)
    return ErrorInfo(
        site=ErrorSite.RUNNER,
        type=kind["type"] if kind else "unknown",
        from_status=transition["before"] if transition else None,
        to_status=transition["after"] if transition else None,
    )


def last_error_line(log: Path | None) -> str:
    """The last exception-looking line of a runner's log (or its last line)."""
    if log is None or not log.exists():
        return "no log"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    return (errors or lines or ["empty log"])[-1].strip()[:300]

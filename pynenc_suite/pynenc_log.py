"""Where pynenc's own log lines go: one file in the run's artefact folder, never the terminal unless asked.

pynenc logs through the ``pynenc`` loggers: each app's ``pynenc.<app_id>``, made by
``pynenc.util.log.create_logger`` when the app first logs, with a handler of its own on stderr, and its modules'
``pynenc.<module>`` loggers.  :func:`to_file` gives the ``pynenc`` logger one handler on a file of the artefact
folder (:func:`file_for`: ``pynenc-<command>.log``; plain text, no colour codes), stops it propagating to the
terminal, and makes every app logger, already made or made later, write there instead of its own stream.  The
process that starts a run removes the last run's file; the processes it starts append: xdist workers (``append``), and a
command it runs (the policy-change measurement), told the file by :data:`INHERITED_VARIABLE`.

:func:`to_terminal` is the opposite choice (``--pynenc-log-to-terminal``): pynenc's handlers stay, with colour codes
only where the stream is a terminal.  Both are idempotent in a process, so the command and the pytest plugin it
runs in-process may both call them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

INHERITED_VARIABLE = "PYNENC_SUITE_PYNENC_LOG"  # in a process a run started: the run's file, appended to
PYNENC = "pynenc"
FORMAT = "%(asctime)s %(process)d %(levelname)-8s %(name)s %(message)s"

_routed: dict[str, Any] = {"path": None, "terminal": False, "announced": False}


def file_for(artefacts: Path, command: str) -> Path:
    """The file a command's run writes pynenc's log lines to: ``<artefacts>/pynenc-<command>.log``."""
    return (artefacts / f"pynenc-{command}.log").resolve()


def to_file(path: Path, *, append: bool = False) -> Path:
    """Send every pynenc log line of this process to ``path``, or to the file of the run that started this process
    (:data:`INHERITED_VARIABLE`); returns the file written.  ``append``: the run's file exists (an xdist worker)."""
    inherited = os.environ.get(INHERITED_VARIABLE)
    if inherited:
        path, append = Path(inherited), True
    if _routed["path"] == path:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if not append:  # the last run's lines go now (a later first line must not drop what workers wrote); the
        path.unlink(missing_ok=True)  # file is made by the first line written, so a run that logs nothing leaves none
    handler = logging.FileHandler(path, mode="a", encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger(PYNENC)
    root.handlers = [handler]
    root.propagate = False
    for logger in _pynenc_loggers():
        _to_parent(logger)
    _wrap_create_logger(_to_parent)
    _routed.update(path=path, terminal=False)
    return path


def route(artefacts: Path, command: str, to_the_terminal: bool, append: bool = False) -> None:
    """pynenc's log lines of ``command``'s run: on the terminal if asked, else to its file in ``artefacts``."""
    if to_the_terminal:
        to_terminal()
    else:
        to_file(file_for(artefacts, command), append=append)


def to_terminal() -> None:
    """Leave pynenc's log lines on its own streams; colour codes only where that stream is a terminal."""
    if _routed["terminal"]:
        return

    def plain_off_a_terminal(logger: logging.Logger) -> None:
        for handler in logger.handlers:
            stream = getattr(handler, "stream", None)
            if not (stream is not None and hasattr(stream, "isatty") and stream.isatty()):
                handler.setFormatter(logging.Formatter(FORMAT))

    for logger in _pynenc_loggers():
        plain_off_a_terminal(logger)
    _wrap_create_logger(plain_off_a_terminal)
    _routed.update(path=None, terminal=True)


def routed_to() -> Path | None:
    """The file pynenc's log lines of this process go to (None: not routed, or to the terminal)."""
    return _routed["path"]


def for_a_child() -> dict[str, str]:
    """The environment a command started by this run needs to append to this run's file (empty: not routed)."""
    return {INHERITED_VARIABLE: str(_routed["path"])} if _routed["path"] else {}


def announcement() -> str | None:
    """Once per process, where pynenc's log lines went, if it wrote any: one line for the run's summary."""
    path = _routed["path"]
    if path is None or _routed["announced"]:
        return None
    _routed["announced"] = True
    try:
        with path.open("rb") as written:
            lines = sum(1 for _ in written)
    except FileNotFoundError:
        return None
    if not lines:
        return None
    shown = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    return f"pynenc's own log: {lines} lines in {shown} (--pynenc-log-to-terminal shows them here)"


def _pynenc_loggers() -> list[logging.Logger]:
    """The ``pynenc.*`` loggers made so far (the app loggers and pynenc's modules' loggers)."""
    made = list(logging.Logger.manager.loggerDict.items())
    return [logger for name, logger in made if name.startswith(PYNENC + ".") and isinstance(logger, logging.Logger)]


def _to_parent(logger: logging.Logger) -> None:
    """An app logger writes through the ``pynenc`` logger's handler: its own handlers go, it propagates."""
    logger.handlers = []
    logger.propagate = True


def _wrap_create_logger(after: Any) -> None:
    """pynenc's ``create_logger``, wherever pynenc calls it, followed by ``after(logger)``."""
    import pynenc.app
    import pynenc.util.log

    original = getattr(pynenc.util.log.create_logger, "__wrapped__", pynenc.util.log.create_logger)

    def create_logger(*args: Any, **kwargs: Any) -> logging.Logger:
        logger = original(*args, **kwargs)
        after(logger)
        return logger

    create_logger.__wrapped__ = original  # type: ignore[attr-defined]  # unwrapped by a later call, never stacked
    pynenc.util.log.create_logger = create_logger
    pynenc.app.create_logger = create_logger  # pynenc.app imported the name: its binding is the one called

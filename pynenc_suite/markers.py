"""Generated sections of a Markdown file: the text between a begin and an end marker, rewritten by a command."""

from __future__ import annotations

import re
from pathlib import Path


class NoMarkers(Exception):
    """The file to write has no such markers; ``str()`` says which."""


def write_between(path: Path, begin: str, end: str, text: str) -> None:
    """Replace what lies between ``begin`` and ``end`` in ``path`` with ``text``."""
    content = path.read_text()
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(content):
        raise NoMarkers(f"{path} has no markers {begin} ... {end}")
    path.write_text(pattern.sub(lambda _m: f"{begin}\n{text}\n{end}", content))

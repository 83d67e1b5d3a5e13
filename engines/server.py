"""What every engine server has in common: a one-line reason when none can be used."""

from __future__ import annotations


class EngineUnavailable(Exception):
    """No usable server for an engine; ``str()`` is the one-line reason and what to do."""

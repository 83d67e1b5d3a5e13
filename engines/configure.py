"""Putting an engine's configuration over an app: in this process, or for runner processes.

pynenc builds an app's components lazily from its configuration, so
:func:`configured` resets them on the way in and again on the way out, when the
app's own configuration comes back.  Runner processes get the same
configuration as ``PYNENC__*`` environment variables, which pynenc ranks above
what the app's builder wrote (:func:`environment`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def configured(app: Any, config: dict[str, Any]) -> Iterator[Any]:
    """Run the block with ``config`` over ``app``'s configuration, on components built for it."""
    saved = app.config_values
    app.config_values = {**(saved or {}), **config}
    app._reset_cached_components()
    try:
        yield app
    finally:
        app.config_values = saved
        app._reset_cached_components()


def environment(config: dict[str, Any]) -> dict[str, str]:
    """The same configuration as ``PYNENC__*`` environment variables, for runner processes."""
    return {f"PYNENC__{name.upper()}": _env_value(value) for name, value in config.items()}


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)

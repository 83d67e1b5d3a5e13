"""The runner an app configures: pynenc's placeholder, or a runner that runs invocations."""

from __future__ import annotations

from typing import Any


def placeholder(app: Any) -> bool:
    """Whether the app's ``runner_cls`` is pynenc's placeholder (a DummyRunner, or its subclass ExternalRunner),
    which runs no invocation: the common case for an app that picks its runner at deploy time.

    Read from the configuration (``app.conf.runner_cls``, which ``PYNENC__RUNNER_CLS`` sets), the class the
    app's own runner is built from; a name pynenc does not know is no placeholder (building it fails loudly)."""
    from pynenc.runner import BaseRunner, DummyRunner
    from pynenc.util.subclasses import get_subclass

    try:
        found = get_subclass(BaseRunner, str(app.conf.runner_cls))  # type: ignore[type-abstract]  # looked up, never built
        return issubclass(found, DummyRunner)
    except ValueError:
        return False

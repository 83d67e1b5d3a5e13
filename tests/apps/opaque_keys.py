"""An app keyed on values pynenc cannot tell apart: handles without state, equal only to themselves."""

from __future__ import annotations

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("opaque_keys").memory().logging_level("error").build()


class Handle:
    """A handle to an open session: distinct handles are distinct sessions, and nothing in them says which."""


@app.task(running_concurrency=CC.KEYS, key_arguments=("handle",))
def by_handle(handle: Handle) -> None:
    """Keyed on an object without state."""

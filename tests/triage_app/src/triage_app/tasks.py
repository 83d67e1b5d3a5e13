"""The service's tasks, with pynenc's logging at INFO as the team runs it."""

from __future__ import annotations

from enum import IntEnum

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("triage_app").memory().logging_level("info").build()


class Priority(IntEnum):
    LOW = 1
    HIGH = 2


@app.task(running_concurrency=CC.KEYS, key_arguments=("level",), reroute_on_concurrency_control=True)
def escalate(level: Priority, note: str) -> int:
    """One escalation per level at a time; the web layer passes the number stored in the database."""
    return int(level)


@app.task(running_concurrency=CC.KEYS, key_arguments=("email",), reroute_on_concurrency_control=True)
def notify(email: str, body: str) -> str:
    """One notification per address at a time."""
    return email

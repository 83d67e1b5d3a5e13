"""A user's app as the suite would meet it: its own module, its own tasks, bodies the suite replaces by probes."""

from __future__ import annotations

from enum import StrEnum

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("suite_test_user_app").memory().max_pending_seconds(2.0).logging_level("error").build()


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"


@app.task(running_concurrency=CC.KEYS, key_arguments=("customer_id",), reroute_on_concurrency_control=True)
def sync_customer(customer_id: int, plan: Plan, force: bool = False) -> None:
    raise RuntimeError("the real body must not run under the suite's probe")


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("tenant", "region"),
    reroute_on_concurrency_control=False,
)
def rebuild_index(tenant: str, region: str, full: bool) -> None:
    raise RuntimeError("the real body must not run under the suite's probe")


@app.task
def uncontrolled(x: int) -> int:
    return x

"""The reference app: the seed article's four policies, plus one task per remaining mode.

| task             | running     | registration | keys                 | reroute |
|------------------|-------------|--------------|----------------------|---------|
| call_unsafe      | DISABLED    | DISABLED     |                      |  -      |
| call_keyed       | KEYS        | DISABLED     | account_id           | True    |
| call_keyed_drop  | KEYS        | DISABLED     | account_id           | False   |
| refresh_once     | KEYS        | KEYS         | account_id           | True    |
| sync_all         | TASK        | DISABLED     |                      | True    |
| export_report    | ARGUMENTS   | DISABLED     |                      | True    |
| transfer         | KEYS        | DISABLED     | account_id, region   | True    |
| call_retrying    | KEYS        | DISABLED     | account_id           | True    |

Every body makes one call to the provider, as the article's demo does.  When the
provider answers an error (the schedule decides: ``Finish(fail=True)``) the body
raises ``ProviderUnavailable``; ``call_retrying`` lists it in ``retry_for`` (2
retries), the other tasks fail on it.
"""

from __future__ import annotations

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

from pynenc_suite.provider.failures import ProviderUnavailable
from pynenc_suite.provider.failures import call_provider_or_fail as call_provider

app = (
    PynencBuilder()
    .app_id("pynenc_suite_reference")
    .memory()
    .thread_runner(min_threads=1, max_threads=8)
    .max_pending_seconds(3.0)
    .logging_level("warning")
    .build()
)


@app.task
def call_unsafe(account_id: str, op: str) -> dict:
    """No concurrency control: calls for one account may overlap."""
    return call_provider(app.app_id, account_id, op)


@app.task(
    running_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=True,
)
def call_keyed(account_id: str, op: str) -> dict:
    """One in-flight call per account; blocked calls are requeued."""
    return call_provider(app.app_id, account_id, op)


@app.task(
    running_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=False,
)
def call_keyed_drop(account_id: str, op: str) -> dict:
    """One in-flight call per account; blocked calls end CONCURRENCY_CONTROLLED_FINAL."""
    return call_provider(app.app_id, account_id, op)


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=True,
)
def refresh_once(account_id: str) -> dict:
    """Duplicate enqueues while one is still queued collapse into it."""
    return call_provider(app.app_id, account_id, "refresh")


@app.task(running_concurrency=CC.TASK, reroute_on_concurrency_control=True)
def sync_all(batch: int) -> dict:
    """TASK mode: one invocation of the task at a time, whatever its arguments."""
    return call_provider(app.app_id, "all", f"sync-{batch}")


@app.task(running_concurrency=CC.ARGUMENTS, reroute_on_concurrency_control=True)
def export_report(account_id: str, period: str) -> dict:
    """ARGUMENTS mode: one invocation per full argument set."""
    return call_provider(app.app_id, account_id, f"export-{period}")


@app.task(
    running_concurrency=CC.KEYS,
    key_arguments=("account_id", "region"),
    reroute_on_concurrency_control=True,
)
def transfer(account_id: str, region: str, amount: int) -> dict:
    """KEYS mode on two arguments: one transfer per (account, region) at a time."""
    return call_provider(app.app_id, f"{account_id}@{region}", f"transfer-{amount}")


@app.task(
    running_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=True,
    retry_for=(ProviderUnavailable,),
    max_retries=2,
)
def call_retrying(account_id: str, op: str) -> dict:
    """One in-flight call per account; a failed call is retried (RUNNING -> RETRY -> PENDING), twice at most."""
    return call_provider(app.app_id, account_id, op)

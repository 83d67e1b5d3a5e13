"""Configuration template: a pynenc app on SQLite, for one host.

Copy this module into your package, rename the tasks and keep the policies you
need.  Every value the builder writes below is a default: pynenc reads the
``PYNENC__*`` environment variables listed in ``templates/README.md`` and ranks
them above the builder, so a deployment changes them without a code change.
pynenc-suite's CI boots two runners from this file on SQLite and checks the
contract on them (``tox -e template-sqlite``).
"""

from __future__ import annotations

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = (
    PynencBuilder()
    .app_id("billing")
    .sqlite("pynenc.db")  # PYNENC__SQLITE_DB_PATH: one file every runner process of this host shares
    .thread_runner(min_threads=1, max_threads=8)  # PYNENC__MIN_THREADS / PYNENC__MAX_THREADS; PYNENC__RUNNER_CLS
    .max_pending_seconds(5.0)  # PYNENC__MAX_PENDING_SECONDS: PENDING longer than this is requeued
    .logging_level("info")  # PYNENC__LOGGING_LEVEL
    .custom_config(
        # PYNENC__RUNNER_CONSIDERED_DEAD_AFTER_MINUTES: keep it above your longest task body
        # (pynenc-suite doctor APP --max-body-seconds S checks it).
        runner_considered_dead_after_minutes=10.0,
        recover_pending_invocations_cron="*/5 * * * *",  # PYNENC__RECOVER_PENDING_INVOCATIONS_CRON
        recover_running_invocations_cron="*/15 * * * *",  # PYNENC__RECOVER_RUNNING_INVOCATIONS_CRON
    )
    .build()
)


@app.task(running_concurrency=CC.KEYS, key_arguments=("account_id",), reroute_on_concurrency_control=True)
def charge(account_id: str, cents: int) -> dict:
    """One charge per account at a time; a blocked call is requeued, never dropped."""
    return {"account_id": account_id, "charged": cents}  # your provider call goes here


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=True,
)
def refresh_balance(account_id: str) -> dict:
    """Idempotent: enqueues while one is still queued collapse into it."""
    return {"account_id": account_id, "refreshed": True}

"""An app with the policy mistakes the doctor names (tests/test_doctor.py); the gate would refuse to load it."""

import tempfile
from pathlib import Path

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = (
    PynencBuilder()
    .app_id("doctor_app")
    .sqlite(
        str(Path(tempfile.gettempdir()) / "pynenc-suite-doctor-app.db")
    )  # never opened: the suite puts its own engine under it
    .multi_thread_runner(min_threads=1, max_threads=1)
    .custom_config(max_processes=8, runner_considered_dead_after_minutes=1.0)
    .build()
)


@app.task(running_concurrency=CC.KEYS)
def no_keys(account_id: str) -> None:
    """KEYS with no key arguments."""


@app.task(running_concurrency=CC.KEYS, key_arguments=("iban",))
def wrong_key(account_id: str) -> None:
    """A key argument that is no parameter."""


@app.task(registration_concurrency=CC.KEYS, key_arguments=("account_id",))
def dedup_only(account_id: str) -> None:
    """Registration control without running control."""


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("account_id",),
    reroute_on_concurrency_control=False,
)
def charge_card(account_id: str) -> None:
    """Charge the customer's card: must not be dropped."""


@app.task(running_concurrency=CC.TASK, reroute_on_concurrency_control=True, max_retries=3)
def nightly(batch: int) -> None:
    """TASK control with retries."""


@app.task(running_concurrency=CC.KEYS, key_arguments=("account_id",), reroute_on_concurrency_control=True)
def lookup(account_id: int | str) -> None:
    """A union a caller may mix: 42 and "42" are two keys."""

"""Inventory tasks with the policies a team would give them; SKUs are slugs made by the app's own dependency."""

from __future__ import annotations

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC
from slugify import slugify

app = PynencBuilder().app_id("sample_pkg").memory().max_pending_seconds(2.0).logging_level("error").build()


def sku(name: str) -> str:
    return slugify(name)


@app.task(running_concurrency=CC.KEYS, key_arguments=("warehouse",), reroute_on_concurrency_control=True)
def restock(warehouse: str, item: str, quantity: int) -> str:
    """One restock per warehouse at a time; blocked restocks wait their turn."""
    return f"{warehouse}:{sku(item)}+{quantity}"


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("warehouse",),
    reroute_on_concurrency_control=True,
)
def recount(warehouse: str) -> str:
    """A recount requested while one is still queued joins it."""
    return f"recount {warehouse}"


@app.task(running_concurrency=CC.KEYS, key_arguments=("item",), reroute_on_concurrency_control=False)
def reprice(item: str, price: int) -> str:
    """One repricing per item; a second one while it runs is dropped."""
    return f"{sku(item)}={price}"

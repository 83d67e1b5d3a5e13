"""The inventory service's tasks; each key argument has the type the service really calls it with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from uuid import UUID

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("inventory_app").memory().max_pending_seconds(2.0).logging_level("error").build()


class Zone(StrEnum):
    COLD = "cold"
    DRY = "dry"


@dataclass(frozen=True)
class Bin:
    aisle: int
    shelf: str


@app.task(running_concurrency=CC.KEYS, key_arguments=("warehouse_id",), reroute_on_concurrency_control=False)
def reserve(warehouse_id: UUID, sku: str, quantity: int) -> str:
    """One reservation per warehouse at a time; a second one meanwhile is dropped."""
    return f"{warehouse_id}:{sku}x{quantity}"


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("manifest",),
    reroute_on_concurrency_control=True,
)
def import_manifest(manifest: PurePath, received_at: dt.datetime) -> str:
    """A manifest queued twice is imported once."""
    return str(manifest)


@app.task(running_concurrency=CC.TASK, reroute_on_concurrency_control=True)
def rebuild_catalog(since: dt.date) -> str:
    """One catalog rebuild at a time."""
    return since.isoformat()


@app.task(running_concurrency=CC.KEYS, key_arguments=("bin", "zone"), reroute_on_concurrency_control=True)
def count_bin(bin: Bin, zone: Zone) -> int:
    """One count per (bin, zone) at a time."""
    return bin.aisle


@app.task(running_concurrency=CC.KEYS, key_arguments=("due",), reroute_on_concurrency_control=True)
def schedule_pickup(due: dt.datetime, carrier: str | None = None) -> str:
    """One pickup per moment; the moment may come with or without a time zone."""
    return due.isoformat()


@app.task(running_concurrency=CC.KEYS, key_arguments=("email",), reroute_on_concurrency_control=True)
def notify(email: str, message: str) -> str:
    """One notification per customer email at a time; emails are one customer whatever their case."""
    return email

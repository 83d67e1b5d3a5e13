"""The service's tasks: one in-flight job per user, contact, channel, route, label set or order."""

from __future__ import annotations

from uuid import UUID

from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

from notify_app.models import Channel, UserRef

app = PynencBuilder().app_id("notify_app").memory().max_pending_seconds(2.0).logging_level("error").build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("user",), reroute_on_concurrency_control=True)
def send_digest(user: UserRef, since: str) -> str:
    """One digest per user at a time."""
    return f"{user.tenant}/{user.user_id} since {since}"


@app.task(
    running_concurrency=CC.KEYS,
    registration_concurrency=CC.KEYS,
    key_arguments=("email",),
    reroute_on_concurrency_control=True,
)
def sync_contact(email: str, name: str) -> str:
    """One contact sync per email; an email is one contact whatever its case (keys.NORMALISERS)."""
    return email


@app.task(running_concurrency=CC.KEYS, key_arguments=("channel",), reroute_on_concurrency_control=True)
def drain_channel(channel: Channel, batch: int) -> int:
    """One drain per channel at a time; callers pass the member or the number stored in the database."""
    return int(channel)


@app.task(running_concurrency=CC.KEYS, key_arguments=("route",), reroute_on_concurrency_control=True)
def relay(route: tuple[str, str], body: str) -> str:
    """One relay per (sender, recipient) at a time; callers pass a models.Route or a plain tuple."""
    return "->".join(route)


@app.task(running_concurrency=CC.KEYS, key_arguments=("labels",), reroute_on_concurrency_control=True)
def retag(labels: dict[str, str], reason: str) -> int:
    """One retag per label set at a time; callers build the dict in their own order."""
    return len(labels)


@app.task(running_concurrency=CC.KEYS, key_arguments=("order_id",), reroute_on_concurrency_control=False)
def confirm_order(order_id: UUID, channel: Channel) -> str:
    """One confirmation per order; a second one meanwhile is dropped."""
    return str(order_id)

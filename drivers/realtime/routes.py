"""How each runner slot reaches this machine's engine and provider, when a schedule faults the network.

A schedule with no network fault leaves runners on loopback, as always.  One with
a partition or a delay gives every runner slot a :class:`Route`: a
:class:`~.delay.DelayRelay` between it and the engine's server (its engine URL
rewritten to name the relay), and, for a partition, a
:class:`~.network.Link` (its own namespace, which reaches this machine only at
the link's host address, where the relay and the provider also listen).  Every
slot gets one, faulted or not, so runners differ only in what the nemesis does to
them.  The engine must be one its runners find by a URL in their configuration
(``Server.routable``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pynenc_suite.drivers.realtime.delay import DelayRelay, delay_relay
from pynenc_suite.drivers.realtime.network import Link, runner_networks
from pynenc_suite.history.model import Fault
from pynenc_suite.provider.loopback import LoopbackProvider
from pynenc_suite.schedules.realtime import NETWORK_FAULTS, RealtimeSchedule


@dataclass
class Route:
    """One runner slot's way to the engine (through ``relay``) and to the provider, inside ``link`` if any."""

    relay: DelayRelay
    link: Link | None = None

    def config(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config`` with the engine's address replaced by the relay's."""
        return {key: self.relay.url(value) if isinstance(value, str) else value for key, value in config.items()}

    def provider_url(self, provider: LoopbackProvider) -> str:
        return provider.listen_on(self.link.host_address) if self.link else provider.url

    def command(self, argv: Sequence[str]) -> list[str]:
        return self.link.command(argv) if self.link else list(argv)


def faults_network(schedule: RealtimeSchedule) -> bool:
    return any(fault.kind in NETWORK_FAULTS for fault in schedule.faults)


def upstream_of(url: str) -> tuple[str, int]:
    """The (host, port) an engine URL names."""
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"network faults need an engine URL with a host and a port, not {url!r}")
    return parts.hostname, parts.port


@contextmanager
def runner_routes(schedule: RealtimeSchedule, engine_url: str) -> Iterator[list[Route]]:
    """A route per runner slot of ``schedule`` (none if it faults no network), closed when the block ends."""
    if not faults_network(schedule):
        yield []
        return
    slots = len(schedule.runners)
    with ExitStack() as stack:
        partitioned = any(fault.kind is Fault.PARTITION for fault in schedule.faults)
        links: list[Link | None] = list(stack.enter_context(runner_networks(slots))) if partitioned else [None] * slots
        upstream = upstream_of(engine_url)
        yield [
            Route(stack.enter_context(delay_relay(upstream, link.host_address if link else "127.0.0.1")), link)
            for link in links
        ]

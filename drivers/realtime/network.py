"""A runner's own network: one namespace per runner slot, linked to this machine by a veth pair the nemesis can cut.

Each :class:`Link` is an anonymous Linux network namespace, held open by a
``sleep`` that dies with the process that made it (``setpriv --pdeathsig KILL``),
and a veth pair: ``host_address`` on this machine's side, ``runner_address`` in
the namespace.  A runner started with :meth:`Link.command` reaches this machine
(the engine's server, the provider) only through the pair: :meth:`Link.cut`
takes this side down (every packet dropped, connections left half open, the
runner alive and working), :meth:`Link.heal` brings it back.  Nothing outside
the pair is touched: the addresses come from ``10.213.0.0/16``, a /24 per link
that no interface of this machine holds, and the pair goes with its namespace
when the holder dies, also when the test process is killed.

Needs root (``CAP_NET_ADMIN`` and ``CAP_SYS_ADMIN``) and iproute2's ``ip`` plus
util-linux's ``unshare``, ``nsenter`` and ``setpriv``: :func:`unavailable` says in
one line what is missing.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

SUBNETS = ipaddress.IPv4Network("10.213.0.0/16")
HOST_PREFIX = "pns"  # this side's interface names: pns<pid>s<slot> (at most 15 characters)
TOOLS = ("ip", "unshare", "nsenter", "setpriv")


class NetworkUnavailable(Exception):
    """Runner namespaces cannot be made here; ``str()`` is one line saying why."""


def unavailable() -> str | None:
    """Why runner namespaces cannot be made on this machine, or None if they can."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"network faults need {', '.join(missing)} (Debian: iproute2, util-linux)"
    if os.geteuid() != 0:
        return "network faults need root (network namespaces and veth pairs)"
    return None


def _ip(*arguments: str, namespace: int | None = None) -> None:
    command = (
        ["ip", *arguments] if namespace is None else ["nsenter", f"--net=/proc/{namespace}/ns/net", "ip", *arguments]
    )
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise NetworkUnavailable(f"{' '.join(command)}: {result.stderr.strip() or result.returncode}")


@dataclass
class Link:
    """One runner slot's namespace and its veth pair."""

    slot: int
    holder: subprocess.Popen
    host_side: str
    host_address: str
    runner_address: str

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside this link's namespace."""
        return ["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "--", *argv]

    def cut(self) -> None:
        """Drop every packet between the runner and this machine; its connections stay open, unanswered."""
        _ip("link", "set", self.host_side, "down")

    def heal(self) -> None:
        _ip("link", "set", self.host_side, "up")

    def close(self) -> None:
        """The namespace goes with its holder, and the veth pair with the namespace (the kernel removes them a
        moment later: wait until this side's interface is gone, so nothing is left when the block ends)."""
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()
        for _ in range(500):
            if not os.path.exists(f"/sys/class/net/{self.host_side}"):
                return
            time.sleep(0.01)


def _free_subnets(count: int) -> Iterator[ipaddress.IPv4Network]:
    """/24s of ``SUBNETS`` that no interface of this machine holds an address in."""
    listing = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=True).stdout
    held = {ipaddress.ip_interface(word).network for line in listing.splitlines() for word in line.split()[3:4]}
    found = 0
    for subnet in SUBNETS.subnets(new_prefix=24):
        if found == count:
            return
        if not any(subnet.overlaps(network) for network in held):
            found += 1
            yield subnet


def _host_side_prefix(pid: int) -> str:
    return f"{HOST_PREFIX}{pid % 100000}s"


def interfaces_of(pid: int) -> set[str]:
    """This machine's side of the links process ``pid`` made and that still exist."""
    return {name for name in os.listdir("/sys/class/net") if name.startswith(_host_side_prefix(pid))}


def _link(slot: int, subnet: ipaddress.IPv4Network) -> Link:
    holder = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--", "unshare", "--net", "--", "sleep", "infinity"])
    host_side = f"{_host_side_prefix(os.getpid())}{slot}"[:15]
    host, runner = (str(address) for address in list(subnet.hosts())[:2])
    link = Link(slot, holder, host_side, host, runner)
    try:
        _wait_for_namespace(holder)
        _ip("link", "add", host_side, "type", "veth", "peer", "name", "eth0", "netns", str(holder.pid))
        _ip("addr", "add", f"{host}/24", "dev", host_side)
        _ip("link", "set", host_side, "up")
        _ip("link", "set", "lo", "up", namespace=holder.pid)
        _ip("addr", "add", f"{runner}/24", "dev", "eth0", namespace=holder.pid)
        _ip("link", "set", "eth0", "up", namespace=holder.pid)
    except BaseException:
        link.close()
        raise
    return link


def _wait_for_namespace(holder: subprocess.Popen) -> None:
    """Until ``unshare`` has made the namespace and become ``sleep`` (its own namespace, not this one's)."""
    mine = os.readlink("/proc/self/ns/net")
    for _ in range(500):
        if holder.poll() is not None:
            raise NetworkUnavailable(f"unshare --net exited with status {holder.returncode}")
        try:
            if os.readlink(f"/proc/{holder.pid}/ns/net") != mine:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise NetworkUnavailable("unshare --net did not make a namespace within 5 s")


@contextmanager
def runner_networks(slots: int) -> Iterator[list[Link]]:
    """``slots`` links, one per runner slot, removed when the block ends (and when this process dies)."""
    reason = unavailable()
    if reason:
        raise NetworkUnavailable(reason)
    links: list[Link] = []
    try:
        for slot, subnet in zip(range(slots), _free_subnets(slots), strict=False):
            links.append(_link(slot, subnet))
        if len(links) < slots:
            raise NetworkUnavailable(f"no free /24 left in {SUBNETS}")
        yield links
    finally:
        for link in links:
            link.close()

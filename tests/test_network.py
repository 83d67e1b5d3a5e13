"""Runner namespaces: reachable through their link, cut and healed, and gone with the process that made them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pynenc_suite.drivers.realtime.delay import delay_relay
from pynenc_suite.drivers.realtime.network import Link, interfaces_of, runner_networks, unavailable
from pynenc_suite.drivers.realtime.routes import upstream_of
from pynenc_suite.engines.redis_server import redis_server
from pynenc_suite.provider.loopback import LoopbackProvider

pytestmark = pytest.mark.skipif(bool(unavailable()), reason=unavailable() or "")

CONNECT = textwrap.dedent("""
    import socket, sys
    try:
        with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.0) as s:
            s.sendall(b"ping")
            print(s.recv(4).decode())
    except OSError as error:
        print(type(error).__name__)
""")


def _echo_server(address: str) -> Iterator[int]:
    with socket.socket() as server:
        server.bind((address, 0))
        server.listen()

        def serve() -> None:
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                with client:
                    client.sendall(client.recv(4))

        threading.Thread(target=serve, daemon=True).start()
        yield server.getsockname()[1]


def _connect(link: Link, address: str, port: int) -> str:
    command = link.command([sys.executable, "-c", CONNECT, address, str(port)])
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout.strip()


def test_a_runner_reaches_this_machine_through_its_link_only_and_a_cut_drops_it_until_healed() -> None:
    with runner_networks(2) as links:
        assert len({link.host_address for link in links}) == 2
        for link in links:
            for port in _echo_server(link.host_address):
                assert _connect(link, link.host_address, port) == "ping"
                assert (
                    _connect(link, "127.0.0.1", port) == "ConnectionRefusedError"
                )  # this machine's loopback is not its
                link.cut()
                assert _connect(link, link.host_address, port) == "TimeoutError"
                link.heal()
                assert _connect(link, link.host_address, port) == "ping"
    assert not interfaces_of(os.getpid())


MAKES_LINKS = textwrap.dedent("""
    import sys, time
    from pynenc_suite.drivers.realtime.network import runner_networks
    with runner_networks(2) as links:
        print(" ".join(str(link.holder.pid) for link in links), flush=True)
        time.sleep(600)
""")


def test_a_killed_process_leaves_no_namespace_or_interface() -> None:
    maker = subprocess.Popen([sys.executable, "-c", MAKES_LINKS], stdout=subprocess.PIPE, text=True)
    assert maker.stdout is not None
    holders = [int(pid) for pid in maker.stdout.readline().split()]
    assert len(holders) == 2 and len(interfaces_of(maker.pid)) == 2
    maker.send_signal(signal.SIGKILL)
    maker.wait()
    deadline = time.monotonic() + 10
    while interfaces_of(maker.pid) or any(Path(f"/proc/{pid}").exists() for pid in holders):
        assert time.monotonic() < deadline, f"left behind: {interfaces_of(maker.pid)}, holders {holders}"
        time.sleep(0.1)


REDIS_PING = textwrap.dedent("""
    import sys, redis
    try:
        print(redis.Redis.from_url(sys.argv[1], socket_timeout=1.0, socket_connect_timeout=1.0).ping())
    except redis.RedisError as error:
        print(type(error).__name__)
""")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_runner_in_its_namespace_reaches_the_suites_redis_server_until_cut() -> None:
    with (
        redis_server() as url,
        runner_networks(1) as (link,),
        delay_relay(upstream_of(url), link.host_address) as relay,
    ):
        through_link = relay.url(url)

        def ping() -> str:
            command = link.command([sys.executable, "-c", REDIS_PING, through_link])
            return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout.strip()

        assert ping() == "True"
        link.cut()
        assert ping() == "TimeoutError"
        link.heal()
        assert ping() == "True"


HTTP_GET = textwrap.dedent("""
    import sys, urllib.request, urllib.error
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1.0)
        print("answered")
    except urllib.error.HTTPError:
        print("answered")
    except OSError as error:
        print(type(getattr(error, "reason", error)).__name__)
""")


def test_a_runner_in_its_namespace_reaches_the_provider_through_its_link() -> None:
    with LoopbackProvider().serving() as provider, runner_networks(1) as (link,):
        through_link = provider.listen_on(link.host_address)
        assert link.host_address in through_link

        def get() -> str:
            command = link.command([sys.executable, "-c", HTTP_GET, through_link])
            return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout.strip()

        assert get() == "answered"
        link.cut()
        assert get() in ("TimeoutError", "timeout")

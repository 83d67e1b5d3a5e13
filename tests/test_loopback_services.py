"""The suite's own services: the loopback provider, and the redis-server and RabbitMQ nodes it starts.

The provider must tell a caller that died mid-call (its socket closed) from a
call that was answered, because the overlap checker's intervals end where the
caller stopped existing.  Server problems a user can cause give one line.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pynenc_suite.engines.rabbitmq_server import PACKAGE_SCRIPT as RABBITMQ_SCRIPT
from pynenc_suite.engines.rabbitmq_server import RabbitMqUnavailable, rabbitmq_server
from pynenc_suite.engines.rabbitmq_server import check_reachable as rabbitmq_check_reachable
from pynenc_suite.engines.redis_server import RedisUnavailable, check_reachable, redis_server
from pynenc_suite.provider.client import INVOCATION_HEADER, PGID_HEADER, PID_HEADER, RUNNER_HEADER
from pynenc_suite.provider.loopback import LoopbackProvider


def test_answered_call_is_recorded_with_its_caller_and_interval() -> None:
    provider = LoopbackProvider(default_hold=0.0)
    with provider.serving():
        provider.hold_for["inv-1"] = 0.2
        headers = {INVOCATION_HEADER: "inv-1", RUNNER_HEADER: "run-1", PID_HEADER: "42", PGID_HEADER: "40"}
        response = httpx.post(f"{provider.url}/call/acct%201/op", headers=headers, timeout=5)
    assert response.json()["account"] == "acct 1"
    (call,) = provider.calls
    assert (call.invocation_id, call.runner_id, call.pid, call.pgid, call.outcome) == ("inv-1", "run-1", 42, 40, "ok")
    assert call.end is not None and call.end - call.start >= 0.2


def _open_call(provider: LoopbackProvider, account: str) -> socket.socket:
    """Start a call over a raw socket and wait until the provider has it in flight."""
    host, port = provider.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)))
    connection.sendall(f"POST /call/{account}/op HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
    deadline = time.monotonic() + 5
    while not provider.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    return connection


def test_caller_that_disconnects_mid_call_ends_it_aborted_at_once() -> None:
    provider = LoopbackProvider(default_hold=30.0)
    with provider.serving():
        _open_call(provider, "a").close()
        deadline = time.monotonic() + 5
        while provider.calls[0].end is None and time.monotonic() < deadline:
            time.sleep(0.01)
    (call,) = provider.calls
    assert call.outcome == "aborted"
    assert call.end is not None and call.end - call.start < 5  # far less than the 30 s hold


def test_second_call_for_an_account_in_flight_is_a_collision() -> None:
    provider = LoopbackProvider(default_hold=30.0)
    with provider.serving():
        first = _open_call(provider, "a")
        provider.hold_for["inv-2"] = 0.0
        httpx.post(f"{provider.url}/call/a/op", headers={INVOCATION_HEADER: "inv-2"}, timeout=5)
        first.close()
    assert [c.collided for c in provider.calls] == [False, True]


def test_unreachable_redis_is_one_line() -> None:
    with pytest.raises(RedisUnavailable) as error:
        check_reachable("redis://127.0.0.1:9", timeout=0.5)
    assert "\n" not in str(error.value) and "127.0.0.1:9" in str(error.value)


def test_missing_redis_server_binary_says_what_to_install() -> None:
    with pytest.raises(RedisUnavailable) as error, redis_server(binary="no-such-redis-server"):
        pass
    assert "apt-get install redis-server" in str(error.value)


def test_state_errors_are_read_from_a_runner_log_with_their_time() -> None:
    from datetime import UTC, datetime

    from pynenc_suite.drivers.realtime.driver import logged_state_errors

    log = (
        "2026-11-28 11:43:36.055+00:00 \x1b[31mERROR   \x1b[0m pynenc.app [PPR(6c).PPRW(44)] worker:44 error: "
        "InvocationStatusTransitionError(from_status:retry, to_status:concurrency_controlled)\n"
        "2026-11-28 11:43:36.062+00:00 WARNING  pynenc.app Could not reroute: InvocationStatusTransitionError(x)\n"
        "    raise InvocationStatusTransitionError(\n"
    )
    ((when, message),) = logged_state_errors(log)
    assert when == datetime(2026, 11, 28, 11, 43, 36, 55000, tzinfo=UTC).timestamp()
    assert message.startswith("InvocationStatusTransitionError(from_status:retry")


def test_an_untimed_traceback_takes_the_time_of_the_next_log_line() -> None:
    from datetime import UTC, datetime

    from pynenc_suite.drivers.realtime.driver import logged_state_errors

    log = (
        "Process Process-3:\nTraceback (most recent call last):\n"
        "pynenc.exceptions.InvocationStatusTransitionError: InvocationStatusTransitionError(from_status:retry)\n"
        "2026-11-28 12:23:20.531+00:00 WARNING  pynenc.app Received signal:15\n"
        "pynenc.exceptions.InvocationStatusTransitionError: InvocationStatusTransitionError(at the end)\n"
    )
    (first, last) = logged_state_errors(log, end=5.0)
    assert first == (
        datetime(2026, 11, 28, 12, 23, 20, 531000, tzinfo=UTC).timestamp(),
        "InvocationStatusTransitionError(from_status:retry)",
    )
    assert last == (5.0, "InvocationStatusTransitionError(at the end)")


def _held_server(tmp_path: Path, module: str, function: str) -> tuple[subprocess.Popen, int]:
    """A child process that starts ``module.function()``'s server and holds it; its port."""
    script = tmp_path / "hold.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        f"from pynenc_suite.engines.{module} import {function}\n"
        f"with {function}() as url:\n"
        "    print(url.rsplit(':', 1)[1], flush=True)\n"
        "    time.sleep(120)\n"
    )
    holder = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    return holder, int(holder.stdout.readline())  # type: ignore[union-attr]


def _gone_after_its_parent_is_killed(holder: subprocess.Popen, port: int, within: float) -> None:
    holder.kill()
    holder.wait()
    deadline = time.monotonic() + within
    while _accepts(port):
        assert time.monotonic() < deadline, f"a server still listens on {port} after its parent was killed"
        time.sleep(0.1)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_redis_server_goes_when_the_test_process_is_killed(tmp_path) -> None:
    """A SIGKILLed test session must not leave a redis-server listening on the machine."""
    holder, port = _held_server(tmp_path, "redis_server", "redis_server")
    _gone_after_its_parent_is_killed(holder, port, within=10)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_missing_rabbitmq_server_says_what_to_install() -> None:
    with pytest.raises(RabbitMqUnavailable) as error, rabbitmq_server(binary="no-such-rabbitmq-server"):
        pass
    assert "\n" not in str(error.value) and "apt-get install rabbitmq-server" in str(error.value)


def test_unreachable_rabbitmq_is_one_line() -> None:
    with pytest.raises(RabbitMqUnavailable) as error:
        rabbitmq_check_reachable("amqp://127.0.0.1:9", timeout=0.5)
    assert "\n" not in str(error.value) and "127.0.0.1:9" in str(error.value)


def _listening(pids: set[int]) -> set[str]:
    """Local addresses of the listening TCP sockets of ``pids`` (``ss -ltnp``)."""
    table = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    return {line.split()[3] for line in table.splitlines() if any(f"pid={pid}," in line for pid in pids)}


def _descendants(root: int) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        children = Path(f"/proc/{frontier.pop()}/task")
        for task in children.glob("*/children") if children.exists() else ():
            for child in map(int, task.read_text().split()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
    return found


@pytest.mark.skipif(not Path(RABBITMQ_SCRIPT).exists() or shutil.which("ss") is None,
                    reason="rabbitmq-server (or ss) is not installed")  # fmt: skip
def test_a_rabbitmq_node_listens_on_loopback_only_and_goes_when_the_test_process_is_killed(tmp_path) -> None:
    """Its AMQP port, Erlang distribution port and epmd bind 127.0.0.1 (or ::1); a SIGKILLed session leaves none."""
    holder, port = _held_server(tmp_path, "rabbitmq_server", "rabbitmq_server")
    addresses = _listening(_descendants(holder.pid) - {holder.pid})
    assert f"127.0.0.1:{port}" in addresses and len(addresses) >= 2, addresses  # AMQP and the distribution port
    assert all(a.startswith(("127.0.0.1:", "[::1]:")) for a in addresses), addresses
    _gone_after_its_parent_is_killed(holder, port, within=30)

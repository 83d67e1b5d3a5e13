"""A real RabbitMQ node for one process: loopback ports only, its own data folder, stopped afterwards.

Debian's ``rabbitmq-server`` wrapper switches to the ``rabbitmq`` user and writes
under /var; the node here is started from the package's own script
(``/usr/lib/rabbitmq/bin/rabbitmq-server``) with every path, the node name, the
AMQP port, the Erlang distribution port and a private ``epmd`` moved into a
temporary folder and onto 127.0.0.1.  A node takes about 8 seconds to accept
connections.  If the package is missing or the node does not answer,
:class:`RabbitMqUnavailable` says so in one line; so does :func:`check_reachable`
for a server at a given URL.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from pynenc_suite.engines.server import EngineUnavailable, dies_with, free_port, wait_until_up

PACKAGE_SCRIPT = "/usr/lib/rabbitmq/bin/rabbitmq-server"
START_TIMEOUT = 90.0
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"


class RabbitMqUnavailable(EngineUnavailable):
    """No usable RabbitMQ; ``str()`` is the one-line reason and what to do."""


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5672


def check_reachable(url: str, timeout: float = 3.0) -> None:
    """Raise :class:`RabbitMqUnavailable` unless an AMQP 0-9-1 server answers the protocol header at ``url``."""
    host, port = host_and_port(url)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(AMQP_HEADER)
            if not connection.recv(8):
                raise OSError("the server closed the connection")
    except OSError as error:
        raise RabbitMqUnavailable(f"RabbitMQ at {url} is not reachable ({type(error).__name__}: {error})") from None


def _script(binary: str | None) -> str:
    found = binary if binary is not None else (PACKAGE_SCRIPT if os.path.exists(PACKAGE_SCRIPT) else None)
    found = shutil.which(found) if found else None
    if found is None:
        raise RabbitMqUnavailable(f"{binary or PACKAGE_SCRIPT!r} is not installed: apt-get install rabbitmq-server "
                                  "(Debian)")  # fmt: skip
    return found


def _environment(folder: Path, amqp: int, distribution: int, epmd: int) -> dict[str, str]:
    (folder / "enabled_plugins").write_text("[].\n")
    loopback = "-kernel inet_dist_use_interface {127,0,0,1}"
    return {
        **os.environ,
        "HOME": str(folder),  # the Erlang cookie
        "RABBITMQ_CONF_ENV_FILE": "/dev/null",
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_NODENAME": f"pynenc-suite-{amqp}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(amqp),
        "RABBITMQ_DIST_PORT": str(distribution),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_EPMD_PORT": str(epmd),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_PID_FILE": str(folder / "node.pid"),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": loopback,
        "RABBITMQ_CTL_ERL_ARGS": loopback,
    }


@contextmanager
def rabbitmq_server(binary: str | None = None) -> Iterator[str]:
    """Start a RabbitMQ node on 127.0.0.1 and yield its URL (``amqp://127.0.0.1:PORT``)."""
    script = _script(binary)
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-rabbitmq-") as name:
        folder = Path(name)
        amqp, distribution, epmd = free_port(), free_port(), free_port()
        log = folder / "node.out"
        env = _environment(folder, amqp, distribution, epmd)
        with log.open("w") as out:
            # The node's own epmd would daemonize and outlive a killed session: this one is a child that dies with it.
            names = subprocess.Popen([_epmd(), "-port", str(epmd), "-address", "127.0.0.1"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=dies_with(os.getpid()))  # fmt: skip
            process = subprocess.Popen([script], env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                       preexec_fn=dies_with(os.getpid()))  # fmt: skip
        url = f"amqp://127.0.0.1:{amqp}"
        try:
            wait_until_up("rabbitmq-server", url, process, log, lambda u: check_reachable(u, timeout=0.5), START_TIMEOUT,
                          RabbitMqUnavailable)  # fmt: skip
            yield url
        finally:
            _stop(process, group=True)
            _stop(names, group=False)


def _epmd() -> str:
    """Erlang's port mapper, from PATH or beside the Erlang runtime Debian installs."""
    found = shutil.which("epmd") or next(iter(sorted(Path("/usr/lib/erlang").glob("erts-*/bin/epmd"))), None)
    if found is None:
        raise RabbitMqUnavailable("epmd (Erlang's port mapper) is not installed: apt-get install rabbitmq-server")
    return str(found)


def _stop(process: subprocess.Popen, group: bool) -> None:
    """SIGTERM the process (with ``group``, its whole process group: the node's wrapper and Erlang VM), then
    SIGKILL if it has not gone."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue

"""How task bodies reach the provider: ``POST {base}/call/{account_id}/{op}`` over httpx.

The client tags every request with the pynenc invocation that sent it, so the
provider's record can be tied to the invocation that made the call.  In the
deterministic gate the base URL is served in memory by respx; in real-engine
runs it is a loopback HTTP server.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import httpx
from pynenc import context

PROVIDER_URL_ENV = "PYNENC_SUITE_PROVIDER_URL"
DEFAULT_PROVIDER_URL = "http://provider.test"
INVOCATION_HEADER = "x-pynenc-invocation"
RUNNER_HEADER = "x-pynenc-runner"
PID_HEADER = "x-caller-pid"
PGID_HEADER = "x-caller-pgid"

_client: httpx.Client | None = None
_client_pid = 0


def provider_url() -> str:
    return os.environ.get(PROVIDER_URL_ENV, DEFAULT_PROVIDER_URL)


def _http() -> httpx.Client:
    """One client per process: a forked worker must not share its parent's connections."""
    global _client, _client_pid
    if _client is None or _client_pid != os.getpid():
        _client, _client_pid = httpx.Client(base_url=provider_url(), timeout=30.0), os.getpid()
    return _client


def current_invocation_id(app_id: str) -> str:
    invocation = context.get_dist_invocation_context(app_id)
    return str(invocation.invocation_id) if invocation is not None else ""


def current_runner_id(app_id: str) -> str:
    runner = context.get_runner_context(app_id)
    return str(runner.runner_id) if runner is not None else ""


def caller_headers(app_id: str) -> dict[str, str]:
    """Who is calling: the invocation, the pynenc runner, the OS process and its process group."""
    return {
        INVOCATION_HEADER: current_invocation_id(app_id),
        RUNNER_HEADER: current_runner_id(app_id),
        PID_HEADER: str(os.getpid()),
        PGID_HEADER: str(os.getpgid(0)),
    }


def call_provider(app_id: str, account_id: object, op: object) -> dict:
    """Make one provider call for ``account_id`` and return its JSON answer; raise on HTTP errors."""
    path = f"/call/{quote(str(account_id), safe='')}/{quote(str(op), safe='')}"
    response = _http().post(path, headers=caller_headers(app_id))
    response.raise_for_status()
    return response.json()

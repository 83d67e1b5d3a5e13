"""Candidate fix of pynenc-redis's status transition (PYN-015): read, validate and write as one compare-and-set.

pynenc-redis 0.3.0 reads an invocation's status record, validates the transition in
Python, then writes it in a MULTI/EXEC that does not check the record is still the
one it read.  A write landing in between (a runner starting the invocation while a
recovery sweep marks it) is overwritten, and the invocation is left in two status
sets.  The change a pull request would make: WATCH the record, and retry the
read-validate-write when another client changed it (Redis's optimistic locking).
Without pynenc-redis installed the fix has nothing to change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pynenc_suite.findings.fixes import replaced

TRANSITION_DIGEST = "86fd3db18d830cfd"


def _watched_transition(self: Any, invocation_id: str, status: Any, runner_id: str | None = None) -> Any:
    import redis
    from pynenc.invocation.status import status_record_transition

    record_key = self.key.invocation_to_status(invocation_id)
    with self.client.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(record_key)
                current = self.get_invocation_status_record(invocation_id)
                new = status_record_transition(current, status, runner_id)
                pipe.multi()
                pipe.srem(self.key.status_to_invocations(current.status), invocation_id)
                pipe.sadd(self.key.status_to_invocations(new.status), invocation_id)
                pipe.set(record_key, json.dumps(new.to_json()))
                pipe.execute()
                return new
            except redis.WatchError:
                continue  # another client wrote the record since it was read: read and validate again


@contextmanager
def redis_status_transition_checked() -> Iterator[None]:
    """PYN-015: pynenc-redis's ``_atomic_status_transition`` writes only over the record it validated."""
    try:
        from pynenc_redis.orchestrator.redis_orchestrator import RedisOrchestrator
    except ImportError:
        yield
        return
    with replaced("PYN-015", RedisOrchestrator, "_atomic_status_transition", TRANSITION_DIGEST, _watched_transition):
        yield

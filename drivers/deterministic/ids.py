"""Sequential invocation ids (00000000-...-000000000001, ...): stable ids make set iteration order stable."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pynenc.identifiers.invocation_id as invocation_id_module


@contextmanager
def sequential_invocation_ids() -> Iterator[None]:
    counter = itertools.count(1)

    class SequentialUUID:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(int=next(counter))

    real = invocation_id_module.uuid
    invocation_id_module.uuid = SequentialUUID  # type: ignore[assignment]  # stands in for the module: pynenc calls uuid4 only
    try:
        yield
    finally:
        invocation_id_module.uuid = real

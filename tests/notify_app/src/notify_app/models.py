"""The service's own types, as its producers build them."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict


class UserRef(BaseModel):
    """A user of a tenant; most users live in the EU region."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    user_id: int
    region: str = "eu"


class Channel(IntEnum):
    EMAIL = 1
    SMS = 2
    PUSH = 3


class Route(NamedTuple):
    """The callers' name for a (sender, recipient) pair."""

    sender: str
    recipient: str

"""How a test of the suite says that pynenc broke a property: :class:`PropertyViolation`, and nothing else.

A test of the suite fails in one of two ways.  Either pynenc violated a property
of the contract, and the test raises :class:`PropertyViolation` with the proof
(exit status 1; a recorded finding's strict xfail expects exactly this type), or
anything else went wrong (the suite's own machinery, a user's normaliser, a
timeout), and the session ends as an error of the suite (exit status 3), never
as a failed property, never as a known finding.
"""

from __future__ import annotations

from collections.abc import Callable


class PropertyViolation(AssertionError):
    """pynenc broke a property of the contract; ``str()`` is the proof."""


class KnownFindingViolation(PropertyViolation):
    """The violation is a recorded pynenc finding's, by its signature: what that finding's strict xfail expects.
    A violation without the signature stays a plain :class:`PropertyViolation`, which such an xfail does not
    expect, so a known finding never hides a new defect."""


def require(holds: object, proof: str | Callable[[], str]) -> None:
    """Raise :class:`PropertyViolation` with ``proof`` (a text, or what makes it) unless ``holds`` is true."""
    if not holds:
        raise PropertyViolation(proof() if callable(proof) else proof)

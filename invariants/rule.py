"""The one rule registry: a rule is its checker, the policies it binds, and how real time adjudicates it.

A rule module defines its checker and registers it with :func:`rule`::

    @rule("no-overlap", applies_to=controls_running, adjudicate=overlap_adjudication)
    def check(history: History) -> list[Violation]: ...

The gate runs a rule on every task its ``applies_to`` accepts; the real-time tier
asks its ``adjudicate`` whether the record decides each violation.  Every module
of this package is imported when the package is, so a rule is one module with
one decorator.  A rule name nobody registered is an error wherever it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pynenc_suite.history.model import History, TaskPolicy, Violation
from pynenc_suite.invariants.adjudication import Adjudicator

Checker = Callable[[History], list[Violation]]
AppliesTo = Callable[[TaskPolicy], bool]


@dataclass(frozen=True)
class Rule:
    name: str
    check: Checker
    applies_to: AppliesTo
    adjudicate: Adjudicator


RULES: dict[str, Rule] = {}


class UnknownRule(KeyError):
    """A rule name no module registered."""


def rule(name: str, *, applies_to: AppliesTo, adjudicate: Adjudicator) -> Callable[[Checker], Checker]:
    """Register the decorated checker as rule ``name``."""

    def register(check: Checker) -> Checker:
        if name in RULES:
            raise ValueError(f"rule {name!r} is registered twice ({RULES[name].check.__module__}, {check.__module__})")
        RULES[name] = Rule(name, check, applies_to, adjudicate)
        return check

    return register


def get(name: str) -> Rule:
    if name not in RULES:
        raise UnknownRule(f"unknown rule {name!r}; known: {', '.join(sorted(RULES))}")
    return RULES[name]


def check(name: str, history: History) -> list[Violation]:
    return get(name).check(history)


def check_all(history: History, names: Iterable[str] | None = None) -> list[Violation]:
    """Run the named rules (default: all, in registration order) and return their violations, rule by rule."""
    rules = list(RULES.values()) if names is None else [get(n) for n in names]
    return [v for r in rules for v in r.check(history)]


# What a rule's ``applies_to`` usually says.
def always(policy: TaskPolicy) -> bool:
    return True


def controls_running(policy: TaskPolicy) -> bool:
    return policy.controls_running


def controls_registration(policy: TaskPolicy) -> bool:
    return policy.controls_registration


def reroutes(policy: TaskPolicy) -> bool:
    return policy.controls_running and policy.reroute

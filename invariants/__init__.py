"""The contract's rules: pure checkers over a recorded :class:`~pynenc_suite.history.model.History`.

One module per rule, each registered with :func:`~.rule.rule` (its checker, the
policies it binds, how the real-time tier adjudicates it).  Every module of this
package is imported here, so a rule module cannot be left out.  The rules import
nothing of the suite's but the history model.
"""

from __future__ import annotations

import importlib
import pkgutil

from pynenc_suite.history.model import History, Violation
from pynenc_suite.invariants.adjudication import DEFAULT_MARGIN, Facts, Verdict
from pynenc_suite.invariants.rule import RULES, Rule, UnknownRule, check, check_all, get

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def adjudicate(history: History, violations: list[Violation], margin: float = DEFAULT_MARGIN) -> list[Verdict]:
    """Each violation with its real-time verdict: decided, or unknown with the reason the record cannot decide it."""
    facts = Facts(history, margin)
    verdicts = []
    for violation in violations:
        judgement = get(violation.rule).adjudicate(facts, violation)
        verdicts.append(Verdict(violation) if judgement is None else Verdict(violation, *judgement))
    return verdicts


__all__ = ["RULES", "Rule", "UnknownRule", "Verdict", "adjudicate", "check", "check_all", "get"]

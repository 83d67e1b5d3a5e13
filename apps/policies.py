"""Check a pynenc task's concurrency options: reject what pynenc accepts but cannot enforce.

Reading the options (``policy_of``, ``task_name``) is the recorder's (``pynenc_suite.recorder.policies``).
"""

from __future__ import annotations

import inspect
from typing import Any

from pynenc_suite.history.model import Mode
from pynenc_suite.recorder.policies import policy_of, task_name


class PolicyError(ValueError):
    """A task's concurrency options cannot work; the message says why in one line."""


def validate(task: Any) -> None:
    """Reject options pynenc would accept but cannot enforce (KEYS naming no parameter, no keys)."""
    policy = policy_of(task)
    uses_keys = Mode.KEYS in (policy.running, policy.registration)
    if not uses_keys:
        return
    name = task_name(task)
    if not policy.key_arguments:
        raise PolicyError(f"task {name!r} uses KEYS concurrency but key_arguments is empty")
    params = inspect.signature(task.func).parameters
    missing = [k for k in policy.key_arguments if k not in params]
    if missing:
        raise PolicyError(f"task {name!r}: key_arguments {missing} name no parameter of {name}({', '.join(params)})")
    variadic = [k for k in policy.key_arguments if params[k].kind in (params[k].VAR_POSITIONAL, params[k].VAR_KEYWORD)]
    if variadic:
        signature = ", ".join(str(p) for p in params.values())
        raise PolicyError(
            f"task {name!r}: key_arguments {variadic} name a variadic parameter of {name}({signature}); "
            "a key must be a named parameter, so every call passes it"
        )

"""Entry point of one runner process in a real-time run: ``python -m harness.runner_process APP``.

It loads the app named ``package.module:attribute`` (task bodies replaced by
recording probes for a user's app, as in the gate) and runs its configured
runner (``app.runner.run()``), exactly what pynenc's ``pynenc runner start``
does.  The engine, the runner class and the shortened recovery settings arrive
as ``PYNENC__*`` environment variables, so every worker process the runner
spawns sees the same configuration.  A mistake in the app path exits with one
line on stderr and status 2.
"""

from __future__ import annotations

import sys

from harness.target import TargetError, load


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m harness.runner_process package.module:app", file=sys.stderr)
        return 2
    try:
        target = load(argv[0])
    except TargetError as error:
        print(f"runner process: {error}", file=sys.stderr)
        return 2
    runner = target.app.runner
    # pynenc stores a runner's context (its pid) only when the runner first writes a status;
    # the driver needs it earlier to know the runner is up and which process it is.
    target.app.state_backend.store_runner_context(runner.runner_context)
    with target.probes():
        runner.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

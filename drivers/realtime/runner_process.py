"""Entry point of one runner process in a real-time run: ``python -m pynenc_suite.drivers.realtime.runner_process APP``.

It loads the app named ``package.module:attribute`` (task bodies replaced by
recording probes for a user's app, as in the gate) and runs its configured
runner (``app.runner.run()``), exactly what pynenc's ``pynenc runner start``
does.  The engine, the runner class and the shortened recovery settings arrive
as ``PYNENC__*`` environment variables, so every worker process the runner
spawns sees the same configuration.  A mistake in the app path exits with one
line on stderr and status 2.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from pynenc_suite.apps.target import TargetError, load

ORPHAN_CHECK_SECONDS = 0.5
PARENT_PID_ENV = "PYNENC_SUITE_PARENT_PID"


def exit_with_parent() -> None:
    """Kill this runner's whole process group once the test process that started it is gone.

    Runner processes live in their own session (so the nemesis can signal a runner and its
    workers together); without this, a test run killed from outside would leave them running.
    The driver names its pid in ``PYNENC_SUITE_PARENT_PID``: comparing with that, not with the
    parent seen at start-up, also catches a test process that died while this one was starting.
    """
    parent = int(os.environ.get(PARENT_PID_ENV) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m pynenc_suite.drivers.realtime.runner_process package.module:app", file=sys.stderr)
        return 2
    try:
        target = load(argv[0])
    except TargetError as error:
        print(f"runner process: {error}", file=sys.stderr)
        return 2
    exit_with_parent()
    runner = target.app.runner
    # pynenc stores a runner's context (its pid) only when the runner first writes a status;
    # the driver needs it earlier to know the runner is up and which process it is.
    target.app.state_backend.store_runner_context(runner.runner_context)
    with target.probes():
        runner.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

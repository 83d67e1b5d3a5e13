"""Candidate fixes of recorded findings: the change a pull request to pynenc would make, applied in-process.

A strict xfail that reproduces a finding is only worth keeping if it can pass:
each fix here makes its finding's reproduction pass, which the suite shows.
"""

from __future__ import annotations

import threading

HEARTBEAT_SECONDS = 0.2


def multithread_stop_keeps_heartbeats() -> None:
    """PYN-012: a stopping MultiThreadRunner keeps reporting its live workers as alive.

    pynenc stops the workers one by one from the signal handler, which blocks the main
    loop that sends their heartbeats; here a thread keeps sending them until the stop ends.
    """
    from pynenc.runner.multi_thread_runner import MultiThreadRunner

    stop_workers = MultiThreadRunner._on_stop_runner_loop

    def stop_workers_vouching(self: MultiThreadRunner) -> None:
        done = threading.Event()

        def vouch() -> None:
            while not done.wait(HEARTBEAT_SECONDS):
                self._report_child_runner_heartbeats()

        voucher = threading.Thread(target=vouch, name="vouch-for-workers", daemon=True)
        voucher.start()
        try:
            stop_workers(self)
        finally:
            done.set()
            voucher.join()

    MultiThreadRunner._on_stop_runner_loop = stop_workers_vouching  # type: ignore[method-assign]

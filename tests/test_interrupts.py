"""A Ctrl-C that Python drops (raised inside a finalizer) is raised again at the next check."""

from __future__ import annotations

import signal

import pytest

from pynenc_suite import interrupts


class _Finalized:
    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)
        for _ in range(1000):  # the handler runs inside the finalizer: Python prints the interrupt and goes on
            pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped interrupt, on purpose
def test_a_ctrl_c_dropped_in_a_finalizer_is_raised_again() -> None:
    before = signal.getsignal(signal.SIGINT)
    if before is not signal.default_int_handler:
        pytest.skip("this process does not use Python's default SIGINT handler (an xdist worker ignores SIGINT)")
    interrupts.check()  # nothing pressed yet: nothing raised
    interrupts.install()
    try:
        _Finalized()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    except KeyboardInterrupt:
        pytest.fail("the interrupt reached the test: the finalizer did not drop it")
    finally:
        interrupts._interrupted.clear()
        signal.signal(signal.SIGINT, before)

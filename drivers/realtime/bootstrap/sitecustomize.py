"""Imported by Python at start-up in the runner processes of a patched run (see pynenc_suite.drivers.realtime.inject)."""

from pynenc_suite.drivers.realtime.inject import apply_from_environment

apply_from_environment()

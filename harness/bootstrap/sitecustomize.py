"""Imported by Python at start-up in runner processes of a regression run (see harness.regressions)."""

from harness.regressions import apply_from_environment

apply_from_environment()

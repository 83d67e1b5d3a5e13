"""``doctor``: the pre-deployment checklist of an app."""

from __future__ import annotations

import argparse

from pynenc_suite.exit_status import FAILED, PASSED, BadInput
from pynenc_suite.options import SuiteOptions, default_artefacts


def run_doctor(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.active import REALTIME_SESSIONS, load_target
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.determinism import without_local_constants
    from pynenc_suite.doctor import examine
    from pynenc_suite.doctor.items import as_json, failed, markdown
    from pynenc_suite.tiers.tolerance import CLOCK_TOLERANCE, PARTITION_TOLERANCE, newest

    if not args.app:
        raise BadInput("doctor needs the app: pynenc-suite doctor package.module:app")
    if passthrough:
        raise BadInput(f"doctor: unknown option(s) {' '.join(passthrough)}")
    if args.expected_keys is not None and args.expected_keys < 1:
        raise BadInput("--expected-keys must be at least 1")
    try:
        chosen = SuiteOptions(app=args.app, key_normalisers=args.key_normalisers, strategies=args.strategies,
                              artefacts=args.artefacts or default_artefacts())  # fmt: skip
        target = load_target(chosen, strict=False)
    except TargetError as error:
        raise BadInput(str(error)) from None
    without_local_constants()
    sessions = chosen.artefacts / REALTIME_SESSIONS
    items = examine(target, args.expected_keys, args.max_body_seconds,
                    measured_skew=newest(sessions, target.spec, CLOCK_TOLERANCE),
                    measured_partition=newest(sessions, target.spec, PARTITION_TOLERANCE))  # fmt: skip
    print(markdown(target.spec, items))
    if args.json:
        args.json.write_text(as_json(target.spec, items) + "\n")
    return FAILED if failed(items) else PASSED

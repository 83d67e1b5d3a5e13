"""``lock``: write the policy lock, or show what changed since it was written."""

from __future__ import annotations

import argparse

from pynenc_suite.commands.tiers import chosen_app, policy_change
from pynenc_suite.exit_status import BadInput


def run_lock(args: argparse.Namespace, passthrough: list[str]) -> int:
    from pynenc_suite.policy_lock.lock_file import DEFAULT_PATH, LockError, read, snapshot, write

    path = args.lock or DEFAULT_PATH
    if not args.app:
        raise BadInput("lock needs the app: pynenc-suite lock package.module:app")
    if passthrough:
        raise BadInput(f"lock: unknown option(s) {' '.join(passthrough)}")
    chosen, target = chosen_app(args, "gate")
    if path.exists() and not args.update:
        changed = policy_change(target, path, True, chosen.artefacts, args.policy_seed, args.profile)
        if changed:
            print(changed)
            print(f"{path} differs from the app; nothing written. Accept with --update after review.")
            return 1
        print(f"{path}: up to date ({len(target.tasks)} tasks)")
        return 0
    current = snapshot(target)
    try:
        if path.exists():
            read(path, target.app.app_id)  # never overwrite another app's lock, or a file that is not a lock
    except LockError as error:
        raise BadInput(str(error)) from None
    write(path, current)
    print(f"wrote {path}: {len(current['tasks'])} tasks")
    return 0

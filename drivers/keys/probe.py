"""Child process of the key audit: compute pynenc keys for pickled values under this process's hash seed.

Usage: ``python -m pynenc_suite.drivers.keys.probe REQUEST.pickle``; prints one JSON line: a list of key lists.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

from pynenc_suite.apps.target import load
from pynenc_suite.drivers.keys.audit import KeyedArgument, keys_of, on_engine
from pynenc_suite.history.model import Mode


def main(request_path: str) -> None:
    spec, engine, jobs = pickle.loads(Path(request_path).read_bytes())
    target = load(spec, strict=False)  # it keys the tasks it is asked for; the parent checked the app
    out = []
    with on_engine(target.app, engine):
        for task_name, argument, mode, values in jobs:
            out.append(keys_of(target.tasks[task_name], KeyedArgument(task_name, argument, Mode(mode)), values))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])

"""A key failure's folder: the minimal pair, both keys, the hash seeds, and a replay that recomputes them.

``failures/keys-<task>-<argument>-<verdict>-<family>/`` holds ``meta.json``
(``"kind": "key"``, the app, engine, normaliser and strategies options, the task,
argument and mode, the verdict, the family that built the pair, each value's repr,
type, construction and key, the hash seeds' keys of a process split, the cause and
the fix), ``pair.pickle`` (the values themselves), ``replay.txt`` and ``report.html``.
``pynenc-suite replay FOLDER`` keys the saved values again with the installed
pynenc (in fresh processes with the recorded hash seeds for a process split) and
says ``reproduced:`` when the same verdict comes back, else ``did NOT reproduce``.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from pynenc_suite.artefacts import NotAnArtefact, folder_for, replay_command
from pynenc_suite.artefacts.key_page import key_page
from pynenc_suite.drivers.keys.advice import advise
from pynenc_suite.drivers.keys.equality import KeyDefect, as_json
from pynenc_suite.history.html_report import REPORT

KIND = "key"
PAIR = "pair.pickle"


def folder_of(root: Path, defect: KeyDefect) -> Path:
    """Where ``defect`` is written under the run's artefact root."""
    t = defect.target
    return folder_for(root, f"keys-{t.task}-{t.argument}-{defect.verdict}-{defect.family}")


def save(root: Path, defect: KeyDefect, *, app: str, engine: str, normalisers: str | None,
         strategies: str | None) -> Path:  # fmt: skip
    """Write ``defect``'s folder (meta.json, pair.pickle when the values pickle, replay.txt, report.html)."""
    folder = folder_of(root, defect)
    folder.mkdir(parents=True, exist_ok=True)
    advice = advise(defect)
    meta = {"kind": KIND, "app": app, "engine": engine, "normalisers": normalisers, "strategies": strategies,
            **as_json(defect), "cause": advice.cause, "fix": advice.fix, "finding": advice.finding}  # fmt: skip
    try:
        (folder / PAIR).write_bytes(pickle.dumps([side.value for side in defect.sides]))
    except Exception:  # noqa: BLE001 - a value that does not pickle is recorded by its repr only
        (folder / PAIR).unlink(missing_ok=True)
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    (folder / "replay.txt").write_text(replay_command(folder) + "\n")
    (folder / REPORT).write_text(key_page(meta, replay_command(folder)))
    return folder


def is_key_failure(folder: Path) -> bool:
    try:
        return json.loads((Path(folder) / "meta.json").read_text()).get("kind") == KIND
    except (OSError, ValueError, AttributeError):
        return False


def write_page(folder: Path) -> Path:
    """(Re)write the folder's report.html from its meta.json."""
    meta = json.loads((folder / "meta.json").read_text())
    (folder / REPORT).write_text(key_page(meta, replay_command(folder)))
    return folder / REPORT


def replay(folder: Path) -> bool:
    """Key the saved values again: True if the recorded verdict comes back (a process split: keys that still
    differ between the recorded hash seeds).  A folder without its values raises NotAnArtefact."""
    from pynenc_suite.apps.target import load, load_normalisers, load_strategies
    from pynenc_suite.drivers.keys.audit import (
        KeyedArgument,
        key_verdict,
        keyed_arguments,
        keys_in_processes,
        keys_of,
        on_engine,
        own_part,
    )
    from pynenc_suite.history.model import Mode

    meta = json.loads((folder / "meta.json").read_text())
    if not (folder / PAIR).exists():
        raise NotAnArtefact(f"{folder}: its values could not be pickled, so it cannot be replayed "
                            "(meta.json records their reprs)")  # fmt: skip
    if meta.get("strategies"):
        load_strategies(meta["strategies"])
    target = load(meta["app"], engine=meta["engine"])
    normalisers = load_normalisers(meta["normalisers"]) if meta.get("normalisers") else None
    values: list[Any] = pickle.loads((folder / PAIR).read_bytes())
    keyed = KeyedArgument(meta["task"], meta["argument"], Mode(meta["mode"]))
    print(f"replaying {folder}: app={target.spec} engine={target.engine} {keyed.task}({keyed.argument}=...) "
          f"(mode {keyed.mode.value}), recorded {meta['verdict']} ({meta['family']})")  # fmt: skip
    task = target.tasks.get(keyed.task)
    if task is None or keyed not in keyed_arguments(keyed.task, task, target.policies[keyed.task]):
        print(f"did NOT reproduce: {keyed.task}'s {keyed.mode.value} key no longer uses {keyed.argument}")
        return False
    if meta["verdict"] == "process-split":
        seeds = sorted(int(seed) for seed in meta["seeds"])
        by_seed = keys_in_processes(target.spec, [(keyed, values)], seeds, engine=target.engine)
        keys = {seed: own_part(lists[0][0], keyed.argument) for seed, lists in by_seed.items()}
        shown = "\n".join(f"  PYTHONHASHSEED {seed}: {key}" for seed, key in keys.items())
        if len(set(keys.values())) > 1:
            print(f"reproduced: {meta['sides'][0]['how']} gets {len(set(keys.values()))} keys in "
                  f"{len(keys)} processes\n{shown}")  # fmt: skip
            return True
        print(f"did NOT reproduce: {meta['sides'][0]['how']} gets one key in every process\n{shown}")
        return False
    with on_engine(target.app, target.engine):
        verdict = key_verdict(task, keyed, values, normalisers)
        keys_now = [own_part(k, keyed.argument) for k in keys_of(task, keyed, values)]
    shown = "\n".join(f"  {side['how']} -> {key}" for side, key in zip(meta["sides"], keys_now, strict=True))
    if verdict == meta["verdict"]:
        print(f"reproduced: {verdict}\n{shown}")
        return True
    print(f"did NOT reproduce: recorded {meta['verdict']}, the replay finds {verdict}\n{shown}")
    return False

"""The configuration templates: every environment variable templates/README.md lists is one pynenc reads,
with the template's value when unset and the example's when set; both templates load as apps the gate accepts.
(Booting runners from them on SQLite and Redis is `tox -e template-sqlite` / `template-redis`, in .ci/run.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ROW = re.compile(r"^\| `(PYNENC__[A-Z_]+)` \| [^|]+ \| [^|]+ \| `([^`]*)` \| `([^`]*)` \|$", re.M)

# How each variable is read back from a built app (the README says the same in words).
READERS = {
    "PYNENC__SQLITE_DB_PATH": "app.orchestrator.conf.sqlite_db_path",
    "PYNENC__REDIS_URL": "ConfigRedis(config_values=app.config_values, config_filepath=app.config_filepath).redis_url",
    "PYNENC__RUNNER_CLS": "app.conf.runner_cls",
    "PYNENC__MIN_THREADS": "app.runner.conf.min_threads",
    "PYNENC__MAX_THREADS": "app.runner.conf.max_threads",
    "PYNENC__MAX_PENDING_SECONDS": "app.conf.max_pending_seconds",
    "PYNENC__RUNNER_CONSIDERED_DEAD_AFTER_MINUTES": "app.conf.runner_considered_dead_after_minutes",
    "PYNENC__RECOVER_PENDING_INVOCATIONS_CRON": "app.conf.recover_pending_invocations_cron",
    "PYNENC__RECOVER_RUNNING_INVOCATIONS_CRON": "app.conf.recover_running_invocations_cron",
    "PYNENC__LOGGING_LEVEL": "app.conf.logging_level",
}
ONLY = {"PYNENC__SQLITE_DB_PATH": "sqlite_app", "PYNENC__REDIS_URL": "redis_app"}


def _rows() -> dict[str, tuple[str, str]]:
    return {name: (template, example) for name, template, example in ROW.findall((TEMPLATES / "README.md").read_text())}


def test_the_readme_lists_exactly_the_variables_this_test_reads() -> None:
    assert set(_rows()) == set(READERS)


def _read(module: str, env: dict[str, str], cwd: Path) -> dict[str, str]:
    """The values pynenc reads for ``module``'s app under ``env``, in a fresh process (in ``cwd``: the SQLite
    template's relative database file is created where it runs)."""
    names = [n for n in READERS if ONLY.get(n, module) == module]
    script = (
        "import json\nfrom pynenc_redis.conf.config_redis import ConfigRedis\n"
        f"from {module} import app\n"
        f"print(json.dumps({{n: str(eval(e)) for n, e in {[(n, READERS[n]) for n in names]!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYNENC__")}
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**clean, "PYTHONPATH": str(TEMPLATES), **env})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["sqlite_app", "redis_app"])
def test_every_variable_is_read_by_pynenc_with_the_templates_default_and_the_examples_override(
    module: str, tmp_path: Path
) -> None:
    rows = {n: r for n, r in _rows().items() if ONLY.get(n, module) == module}
    defaults = _read(module, {}, tmp_path)
    assert defaults == {n: _typed(template) for n, (template, _) in rows.items()}
    overridden = _read(module, {n: example.replace("/var/lib/billing", str(tmp_path)) for n, (_, example) in rows.items()},
                       tmp_path)  # fmt: skip
    assert overridden == {
        n: _typed(example.replace("/var/lib/billing", str(tmp_path))) for n, (_, example) in rows.items()
    }


def _typed(text: str) -> str:
    """How the value prints once pynenc has read it (numbers as numbers)."""
    return str(float(text)) if re.fullmatch(r"\d+\.\d+", text) else text


@pytest.mark.parametrize("spec", ["sqlite_app:app", "redis_app:app"])
def test_the_templates_load_as_apps_the_gate_accepts(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pynenc_suite.apps.target import load

    monkeypatch.syspath_prepend(str(TEMPLATES))
    target = load(spec)
    assert set(target.controlled) == {"charge", "refresh_balance"} and target.probed


def test_a_template_whose_runner_cannot_boot_fails_its_check() -> None:
    """The template check can fail: a runner class pynenc does not know (as a bad deployment variable would
    set it) stops the as-configured run with one line naming the runner, and exit status 3."""
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "realtime", "sqlite_app:app", "--engine=sqlite", "-k", "as_configured"],
        cwd=TEMPLATES, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYNENC__RUNNER_CLS": "NoSuchRunner"},
    )  # fmt: skip
    assert done.returncode == 3, done.stdout[-2000:]
    # Whichever of the two runners exits first is named.
    assert re.search(r"RunnerStartError: runner r\d \(configured\) exited", done.stdout), done.stdout[-2000:]
    assert "NoSuchRunner" in done.stdout

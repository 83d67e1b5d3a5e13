"""One pynenc release, installed into a folder of its own that a child process puts first on its import path.

Only pynenc and the dependencies its release declares go there; the suite, pytest
and Hypothesis come from the environment the command runs in.  Installing uses uv
(``pip install uv``), which resolves and links from its cache in about a second.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

PYPI_RELEASES = "https://pypi.org/pypi/{package}/json"
OLDEST = (0, 3, 0)  # the first release with the concurrency control this suite checks as it is today


class CannotInstall(Exception):
    """A release cannot be installed here; ``str()`` is the one-line reason."""


def _uv() -> str:
    try:
        from uv import find_uv_bin  # the uv wheel ships its binary and finds it

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise CannotInstall("pynenc-suite versions needs uv to install releases: pip install uv") from None
        return found


def installed(package: str, release: str, root: Path) -> Path:
    """The folder holding ``package==release`` and its dependencies (installed on first use, then reused)."""
    folder = root / f"{package}-{release}"
    done = folder / ".installed"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    command = [_uv(), "pip", "install", "--quiet", "--target", str(folder), "--python", sys.executable,
               f"{package}=={release}"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise CannotInstall(f"cannot install {package}=={release}: {last}")
    done.write_text(json.dumps({"package": package, "release": release}))
    return folder


def releases_on_pypi(package: str = "pynenc") -> list[str]:
    """Every final, unyanked release of ``package`` from 0.3.0 on, oldest first (PyPI's JSON API)."""
    import httpx

    try:
        response = httpx.get(PYPI_RELEASES.format(package=package), timeout=30, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise CannotInstall(f"cannot list {package}'s releases on PyPI ({error}); name them with --releases") from None
    found = []
    for name, files in response.json()["releases"].items():
        parts = name.split(".")
        if not all(p.isdigit() for p in parts) or not files or all(f.get("yanked") for f in files):
            continue
        if tuple(int(p) for p in parts) >= OLDEST:
            found.append(name)
    return sorted(found, key=lambda name: tuple(int(p) for p in name.split(".")))


def current_release(package: str = "pynenc") -> str | None:
    try:
        return distribution(package).version
    except PackageNotFoundError:
        return None

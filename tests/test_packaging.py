"""The wheel's layout: one import root, and every package folder of the repository in it.

A folder with Python modules that the packaging list forgot would be missing from
the installed suite; ``.ci/installed-gate`` shows the installed command working.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_INSTALLED = {
    "tests",
    ".ci",
    ".tox",
    ".git",
    "docs",
    "build",
    "dist",
    ".pynenc-suite",
    ".mypy_cache",
}  # run output, caches


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _package_of(folder: Path, package_dir: dict[str, str]) -> str:
    relative = folder.relative_to(ROOT)
    for package, source in sorted(package_dir.items(), key=lambda item: -len(item[1])):
        if relative == Path(source) or Path(source) in relative.parents:
            rest = relative.relative_to(source).parts
            return ".".join([package, *rest])
    raise AssertionError(f"{relative} is in no package-dir")


def test_every_folder_with_modules_is_an_installed_package_under_one_root() -> None:
    setuptools = _setuptools()
    packages, package_dir = set(setuptools["packages"]), setuptools["package-dir"]
    assert all(p == "pynenc_suite" or p.startswith("pynenc_suite.") for p in packages)
    for init in ROOT.rglob("__init__.py"):
        folder = init.parent
        if folder.relative_to(ROOT).parts[0] in NOT_INSTALLED:
            continue
        assert _package_of(folder, package_dir) in packages, f"{folder.relative_to(ROOT)} is not packaged"


def test_the_entry_points_name_the_plugin_and_the_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"pynenc_suite": "pynenc_suite.plugin"}
    assert project["scripts"] == {"pynenc-suite": "pynenc_suite.cli:main"}


def test_the_package_docstring_maps_every_folder_to_its_module() -> None:
    """Editors and readers that follow imports statically find each stage folder from ``pynenc_suite``'s docstring."""
    import pynenc_suite

    for module, folder in _setuptools()["package-dir"].items():
        assert f"``{module}``" in (pynenc_suite.__doc__ or "") and f"``{folder}/``" in (pynenc_suite.__doc__ or ""), (
            module
        )


def test_every_data_file_of_a_package_folder_is_package_data() -> None:
    """A file the installed suite reads (the clock library's C source, the findings' artefacts) must be in the wheel."""
    import fnmatch
    import subprocess

    setuptools = _setuptools()
    package_data, package_dir = setuptools["package-data"], setuptools["package-dir"]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        path = ROOT / name
        if (
            path.suffix == ".py"
            or len(path.relative_to(ROOT).parts) == 1
            or path.relative_to(ROOT).parts[0] in {*NOT_INSTALLED, "templates"}
        ):
            continue
        matched = False
        for folder in [path.parent, *path.parent.parents]:
            if folder == ROOT:
                break
            package = _package_of(folder, package_dir)
            relative = str(path.relative_to(folder))
            if package in setuptools["packages"] and any(
                fnmatch.fnmatch(relative, glob) for glob in package_data.get(package, [])
            ):
                matched = True
        assert matched, f"{name} is not package data"

"""Tests marked ``xdist_group(name)`` run on one xdist worker, on every pytest the suite supports.

pytest-xdist's ``--dist loadgroup`` sends together the tests whose node ids end in
``@name``; its workers add that suffix by assigning ``item._nodeid``.  pytest 9.2
keeps a node id elsewhere (``item._id``), so the suffix is lost and a group's tests
spread over workers: the key audit ran once per worker and each worker reported
half of it.  :func:`suffix_groups` adds the suffix where xdist's did not land, and
each report keeps the plain id (a structured id cannot hold ``[param]@name``: pytest
would print it as ``[param]@name]``).
"""

from __future__ import annotations

import os

import pytest


def group_of(item: pytest.Item) -> str | None:
    """The ``_``-joined names of the item's ``xdist_group`` marks (None if it has none), as xdist joins them."""
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
    return "_".join(sorted(names)) if names else None


def suffix_groups(items: list[pytest.Item]) -> None:
    """Give each grouped item the node id ``<id>@<group>`` that xdist's load-group scheduler reads."""
    for item in items:
        group = group_of(item)
        if group is None or item.nodeid.endswith(f"@{group}"):
            continue
        grouped = f"{item.nodeid}@{group}"
        if hasattr(item, "_id"):  # pytest >= 9.2: a structured node id
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(grouped)
        else:
            item._nodeid = grouped  # type: ignore[attr-defined]  # the plain str id of pytest < 9.2


@pytest.hookimpl(trylast=True)  # after xdist's own worker hook has (or has not) suffixed the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    suffix_groups(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """On the controller, before anything shows the report: its id without the group suffix."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker's report must keep the id xdist collected
        return
    plain, at, group = report.nodeid.rpartition("@")
    if at and "[" in plain and plain.endswith("]") and "]" not in group:
        report.nodeid = plain

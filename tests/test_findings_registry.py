"""The findings registry, FINDINGS.md and the reproductions hold together.

Every finding in FINDINGS.md is in the registry and the other way round; every
finding has at least one reproduction the suite runs (a committed artefact, key
classes, an explorer race, or a test marked with its id); every committed artefact
folder belongs to a finding; every rule a finding names is a rule of the contract.
"""

from __future__ import annotations

import re
from pathlib import Path

from pynenc_suite import invariants
from pynenc_suite.findings.registry import ARTEFACTS, FINDINGS, by_id

ROOT = Path(__file__).resolve().parent.parent
MARKED = re.compile(r'pynenc_finding\("(PYN-\d+)"')


def _marked_tests() -> set[str]:
    return {m for path in (ROOT / "suite").rglob("test_*.py") for m in MARKED.findall(path.read_text())}


def test_findings_md_and_the_registry_name_the_same_findings() -> None:
    documented = re.findall(r"^## (PYN-\d+):", (ROOT / "FINDINGS.md").read_text(), flags=re.M)
    assert documented == [f.id for f in sorted(FINDINGS, key=lambda f: f.id)]


def test_every_finding_is_reproduced_by_something_the_suite_runs() -> None:
    marked = _marked_tests()
    for finding in FINDINGS:
        ways = [
            finding.artefacts,
            finding.split_classes,
            finding.collapsed_classes,
            finding.process_classes,
            finding.races,
            finding.id in marked,
        ]
        assert any(ways), f"{finding.id} has no reproduction"


def test_every_artefact_folder_belongs_to_a_finding() -> None:
    named = {name for f in FINDINGS for name in f.artefacts}
    on_disk = {p.name for p in ARTEFACTS.iterdir() if p.is_dir()}
    assert named == on_disk


def test_findings_name_rules_of_the_contract() -> None:
    known = set(invariants.RULES) | {"key-consistency"}
    for finding in FINDINGS:
        assert set(finding.rules) <= known, finding.id


def test_a_marked_test_names_a_recorded_finding() -> None:
    for finding_id in _marked_tests():
        assert by_id(finding_id).id == finding_id

"""Every pynenc release under the gate: each finding's reproductions and every property, per release.

``pynenc-suite versions`` installs each release into a folder of its own, runs the
gate there in a child process with that folder first on the import path, and writes
the "Affected versions" table of FINDINGS.md from the outcomes it measured.
"""

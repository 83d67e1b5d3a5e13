"""Recorded defects of pynenc: the registry (``registry``), how each shows in a history
(``gate_signatures``, ``realtime_signatures``), candidate fixes (``fixes``) and the minimal
counterexamples (``artefacts/``).  The prose is FINDINGS.md at the repository's root."""

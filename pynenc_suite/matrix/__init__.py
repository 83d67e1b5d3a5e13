"""``pynenc-suite matrix``: the seed article's decision matrix, measured on real runners.

:mod:`.grid` says what runs (policies, workloads, pool sizes), :mod:`.run` runs it
on real runner processes through the real-time tier, :mod:`.measures` computes a
cell's figures from its history, :mod:`.report` writes ``matrix.md`` and charts.
"""

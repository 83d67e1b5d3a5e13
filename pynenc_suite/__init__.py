"""pynenc-suite: a property-based and chaos regression gate for pynenc's concurrency control.

One import root.  The stage folders at the top of the repository are this package's subpackages
(``[tool.setuptools.package-dir]`` in pyproject.toml; ``tests/test_packaging.py`` keeps this map whole):

====================================  ==========================================================
module                                folder of the repository
====================================  ==========================================================
``pynenc_suite``                      ``pynenc_suite/``: the front door (plugin, command, options, judge)
``pynenc_suite.schedules``            ``schedules/``: the schedule language the drivers run (plain data)
``pynenc_suite.strategies``           ``strategies/``: what Hypothesis generates
``pynenc_suite.drivers``              ``drivers/``: how a schedule runs (deterministic, real time, keys)
``pynenc_suite.engines``              ``engines/``: where pynenc keeps its state, and their servers
``pynenc_suite.provider``             ``provider/``: the fake external API and its call record
``pynenc_suite.recorder``             ``recorder/``: the one way anything becomes a history event
``pynenc_suite.history``              ``history/``: the model, status graph, queries, timeline, page
``pynenc_suite.invariants``           ``invariants/``: one module per rule; imports only the history
``pynenc_suite.findings``             ``findings/``: recorded pynenc defects, signatures, candidate fixes
``pynenc_suite.suite``                ``suite/``: the pytest modules of each tier
``pynenc_suite.apps``                 ``apps/``: the reference app, loading yours, the policy lock
====================================  ==========================================================

Data flows one way: strategies -> drivers -> recorder -> history -> invariants; ``suite`` wires them.  The
schedule language (``schedules``) is what strategies produce and drivers consume.
Editors that follow imports statically need the map: ``.ci/typecheck`` builds it for mypy.
"""

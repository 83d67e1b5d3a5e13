"""The schedule language: plain data that says what a run does, which the drivers execute.

``steps``: the gate's schedules (producers, runners, the nemesis, interleaved groups) and their JSON.
``realtime``: real-time schedules (runner classes, timed enqueues and faults).
``tasks``: what a schedule knows of a task under test.
``scenario``: the bounded explorer's small scenarios (a prefix, then a group run together).

Nothing here generates: ``strategies`` draws these values with Hypothesis, and the drivers, the
findings' artefacts and the suite read them without importing a strategy.
"""

"""Engines: where pynenc keeps its state (memory, SQLite, Redis), each with what it can do.

``registry`` states every engine and its capabilities; ``session`` gives each run
fresh state on one; ``configure`` puts an engine's configuration over an app (in
this process, or as ``PYNENC__*`` variables for runner processes);
``redis_server`` starts a real ``redis-server`` on a loopback port.
"""

"""The bodies of the ``pynenc-suite`` commands, one module per kind of work; ``cli.py`` parses and dispatches.

A command is a function ``run_<name>(args, passthrough) -> int`` (the exit status, :mod:`pynenc_suite.exit_status`),
named in the parser as ``"module:function"`` and imported only when that command runs.
"""

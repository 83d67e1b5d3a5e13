"""Whether an engine's pynenc plugin can run with the installed pynenc at all.

pynenc-redis 0.3.0 declares ``pynenc>=0.3.0`` but its broker misses methods pynenc
0.4 made abstract (PYN-010): an app on Redis fails at its first enqueue.  A tier
asked to run on such a pair stops first with one line that says what to install.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

PLUGIN_BROKERS = {"redis": ("pynenc-redis", "pynenc_redis.broker.redis_broker", "RedisBroker")}


def unusable_reason(engine: str) -> str | None:
    """Why ``engine``'s plugin cannot run here (not installed, or abstract against this pynenc); None if it can."""
    if engine not in PLUGIN_BROKERS:
        return None
    distribution, module, name = PLUGIN_BROKERS[engine]
    try:
        broker = getattr(import_module(module), name)
    except ImportError:
        return f"engine {engine!r} needs {distribution}: pip install pynenc-suite[{engine}]"
    missing = sorted(getattr(broker, "__abstractmethods__", ()))
    if inspect.isabstract(broker) and missing:
        try:
            plugin = version(distribution)
        except PackageNotFoundError:  # importable from a folder on the path, not installed
            plugin = "(uninstalled)"
        return (f"{distribution} {plugin} cannot run with pynenc {version('pynenc')}: its {name} lacks "
                f"{', '.join(missing)} (PYN-010); install a pynenc it supports (pynenc<0.4), as tox -e explore-redis does")
    return None

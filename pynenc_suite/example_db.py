"""Where a fuzz run stores its examples and a gate reads them: one Hypothesis example database, named by a location.

A location is one of

- ``DIR``: a directory (Hypothesis's ``DirectoryBasedExampleDatabase``; shared storage for several machines),
- ``redis://HOST:PORT/N``: a Redis database (``RedisExampleDatabase``, from ``hypothesis[redis]``),
- ``github:OWNER/REPO`` or ``github:OWNER/REPO/ARTIFACT``: the newest GitHub Actions artifact of a repository
  (``GitHubArtifactDatabase``, read-only; ARTIFACT defaults to Hypothesis's ``hypothesis-example-db``).

Each location is opened once per process: HypoFuzz collects only tests whose database *is* the profile's, and a
Redis database compares by identity.  Importing this module imports no Hypothesis.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

METAVAR = "DIR|redis://HOST:PORT/N|github:OWNER/REPO"
GITHUB = "github:"
GITHUB_ARTIFACT = "hypothesis-example-db"


class DatabaseError(Exception):
    """A location that names no usable database; ``str()`` is the one-line reason."""


@cache
def open_database(location: str) -> ExampleDatabase:
    """The example database at ``location`` (the same object for the same location in one process)."""
    if location.startswith(("redis://", "rediss://")):
        return _redis(location)
    if location.startswith(GITHUB):
        return _github(location)
    if "://" in location:
        raise DatabaseError(f"database {location!r}: expected a directory, redis://HOST:PORT/N or {GITHUB}OWNER/REPO")
    from hypothesis.database import DirectoryBasedExampleDatabase

    return DirectoryBasedExampleDatabase(location)


def _redis(location: str) -> ExampleDatabase:
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise DatabaseError(
            f"database {location!r}: a Redis database needs hypothesis[redis]: pip install 'pynenc-suite[fuzz]'"
        ) from None
    client = redis.Redis.from_url(location)
    try:
        client.ping()
    except redis.RedisError as error:
        raise DatabaseError(f"database {location!r}: cannot reach Redis: {error}") from None
    return RedisExampleDatabase(client)


def _github(location: str) -> ExampleDatabase:
    from hypothesis.database import GitHubArtifactDatabase

    parts = location.removeprefix(GITHUB).split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise DatabaseError(f"database {location!r}: expected {GITHUB}OWNER/REPO or {GITHUB}OWNER/REPO/ARTIFACT")
    owner, repo, *artifact = parts
    return GitHubArtifactDatabase(owner, repo, artifact_name=artifact[0] if artifact else GITHUB_ARTIFACT)

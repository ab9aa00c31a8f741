"""Files built once per test run and shared by the xdist workers (large seeded stores).

The first worker that asks builds the file under a lock; the others wait for it, then use the
same file. Callers copy it before they write: the file itself is never changed after it is built.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder seen by every worker (pytest keeps the last three runs)."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is <run>/popen-gwN; the run's folder is shared.
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> Path:
    """``name`` in the run's shared folder, made by ``build(path)`` by the first worker to ask.

    ``build`` must leave one whole file at ``path`` and nothing beside it."""
    folder = shared_folder(tmp_path_factory) / "built-once"
    folder.mkdir(exist_ok=True)
    path = folder / name
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, whatever happens
        if not path.exists():
            building = folder / f"{name}.building"
            shutil.rmtree(building, ignore_errors=True)  # a worker died building it
            building.mkdir()
            build(building / name)
            # One whole file (a database closed cleanly leaves no -wal or -journal beside it).
            made = sorted(p.name for p in building.iterdir())
            assert made == [name], f"building {name} left {made}"
            (building / name).rename(path)
            building.rmdir()
    return path

"""Fixtures of the integration tests: large seeded stores built once per run."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Protocol

import pytest

from tests.integration.scale_seed import seed_store
from tests.shared_files import built_once


class SeededStore(Protocol):
    def __call__(
        self, applications: int, *, now: datetime, seed: int = 14, years: int = 3
    ) -> Path: ...


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> SeededStore:
    """The database file ``seed_store`` writes for these arguments, written once per run and
    shared by the workers: copy it before writing to it."""

    def seeded(applications: int, *, now: datetime, seed: int = 14, years: int = 3) -> Path:
        name = f"seeded-{applications}-{seed}-{years}-{now:%Y%m%dT%H%M%S}.db"
        build = partial(seed_store, applications=applications, now=now, seed=seed, years=years)
        return built_once(tmp_path_factory, name, build)

    return seeded

"""The office's commands as an officer runs them: Persian on the screen, log lines in the log.

Each command runs as its own process, the way an officer types it (issue 8, item 15).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Store
from tests.integration.cli_runner import modules_of_homebiz, run_homebiz
from tests.integration.test_import_bank_report import DATA, seed_office

ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|Traceback")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def log_file_path(data_dir: Path) -> Path:
    """Where the office's commands log (README, «Settings»)."""
    return data_dir / "logs" / "homebiz.log"


def _environment(data_dir: Path, env: dict[str, str] | None) -> dict[str, str]:
    environment = {**os.environ, "DATA_DIR": str(data_dir), **(env or {})}
    environment.pop("BOT_TOKEN", None)
    if "DATABASE_URL" not in (env or {}):
        environment.pop("DATABASE_URL", None)
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def homebiz(
    data_dir: Path, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `homebiz ARGS` in a process of its own with DATA_DIR set and no token (forked from
    one that imported the command once: tests/integration/cli_runner.py)."""
    return run_homebiz(args, env=_environment(data_dir, env), cwd=cwd)


def homebiz_interpreter(
    data_dir: Path, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `homebiz ARGS` as `python -m bot.cli ARGS`: a new interpreter, imports and all."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=_environment(data_dir, env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_only_persian(result: subprocess.CompletedProcess[str], *names: str) -> None:
    """No log line and no English word on stdout or stderr (file names aside)."""
    for stream in (result.stdout, result.stderr):
        assert not LOG_LINE.search(stream), stream
        text = stream
        for name in names:
            text = text.replace(name, "")
        assert not LATIN_WORD.findall(text), stream


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A data folder with applications introduced to banks (the report's rows)."""
    data_dir = tmp_path / "data"

    async def seed() -> None:
        store = await Store.open(data_dir / "homebiz.db")
        try:
            await seed_office(store)
        finally:
            await store.close()

    asyncio.run(seed())
    return data_dir


def test_office_commands_print_persian_and_log_to_the_file(office: Path, tmp_path: Path) -> None:
    good = DATA / "bank_report_good.csv"
    mixed = DATA / "bank_report_mixed.csv"

    # The first from a new interpreter: nothing its imports print reaches the screen either.
    refused = homebiz_interpreter(office, tmp_path, "import-bank-report", str(mixed))
    assert refused.returncode == 1 and "ردیف" in refused.stdout
    assert_only_persian(refused, mixed.name)
    trial = homebiz(office, tmp_path, "import-bank-report", str(good), "--dry-run")
    assert trial.returncode == 0 and "اجرای آزمایشی" in trial.stdout
    assert_only_persian(trial, good.name)
    applied = homebiz(office, tmp_path, "import-bank-report", str(good))
    assert applied.returncode == 0 and "انجام شد" in applied.stdout
    assert_only_persian(applied, good.name)
    exported = homebiz(office, tmp_path, "export", "paid.csv", "--status", "paid")
    assert exported.returncode == 0
    assert_only_persian(exported, "paid.csv")

    log = log_file_path(office).read_text(encoding="utf-8")
    assert "INFO services.imports.bank_import: bank report bank_report_mixed.csv" in log
    assert "INFO services.export: exported" in log


def test_verbose_shows_the_log_lines_on_stderr(office: Path, tmp_path: Path) -> None:
    for args in (
        ["--verbose", "import-bank-report", str(DATA / "bank_report_mixed.csv")],
        ["import-bank-report", str(DATA / "bank_report_mixed.csv"), "-v"],
    ):
        result = homebiz(office, tmp_path, *args)
        assert "INFO services.imports.bank_import" in result.stderr
        assert not LOG_LINE.search(result.stdout), result.stdout


def test_a_failing_command_says_so_in_persian_and_logs_the_traceback(
    office: Path, tmp_path: Path
) -> None:
    not_a_database = tmp_path / "folder"
    not_a_database.mkdir()
    result = homebiz(
        office, tmp_path, "export", "out.csv", env={"DATABASE_URL": f"sqlite:///{not_a_database}"}
    )
    assert result.returncode == 1 and result.stdout == ""
    log_file = str(log_file_path(office))
    assert log_file in result.stderr
    assert_only_persian(result, log_file)
    assert "Traceback" in log_file_path(office).read_text(encoding="utf-8")


def test_the_office_commands_load_no_messenger_library() -> None:
    """`homebiz export` and the other office tools start without python-telegram-bot and its
    HTTP clients (the bot's own commands import them when they run)."""
    loaded = modules_of_homebiz()
    assert {"bot", "office", "storage", "services"} <= loaded
    assert not loaded & {"telegram", "aiohttp", "httpx"}, sorted(loaded)

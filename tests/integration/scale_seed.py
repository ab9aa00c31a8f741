"""A store of any size for the scale tests and ``benchmarks/store_scale.py``.

The schema comes from the project's own migrations (``Database.open``); the rows are then
written with plain ``sqlite3.executemany`` in that schema, the way the bot would have left
them: one citizen per application, statuses spread as in a running programme, every move in
``status_events`` (with the details the bot writes), permits, canonical phones, the name keys
and ``filed_at``. Everything is derived from a seeded ``random.Random``: the same arguments
give the same store.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.catalogue import load_catalogue
from domain.tracking import damm_check_digit
from storage.applications import name_keys
from storage.db import Database, to_db_time

TEHRAN = ZoneInfo("Asia/Tehran")
OFFICER = "officer:900001"

# fmt: off
FIRST_NAMES = (
    "محمد", "علی", "حسین", "رضا", "مهدی", "امیر", "حسن", "احمد", "محمدرضا", "علیرضا",
    "ابوالفضل", "مصطفی", "سجاد", "مرتضی", "جواد", "یاسر", "میلاد", "سعید", "حمید", "اکبر",
    "فاطمه", "زهرا", "مریم", "معصومه", "سمیه", "نرگس", "لیلا", "سارا", "نازنین", "کوثر",
    "یاسمن", "الهام", "هانیه", "آزاده", "پریسا", "زینب", "طاهره", "شیرین", "منیژه", "رقیه",
    "محمد‌حسین", "امیر‌حسین", "فاطمه‌زهرا", "سیده‌زهرا", "محمد‌جواد",
)
_SURNAME_ROOTS = (
    "محمد", "احمد", "حسین", "رضا", "کریم", "رحیم", "جعفر", "موسو", "کاظم", "صادق", "نور",
    "ملک", "قاسم", "یوسف", "امیر", "طاهر", "کرم", "زارع", "رستم", "نجف", "باقر", "سلیم",
    "عباس", "قنبر", "اصغر", "بهرام", "شاه", "میرزا", "خسرو", "فرهاد", "داود", "منصور",
)
_SURNAME_ENDINGS = ("ی", "ی‌پور", "زاده", "ی‌نژاد", "ی‌فر", "ی‌راد", "یان", "لو", "وند", "")
# Lorestan's own: many families share a handful of «-وند» names.
_LOCAL_SURNAMES = (
    "بیرانوند", "سپهوند", "دالوند", "حسنوند", "میرزاوند", "پاپی", "کرمی", "رشنو", "ویسی",
    "امرایی", "چگنی", "سگوند", "ترکاشوند", "شیراوند", "قائدرحمت", "میر محمدی", "میر صادقی",
)
SURNAMES = (
    tuple(root + ending for root in _SURNAME_ROOTS for ending in _SURNAME_ENDINGS)
    + _LOCAL_SURNAMES
)

COUNTIES = (
    "khorramabad", "borujerd", "dorud", "aligudarz", "azna", "kuhdasht", "delfan", "poldokhtar",
    "selseleh", "dowreh", "rumeshkan", "mamulan",
)
# Khorramabad and Borujerd file most applications; a few old rows have no county.
_COUNTY_WEIGHTS = (30, 20, 9, 8, 6, 7, 6, 4, 4, 2, 2, 2)
BANKS = ("توسعه تعاون", "رفاه کارگران", "مهر ایران", "ملت", "تجارت", "صادرات", "شهر", "ملی")
# fmt: on
DOCUMENTS = ("national_card", "birth_certificate", "photo", "skills_certificate")

# The store the at-scale tests share (``seeded_store`` in tests/integration/conftest.py builds
# it once per run): a few thousand applications, filed over three years up to SCALE_NOW.
SCALE_APPLICATIONS = 3_000
SCALE_NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)

# Where applications stand in a programme that has run for three years (per mille).
STATUS_SHARES = (
    ("draft", 80),
    ("submitted", 100),
    ("under_review", 120),
    ("needs_correction", 50),
    ("approved", 100),
    ("introduced_to_bank", 150),
    ("paid", 300),
    ("rejected", 100),
)
_PATHS = {
    "draft": (),
    "submitted": ("submitted",),
    "under_review": ("submitted", "under_review"),
    "needs_correction": ("submitted", "under_review", "needs_correction"),
    "approved": ("submitted", "under_review", "approved"),
    "introduced_to_bank": ("submitted", "under_review", "approved", "introduced_to_bank"),
    "paid": ("submitted", "under_review", "approved", "introduced_to_bank", "paid"),
    "rejected": ("submitted", "under_review", "rejected"),
}
_STATUSES = tuple(s for s, _ in STATUS_SHARES)
_STATUS_WEIGHTS = tuple(w for _, w in STATUS_SHARES)

_APP_COLUMNS = (
    "id, citizen_id, tracking_code, plan_type, status, step, answers_json, full_name,"
    " national_code, phone, birth_date, county, activity_code, requested_rials, bank,"
    " bank_branch, paid_rials, paid_on, permit_number, created_at, updated_at, submitted_at,"
    " filed_at, introduced_at"
)


@dataclass
class SeedSummary:
    """What was written, and a few rows the benchmark looks up."""

    applications: int = 0
    citizens: int = 0
    status_events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def national_code_for(n: int) -> str:
    """A valid, unique national code for the n-th citizen (n < 10**9)."""
    body = f"{(n * 104_729 + 13) % 10**9:09d}"
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    code = body + str(check)
    return code if len(set(code)) > 1 else national_code_for(n + 10**9 // 2)


def tracking_code_for(n: int) -> str:
    """A valid, unique tracking code for the n-th application (n < 9 * 10**6)."""
    body = str(10**6 + (n * 7_727) % (9 * 10**6))
    return body + damm_check_digit(body)


def phone_for(n: int) -> str:
    """A unique canonical mobile number for the n-th citizen."""
    return f"+989{(n * 7_919 + 120_000_000) % 10**9:09d}"


def full_name_for(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


async def create_schema(path: Path) -> None:
    """An empty store with every migration applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    async with Database(path):
        pass


def seed_store(
    path: Path,
    applications: int,
    *,
    now: datetime,
    seed: int = 14,
    batch: int = 20_000,
    years: int = 3,
    activities: tuple[str, ...] | None = None,
    progress: bool = False,
) -> SeedSummary:
    """Write ``applications`` applications (one citizen each) filed over ``years`` years."""
    asyncio.run(create_schema(path))
    activities = activities or tuple(a.code for a in load_catalogue().activities)
    rng = random.Random(seed)
    summary = SeedSummary()
    start = now - timedelta(days=365 * years)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a benchmark's store: speed over durability
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the indexes' inserts stay in memory
        keys: dict[str, list[str]] = {}  # names repeat: their keys are computed once
        first_event = _next_id(conn, "status_events")
        first_app = _next_id(conn, "applications")
        first_citizen = _next_id(conn, "citizens")
        event_id = first_event
        for offset in range(0, applications, batch):
            count = min(batch, applications - offset)
            citizens, apps, names, events = [], [], [], []
            for k in range(count):
                n = offset + k
                row = _application(rng, n, first_app + n, first_citizen + n, start, now, activities)
                citizens.append(row.citizen)
                apps.append(row.application)
                if row.full_name not in keys:
                    keys[row.full_name] = sorted(name_keys(row.full_name))
                names += [(key, first_app + n) for key in keys[row.full_name]]
                for event in row.events:
                    events.append((event_id, *event))
                    event_id += 1
                summary.by_status[row.status] = summary.by_status.get(row.status, 0) + 1
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO citizens (id, platform, user_id, chat_id, phone, full_name,"
                " national_code, created_at, updated_at)"
                " VALUES (?, 'telegram', ?, ?, ?, ?, ?, ?, ?)",
                citizens,
            )
            marks = ", ".join("?" for _ in _APP_COLUMNS.split(","))
            conn.executemany(f"INSERT INTO applications ({_APP_COLUMNS}) VALUES ({marks})", apps)
            conn.executemany(
                "INSERT OR IGNORE INTO application_names (name_key, application_id) VALUES (?, ?)",
                names,
            )
            conn.executemany(
                "INSERT INTO status_events (id, application_id, from_status, to_status, actor,"
                " reason, details_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            conn.execute("COMMIT")
            summary.applications += count
            summary.citizens += count
            summary.status_events += len(events)
            if progress:
                print(f"  seeded {summary.applications:,} applications", flush=True)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return summary


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


@dataclass
class _Row:
    status: str
    full_name: str
    citizen: tuple[object, ...]
    application: tuple[object, ...]
    events: list[tuple[object, ...]]


def _text(moment: datetime) -> str:
    return to_db_time(moment)


def _tehran_day(moment: datetime) -> date:
    return moment.astimezone(TEHRAN).date()


def _application(
    rng: random.Random,
    n: int,
    app_id: int,
    citizen_id: int,
    start: datetime,
    now: datetime,
    activities: tuple[str, ...],
) -> _Row:
    status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
    supporting = rng.random() < 0.3
    plan_type = "supporting" if supporting else "independent"
    full_name = full_name_for(rng)
    national = national_code_for(n)
    phone = phone_for(n)
    county = None if rng.random() < 0.01 else rng.choices(COUNTIES, _COUNTY_WEIGHTS)[0]
    activity = rng.choice(activities)
    requested = (
        rng.randrange(5, 500) * 100_000_000 if supporting else rng.randrange(5, 200) * 10_000_000
    )
    span = (now - start).total_seconds()
    created = start + timedelta(seconds=rng.random() * span * 0.97)
    moment = created
    events: list[tuple[object, ...]] = []
    bank = branch = None
    paid_rials = paid_on = permit = None
    submitted_at: datetime | None = None
    introduced_at: datetime | None = None
    previous: str | None = "draft"
    for step in _PATHS[status]:
        moment = min(moment + timedelta(hours=rng.uniform(2, 24 * 12)), now)
        details: dict[str, object] = {}
        reason = None
        actor = OFFICER
        if step == "submitted":
            submitted_at = moment
            actor = f"citizen:{citizen_id}"
        elif step == "needs_correction":
            details = {"documents": rng.sample(DOCUMENTS, 2)}
            reason = "تصویر ناخوانا است"
        elif step == "introduced_to_bank":
            introduced_at = moment
            bank = rng.choice(BANKS)
            branch = "مرکزی"
            details = {"bank": bank, "branch": branch}
        elif step == "paid":
            paid_rials = requested
            paid_on = _tehran_day(moment).isoformat()
            details = {"amount_rials": paid_rials, "paid_on": paid_on}
        elif step == "rejected":
            reason = "مدارک ناقص"
        events.append(
            (
                app_id,
                previous,
                step,
                actor,
                reason,
                json.dumps(details, ensure_ascii=False),
                _text(moment),
            )
        )
        previous = step
    if status in ("approved", "introduced_to_bank", "paid") and rng.random() < 0.4:
        moment = min(moment + timedelta(hours=rng.uniform(1, 48)), now)
        permit = str(rng.randrange(10_000, 99_999))
        details = {"event": "permit_issued", "permit_number": permit}
        events.append(
            (
                app_id,
                status,
                status,
                OFFICER,
                None,
                json.dumps(details, ensure_ascii=False),
                _text(moment),
            )
        )
    answers = {
        "consented_at": _text(created),
        "phone": phone,
        "full_name": full_name,
        "national_code": national,
        "birth_date": date(1960 + n % 40, 1 + n % 12, 1 + n % 28).isoformat(),
        "gender": "female" if n % 2 else "male",
        "county": county,
        "home_rented": bool(n % 3),
        "activity": activity,
        "plan_type": plan_type,
        "covered_workers": 5 + n % 20 if supporting else None,
        "requested_toman": requested // 10,
        "carried": ["county", "activity", "plan_type"],
        "changing": None,
        "awaiting_document": None,
    }
    created_text = _text(created)
    submitted_text = None if submitted_at is None else _text(submitted_at)
    application = (
        app_id,
        citizen_id,
        None if status == "draft" else tracking_code_for(n),
        plan_type,
        status,
        "documents" if status == "draft" else None,
        json.dumps(answers, ensure_ascii=False),
        full_name,
        national,
        phone,
        answers["birth_date"],
        county,
        activity,
        requested,
        bank,
        branch,
        paid_rials,
        paid_on,
        permit,
        created_text,
        _text(moment),
        submitted_text,
        submitted_text or created_text,
        None if introduced_at is None else _text(introduced_at),
    )
    citizen = (
        citizen_id,
        10**9 + n,
        10**9 + n,
        phone,
        full_name,
        national,
        created_text,
        created_text,
    )
    return _Row(status, full_name, citizen, application, events)


def introduced_applications(path: Path, limit: int) -> Iterator[tuple[str, str, str, int]]:
    """(tracking code, national code, bank, requested rials) of introduced applications."""
    with sqlite3.connect(path) as conn:
        yield from conn.execute(
            "SELECT tracking_code, national_code, bank, requested_rials FROM applications"
            " WHERE status = 'introduced_to_bank' ORDER BY id LIMIT ?",
            (limit,),
        )


def utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 8, 0, tzinfo=UTC)

"""The async SQLite store: database, migrations, repositories and bot persistence."""

from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.citizens import CitizenRepository
from storage.db import Clock, Database, from_db_time, to_db_time, utcnow
from storage.documents import ApplicationDocuments, DocumentRepository
from storage.events import StatusEventRepository
from storage.persistence import SqlitePersistence
from storage.store import Store

__all__ = [
    "ApplicationDocuments",
    "ApplicationRepository",
    "AuditLog",
    "CitizenRepository",
    "Clock",
    "Database",
    "DocumentRepository",
    "SqlitePersistence",
    "StatusEventRepository",
    "Store",
    "from_db_time",
    "to_db_time",
    "utcnow",
]

"""The async SQLite store: database, migrations and repositories.

PTB's persistence on the store is ``storage.persistence``, imported by the bot only: importing
this package (the office's commands, the web desk) does not load python-telegram-bot."""

from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.citizens import CitizenRepository
from storage.db import Clock, Database, from_db_time, to_db_time, utcnow
from storage.documents import ApplicationDocuments, DocumentRepository
from storage.events import StatusEventRepository
from storage.store import Store

__all__ = [
    "ApplicationDocuments",
    "ApplicationRepository",
    "AuditLog",
    "CitizenRepository",
    "Clock",
    "Database",
    "DocumentRepository",
    "StatusEventRepository",
    "Store",
    "from_db_time",
    "to_db_time",
    "utcnow",
]

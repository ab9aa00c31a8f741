"""Store: the database and every repository, opened in post_init and closed in post_shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.applications import ApplicationRepository
from storage.audit import AuditLog
from storage.broadcasts import BroadcastRepository
from storage.citizens import CitizenRepository
from storage.db import Clock, Database
from storage.desk import DeskRepository
from storage.documents import DocumentRepository
from storage.events import StatusEventRepository
from storage.exhibitions import ExhibitionRepository
from storage.faq import FaqLog
from storage.lookups import LookupThrottle
from storage.officers import OfficerRepository
from storage.outbox import OutboxRepository
from storage.subscriptions import SubscriptionRepository
from storage.tickets import TicketRepository


@dataclass(frozen=True)
class Store:
    """The open database with its repositories."""

    db: Database
    citizens: CitizenRepository
    applications: ApplicationRepository
    documents: DocumentRepository
    status_events: StatusEventRepository
    audit: AuditLog
    outbox: OutboxRepository
    officers: OfficerRepository
    lookups: LookupThrottle
    exhibitions: ExhibitionRepository
    subscriptions: SubscriptionRepository
    broadcasts: BroadcastRepository
    faq: FaqLog
    tickets: TicketRepository
    desk: DeskRepository

    @classmethod
    def on(cls, db: Database) -> Store:
        """Bundle the repositories over an already open Database."""
        return cls(
            db=db,
            citizens=CitizenRepository(db),
            applications=ApplicationRepository(db),
            documents=DocumentRepository(db),
            status_events=StatusEventRepository(db),
            audit=AuditLog(db),
            outbox=OutboxRepository(db),
            officers=OfficerRepository(db),
            lookups=LookupThrottle(db),
            exhibitions=ExhibitionRepository(db),
            subscriptions=SubscriptionRepository(db),
            broadcasts=BroadcastRepository(db),
            faq=FaqLog(db),
            tickets=TicketRepository(db),
            desk=DeskRepository(db),
        )

    @classmethod
    async def open(cls, path: Path, *, clock: Clock | None = None) -> Store:
        """Open (creating and migrating) the database at path."""
        db = Database(path, clock=clock)
        await db.open()
        return cls.on(db)

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()

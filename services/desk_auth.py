"""Signing officers in to the web desk: single-use links from the bot, sessions, sign-out.

No passwords: an officer asks the bot for a link (``issue_link``), valid LINK_LIFETIME and
good for one session (``open_link``). Only SHA-256 hashes of the link's and the session's
tokens are stored. Every request checks its session (``session_officer``): ended, idle too
long, or its officer no longer an officer NOW (``services.officers``) and it is over; a
removed officer's sessions end at their next request, whatever they do.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from domain.accounts import Account
from services.actors import Actor
from services.officers import account_of, is_officer, require_officer
from storage import Clock, Store

LOGGER = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=10)
# A session's last-seen time is written at most this often (not a write per page).
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """What the store keeps of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from its secret, so nothing more is stored and a
    page of another session (or a forged form) cannot carry it."""
    return hmac.new(session_token.encode(), b"desk-csrf", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A session just opened from a link: its secret (the cookie) and whose it is."""

    token: str
    user_id: int
    platform: str


@dataclass(frozen=True)
class DeskOfficer:
    """The officer of a live session, checked at this request."""

    user_id: int
    session_id: int
    csrf: str
    # The platform of the officer's account (a desk officer is platform + user id); None: the
    # store's default platform, the first bot's (audited as ``officer:<user id>``).
    platform: str | None = None

    @property
    def actor(self) -> Actor:
        """The actor every service call from the desk is made as."""
        return Actor("officer", self.user_id, self.platform)


def desk_actor(store: Store, account: Account) -> Actor:
    """The actor for an officer's account at the desk: as the bot names them (the first bot's
    platform unnamed, so its audit strings read ``officer:<user id>``)."""
    unnamed = account.platform == store.officers.default_platform
    return Actor("officer", account.user_id, None if unnamed else account.platform)


async def issue_link(store: Store, clock: Clock, actor: Actor) -> str:
    """A new sign-in token for this officer (NotAllowed for anyone else), audited."""
    async with store.db.transaction() as conn:
        user_id = await require_officer(store, actor)
        account = account_of(store, actor)
        assert account is not None  # require_officer found it
        token = secrets.token_urlsafe(32)
        expires = clock() + LINK_LIFETIME
        await store.desk.add_link(token_hash(token), account.platform, user_id, expires, conn=conn)
        subject = str(desk_actor(store, account))  # the officer's account, as audited
        await store.audit.record(str(actor), "desk_link", subject, conn=conn)
    return token


async def link_is_live(store: Store, clock: Clock, token: str) -> bool:
    """Whether this token is a link not used and not expired (shows the sign-in button)."""
    link = await store.desk.link(token_hash(token))
    return link is not None and link.used_at is None and clock() < link.expires_at


async def open_link(store: Store, clock: Clock, token: str) -> SignedIn | None:
    """Use a link: a new session for its officer, if the link is live and they still are one.

    None (and nothing changed) for an unknown, used or expired link, or a removed officer.
    """
    hashed = token_hash(token)
    async with store.db.transaction() as conn:
        link = await store.desk.link(hashed, conn=conn)
        if link is None or link.used_at is not None or clock() >= link.expires_at:
            return None
        if not await is_officer(store, Account(link.platform, link.user_id)):
            return None
        if not await store.desk.use_link(hashed, conn=conn):
            return None
        session = secrets.token_urlsafe(32)
        await store.desk.add_session(token_hash(session), link.platform, link.user_id, conn=conn)
        actor = desk_actor(store, Account(link.platform, link.user_id))
        await store.audit.record(str(actor), "desk_sign_in", str(actor), conn=conn)
    LOGGER.info("Officer %s signed in to the web desk", link.user_id)
    return SignedIn(session, link.user_id, link.platform)


async def session_officer(
    store: Store, clock: Clock, token: str, idle: timedelta
) -> DeskOfficer | None:
    """The officer of this session token now, or None: ended, idle past ``idle``, or its
    officer removed (the session is ended then, so it never comes back)."""
    session = await store.desk.session(token_hash(token))
    if session is None or session.ended_at is not None:
        return None
    now = clock()
    account = Account(session.platform, session.user_id)
    reason = None
    if now - session.last_seen_at > idle:
        reason = "idle"
    elif not await is_officer(store, account):
        reason = "not_an_officer"
    if reason is not None:
        await store.desk.end(session.id, reason)
        LOGGER.info(
            "Web desk session %s of officer %s ended: %s", session.id, session.user_id, reason
        )
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        await store.desk.touch(session.id)
    return DeskOfficer(
        session.user_id, session.id, csrf_token(token), desk_actor(store, account).platform
    )


async def sign_out(store: Store, officer: DeskOfficer) -> None:
    """«Sign out»: the session ends now, audited."""
    async with store.db.transaction() as conn:
        await store.desk.end(officer.session_id, "signed_out", conn=conn)
        await store.audit.record(str(officer.actor), "desk_sign_out", str(officer.actor), conn=conn)

"""The desk over real HTTP without a browser: the cookie's flags over https, headers on every
page, documents and static files looked up by name or id only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from config.settings import Settings
from desk import desk_routes
from domain.catalogue import Catalogue
from services import desk_auth
from services.actors import Actor
from storage import Store
from tests.catalogues import parsed_catalogue
from tests.integration.services_seed import OFFICER_ID, open_store


@dataclass
class FakeServices:
    """What the desk needs of the bot's services, over a real store."""

    settings: Settings
    store: Store
    catalogue: Catalogue
    clock: Any
    reminders: Any = None
    woken: list[int] = field(default_factory=list)

    def wake_sender(self) -> None:
        self.woken.append(1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path) as opened:
        yield opened


def client_for(services: FakeServices) -> httpx.AsyncClient:
    app = Starlette(routes=desk_routes(services))
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://desk.example"
    )


async def test_over_https_the_session_cookie_is_secure_httponly_and_strict(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        web_base_url="https://desk.example",
        _env_file=None,  # type: ignore[call-arg]
    )
    services = FakeServices(settings, store, parsed_catalogue(), store.db.now)
    token = await desk_auth.issue_link(store, store.db.now, Actor("officer", OFFICER_ID))
    async with client_for(services) as client:
        page = await client.get(f"/signin/{token}")
        assert page.status_code == 200 and 'dir="rtl"' in page.text
        for header in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert header in page.headers
        signed_in = await client.post("/signin", data={"token": token})
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        dashboard = await client.get("/")
        assert dashboard.status_code == 200
        assert "frame-ancestors 'none'" in dashboard.headers["content-security-policy"]

        # A page that fails says so in Persian (no traceback, no English).
        services.catalogue = object()  # type: ignore[assignment]
        failed = await client.get("/applications")
        assert failed.status_code == 500 and "خطایی پیش آمد" in failed.text
        assert "Traceback" not in failed.text
        services.catalogue = parsed_catalogue()

        # Static files by name from a fixed list; documents by id; nothing else reaches a file.
        assert (await client.get("/static/desk.css")).status_code == 200
        for path in ("/static/..%2Fweb.py", "/static/desk.py", "/documents/1", "/documents/x"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert "desk_routes" not in response.text


async def test_without_a_session_every_page_says_how_to_sign_in(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    services = FakeServices(settings, store, parsed_catalogue(), store.db.now)
    async with client_for(services) as client:
        for path in ("/", "/applications", "/applications/1", "/documents/1"):
            response = await client.get(path)
            assert response.status_code == 401 and "میز کار وب" in response.text, path
        posted = await client.post("/applications/1/move", data={"to": "rejected"})
        assert posted.status_code == 401

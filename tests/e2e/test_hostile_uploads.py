"""Hostile files sent in the documents step are refused and nothing is stored (issue 8, item 2)."""

from __future__ import annotations

import pytest

from botapi_emulator import Citizen
from storage.files import FILES_FOLDER
from tests.conftest import RunningBot
from tests.e2e.application_walk import last
from tests.e2e.test_application import _at_documents, _kinds, _only_application
from tests.e2e.test_foundation import assert_persian
from tests.hostile_files import bomb_png, fake_pdf, png, truncated_png

TOO_MANY_PIXELS = "ابعاد این تصویر بیش از حد بزرگ است"
DAMAGED = "خراب است"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
async def test_pixel_bombs_pictures_cut_short_and_fake_pdfs_are_refused(
    citizen: Citizen, bot: RunningBot
) -> None:
    store = bot.application.services.store
    await _at_documents(citizen, store, 31)
    app = await _only_application(store, citizen.user_id)

    refused = await citizen.sends_document(bomb_png(), "national_card.png", "image/png")
    assert TOO_MANY_PIXELS in last(refused) and "عکس" in last(refused)
    refused = await citizen.sends_photo(bomb_png())
    assert TOO_MANY_PIXELS in last(refused)
    refused = await citizen.sends_document(truncated_png(), "scan.png", "image/png")
    assert TOO_MANY_PIXELS in last(refused)
    refused = await citizen.sends_photo(png(3000, 2000, rows=1))  # within the limit, cut short
    assert DAMAGED in last(refused)
    refused = await citizen.sends_document(fake_pdf(), "national_card.pdf", "application/pdf")
    assert DAMAGED in last(refused) and "PDF" in last(refused)
    assert_persian(last(refused))

    assert await _kinds(store, app.id) == set()
    assert not (bot.settings.data_dir / FILES_FOLDER).exists()

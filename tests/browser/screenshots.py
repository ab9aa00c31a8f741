"""Screenshots of the desk for the README: `.venv/bin/python -m tests.browser.screenshots`.

Runs the emulator and the bot in this process on a temporary folder, files forty applications
across the year's months and the province's counties (through the store, as the tests do), moves
some along the life cycle, signs the officer in from the bot's link in Chromium and saves
docs/screenshots/desk-dashboard.png, desk-applications.png and desk-application.png.
"""

from __future__ import annotations

import asyncio
import io
import random
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import jdatetime
from PIL import Image, ImageDraw

from botapi_emulator import Citizen, Emulator
from domain.catalogue import load_catalogue
from domain.statuses import ApplicationStatus as S
from storage import Store, to_db_time
from tests.browser.conftest import CHROMIUM, sign_in_link
from tests.conftest import OFFICER_ID, bot_running, make_settings
from tests.e2e.application_walk import pdf_bytes
from tests.e2e.test_tracking import store_change, store_file, submitted_in
from tests.settle import store_settled

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NAMES = (
    "مریم احمدی",
    "زهرا رضایی",
    "فاطمه کریمی",
    "سارا موسوی",
    "لیلا حسینی",
    "نرگس بیرانوند",
    "معصومه سپهوند",
    "مهسا امیری",
    "رضا ملکی",
    "علی قاسمی",
    "حسین کرمی",
    "پروین میرزایی",
)
KINDS = ("national_card", "birth_certificate", "photo", "skills_certificate")


def card_image(seed: int, label: str) -> bytes:
    """A scan-like picture of a card."""
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 300), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((12, 12, 468, 288), radius=18, outline=(22, 78, 99), width=4)
    draw.rectangle((330, 50, 440, 180), fill=(rng.randrange(120, 200), 170, 190))
    for row in range(6):
        width = rng.randrange(140, 280)
        draw.rectangle((40, 60 + row * 30, 40 + width, 72 + row * 30), fill=(90, 100, 110))
    draw.text((40, 250), label, fill=(22, 78, 99))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


async def seed(store: Store, data_dir: Path) -> int:
    """Forty filed applications over the year; the id of the one to show."""
    catalogue = load_catalogue()
    rng = random.Random(1405)
    counties = [c.code for c in catalogue.counties]
    activities = [a.code for a in catalogue.activities][:80]
    today = jdatetime.date.today()
    officer = f"officer:{OFFICER_ID}"
    shown = 0
    for n in range(40):
        county = counties[0] if n % 3 == 0 else rng.choice(counties)
        app = await submitted_in(
            store,
            data_dir,
            5000 + n,
            seed=300 + n,
            documents=(),
            full_name=NAMES[n % len(NAMES)],
            county=county,
            activity_code=rng.choice(activities),
            requested_rials=rng.choice((1_000, 1_500, 2_000)) * 1_000_000,
            answers={"gender": "woman" if n % 4 else "man", "home_rented": n % 5 == 0},
        )
        month = 1 + (n * 7) % today.month
        day = jdatetime.date(today.year, month, 1 + n % 25).togregorian()
        filed = datetime.combine(min(day, date.today()), time(9, n % 60), UTC)
        async with store.db.transaction() as c:
            await c.execute(
                "UPDATE applications SET submitted_at = ? WHERE id = ?", (to_db_time(filed), app.id)
            )
        if n == 7:
            shown = app.id
            for k, kind in enumerate(KINDS):
                image = card_image(k, kind)
                await store_file(store, data_dir, app.id, kind, image, f"shots/{app.id}-{kind}.jpg")
            lease = pdf_bytes("lease")
            name = f"shots/{app.id}-residence_proof.pdf"
            await store_file(store, data_dir, app.id, "residence_proof", lease, name)
            await store_change(store, app.id, S.UNDER_REVIEW, officer)
            await store_change(
                store,
                app.id,
                S.NEEDS_CORRECTION,
                officer,
                reason="تصویر کارت ملی خوانا نیست",
                details={"documents": ["national_card"]},
            )
            continue
        stage = n % 6
        path = [S.UNDER_REVIEW, S.APPROVED, S.INTRODUCED_TO_BANK, S.PAID][: stage % 5]
        for status in path:
            details = None
            if status is S.INTRODUCED_TO_BANK:
                details = {"bank": "ملت", "branch": "مرکزی"}
            if status is S.PAID:
                paid_on = min(day + timedelta(days=20), date.today())
                details = {"amount_rials": 1_500_000_000, "paid_on": paid_on.isoformat()}
            await store_change(store, app.id, status, officer, details=details)
        if stage == 5:
            await store_change(
                store, app.id, S.REJECTED, officer, reason="فعالیت در فهرست مجاز نیست"
            )
    return shown


async def main() -> None:
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        async with Emulator(mode="telegram") as emulator:
            settings = make_settings(emulator, Path(folder) / "data")
            async with bot_running(settings) as bot:
                store = bot.application.services.store
                shown = await seed(store, settings.data_dir)
                officer = Citizen(
                    emulator.url,
                    user_id=OFFICER_ID,
                    first_name="Officer",
                    settle=store_settled(settings.database_path),
                )
                link = await sign_in_link(officer)
                web = bot.application.web
                assert web is not None
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(
                        executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
                    )
                    context = await browser.new_context(
                        locale="fa-IR", viewport={"width": 1280, "height": 900}
                    )
                    page = await context.new_page()
                    await page.goto(link)
                    await page.click("#enter")
                    await page.wait_for_url(web.local_url + "/")
                    await page.screenshot(path=str(OUT / "desk-dashboard.png"), full_page=True)
                    await page.goto(web.local_url + "/applications?sort=filed")
                    await page.screenshot(path=str(OUT / "desk-applications.png"))
                    await page.goto(f"{web.local_url}/applications/{shown}")
                    await page.screenshot(path=str(OUT / "desk-application.png"), full_page=True)
                    await browser.close()
                await officer.close()
    print(f"Saved in {OUT}")


if __name__ == "__main__":
    asyncio.run(main())

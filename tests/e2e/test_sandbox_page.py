"""The sandbox's chat page in headless Chromium (Debian's, driven by Playwright; no browser download):
a user onboards in Kazakh, presses buttons, registers for an event, and the page is photographed.

`UPDATE_SCREENSHOT=1` writes the picture to docs/sandbox.png for the README.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from fake_telegram.bot_process import ROOT
from sandbox import Sandbox, seed_sample_world
from sandbox.server import TOKEN

CHROMIUM = Path("/usr/bin/chromium")
try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the dev lock pins it
    pytest.skip("Playwright for Python is not installed (make installs it)", allow_module_level=True)
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` to run the sandbox page's browser tests "
        "(.ci/run installs it)",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
# The bot answers in milliseconds, but a machine busy with other test workers can take seconds.
expect.set_options(timeout=15_000)
SCREENSHOT = ROOT / "docs" / "sandbox.png"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sandbox]:
    folder = tmp_path_factory.mktemp("sandbox")
    box = Sandbox(
        folder / "sandbox.sqlite3",
        port=0,
        seed=seed_sample_world,
        settings_overrides={"_env_file": None, "throttle_rate": 0},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(box.run(stop))
    ready = asyncio.create_task(box.ready.wait())
    await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    yield box
    stop.set()
    await asyncio.wait_for(task, 30)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Page]:
    context = await browser.new_context(
        viewport={"width": 1100, "height": 780}, locale="kk-KZ", accept_downloads=True
    )
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(sandbox.url)
    await expect(page.locator("#users li").first).to_be_visible()
    yield page
    await context.close()
    assert problems == []


async def press(page: Page, label: str) -> None:
    """The newest inline button with this label (as a user taps the last message's keyboard)."""
    await page.locator(".inline-keyboard button", has_text=label).last.click()


async def says(page: Page, phrase: str) -> None:
    await expect(page.locator("#messages")).to_contain_text(phrase)


async def test_a_kazakh_volunteer_onboards_and_registers_for_an_event(page: Page, tmp_path: Path) -> None:
    form = page.locator("#new-user")
    await form.locator("input[name=name]").fill("Айгерім")
    await form.locator("select[name=language]").select_option("kk")
    await form.locator("select[name=role]").select_option("new")
    await form.get_by_role("button", name="Add user").click()
    await expect(page.locator("#users li.active")).to_contain_text("Айгерім")

    await page.locator("#reply-keyboard").get_by_role("button", name="START").click()
    await says(page, "Belsendi сізбен қай тілде сөйлессін?")
    await press(page, "Қазақша")
    await says(page, "Belsendi-нің осы деректерді сақтауына келісесіз бе?")
    await press(page, "✅ Келісемін")
    await says(page, "Belsendi-де сіз кімсіз?")
    await press(page, "Ерікті")
    await says(page, "Қай өңірдесіз?")
    await press(page, "Ақтөбе облысы")
    await says(page, "Басты мәзір")
    # One message became each next question: edited in place, not piled up.
    assert await page.locator(".msg:not(.mine)").count() == 1

    await press(page, "🌿 Экологиялық іс-шаралар")
    await press(page, "Елек өзенінің жағалауын тазалау")
    await says(page, "Қолғап пен қаптар беріледі")
    await press(page, "✅ Тіркелу")
    await expect(page.locator("#toast")).to_contain_text("✅ Сіз тіркелдіңіз.")
    await says(page, "✅ Сіз тіркелдіңіз.")
    # The card's formatting is Telegram's: its title in bold, and no tag shown as text.
    await expect(page.locator(".bubble b", has_text="Елек өзенінің жағалауын тазалау").last).to_be_visible()
    assert "<b>" not in await page.locator("#messages").inner_text()

    shot = tmp_path / "sandbox.png"
    await page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, SCREENSHOT)


async def test_an_organizer_switches_users_and_the_clock_jumps(page: Page, sandbox: Sandbox) -> None:
    await page.locator("#users li", has_text="Данияр").click()
    await says(page, "«Іс-шара ұйымдастырушысы»")  # the approval the seed made
    await page.locator("[data-jump='86400']").click()
    await expect(page.locator("#clock-now")).to_contain_text("(+1 d 0 h)")
    assert sandbox.clock.offset.total_seconds() == 86400


async def test_the_page_fits_a_phone(browser: Browser, sandbox: Sandbox) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{sandbox.url}/#user=200002")
    await says(page, "")
    await expect(page.locator("#people")).to_be_hidden()  # the user list folds away
    await page.locator("#show-people").click()
    await expect(page.locator("#people")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    await context.close()


async def bot_call(sandbox: Sandbox, method: str, **params: Any) -> dict[str, Any]:
    """What the bot would call: the fake Bot API with the sandbox's token (files as multipart)."""
    url = f"{sandbox.url}/bot{TOKEN}/{method}"
    async with aiohttp.ClientSession() as http:
        if any(isinstance(value, bytes) for value in params.values()):
            form = aiohttp.FormData()
            for key, value in params.items():
                if isinstance(value, bytes):
                    form.add_field(key, value, filename="report.txt" if key == "document" else "photo.jpg")
                else:
                    form.add_field(key, value if isinstance(value, str) else json.dumps(value))
            response = await http.post(url, data=form)
        else:
            response = await http.post(url, json=params)
        body: dict[str, Any] = await response.json()
    assert body["ok"], body
    return body["result"]  # type: ignore[no-any-return]


async def test_telegram_formatting_media_and_keyboards_render_as_in_telegram(
    page: Page, sandbox: Sandbox
) -> None:
    chat = 200002  # Ольга, seeded
    await page.locator("#users li", has_text="Ольга").click()
    formatted = await bot_call(
        sandbox,
        "sendMessage",
        chat_id=chat,
        parse_mode="HTML",
        text=(
            "<b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <code>x = 1</code>"
            '<pre><code class="language-python">print(1)</code></pre>'
            '<a href="https://example.org/">a link</a> <blockquote>quoted</blockquote>'
            "<tg-spoiler>hidden</tg-spoiler> &lt;script&gt;alert(1)&lt;/script&gt;"
        ),
    )
    bubble = page.locator(f'.msg[data-id="{formatted["message_id"]}"] .bubble')
    for selector, text in (
        ("b", "bold"),
        ("i", "italic"),
        ("u", "under"),
        ("s", "struck"),
        ("code", "x = 1"),
        ("pre code.language-python", "print(1)"),
        ("a[href='https://example.org/']", "a link"),
        ("blockquote", "quoted"),
        (".spoiler", "hidden"),
    ):
        await expect(bubble.locator(selector).first).to_have_text(text)
    await expect(bubble).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    assert await bubble.locator("script").count() == 0

    await bot_call(
        sandbox,
        "editMessageText",
        chat_id=chat,
        message_id=formatted["message_id"],
        text="<b>edited</b> in place",
        parse_mode="HTML",
    )
    await expect(bubble).to_contain_text("edited in place")
    await expect(bubble.locator(".meta")).to_contain_text("edited")

    venue = await bot_call(
        sandbox,
        "sendVenue",
        chat_id=chat,
        latitude=43.2402,
        longitude=76.9458,
        title="Сенбілік",
        address="Абай даңғылы, 14, Алматы",
    )
    place = page.locator(f'.msg[data-id="{venue["message_id"]}"]')
    await expect(place).to_contain_text("Абай даңғылы, 14, Алматы")
    link = place.locator("a[href*='openstreetmap.org']")
    assert "mlat=43.2402&mlon=76.9458" in (await link.get_attribute("href") or "")

    document = await bot_call(sandbox, "sendDocument", chat_id=chat, document=b"report body", caption="Есеп")
    file_link = page.locator(f'.msg[data-id="{document["message_id"]}"] a.file')
    await expect(file_link).to_contain_text("report.txt")
    async with page.expect_download() as download_info:
        await file_link.click()
    download = await download_info.value
    assert await asyncio.to_thread(Path(await download.path()).read_bytes) == b"report body"

    photo = await bot_call(sandbox, "sendPhoto", chat_id=chat, photo=b"\xff\xd8\xff\xe0 not decoded")
    await expect(page.locator(f'.msg[data-id="{photo["message_id"]}"] img')).to_be_visible()
    await bot_call(sandbox, "deleteMessage", chat_id=chat, message_id=photo["message_id"])
    await expect(page.locator(f'.msg[data-id="{photo["message_id"]}"]')).to_have_count(0)

    await bot_call(
        sandbox,
        "sendMessage",
        chat_id=chat,
        text="Share?",
        reply_markup={
            "keyboard": [[{"text": "📱 Contact", "request_contact": True}]],
            "resize_keyboard": True,
        },
    )
    await page.locator("#reply-keyboard").get_by_role("button", name="📱 Contact").click()
    await expect(page.locator(".msg.mine").last).to_contain_text("📱 Ольга")
    await bot_call(
        sandbox,
        "sendMessage",
        chat_id=chat,
        text="Where?",
        reply_markup={"keyboard": [[{"text": "📍 Here", "request_location": True}]]},
    )
    page.once("dialog", lambda dialog: dialog.accept("50.2797, 57.2072"))
    await page.locator("#reply-keyboard").get_by_role("button", name="📍 Here").click()
    await expect(page.locator(".msg.mine").last).to_contain_text("50.27970, 57.20720")
    shared = [event["message"] for event in sandbox.telegram.user(chat).chat.events.since(0)]
    assert any("contact" in message for message in shared)
    assert {"latitude": 50.2797, "longitude": 57.2072} in [message.get("location") for message in shared]

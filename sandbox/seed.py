"""The sandbox's starting world: an admin, an approved organizer, a Russian-speaking volunteer and a
few published eco events in Aktobe, Astana and Almaty, all made through the bot's own services.

One function, so that a sample loader (events import, grants catalogue) is wired in one place.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.grants_cli import SAMPLE_AHEAD, SAMPLE_CATALOGUE
from bot.services.events import EventDraft
from bot.services.grant_import import read_catalogue, shift_forward

if TYPE_CHECKING:
    from .server import Sandbox

ALMATY = ZoneInfo("Asia/Almaty")


def _at(now: datetime, days: int, hour: int) -> datetime:
    """`hour` o'clock in Kazakhstan, `days` days after today."""
    day = now.astimezone(ALMATY).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=ALMATY)


def sample_events(now: datetime) -> list[EventDraft]:
    """Realistic eco events, dated from `now` (the sandbox's clock) so that they are always ahead."""
    return [
        EventDraft(
            title_kk="Елек өзенінің жағалауын тазалау",
            title_ru="Уборка берега реки Илек",
            description_kk="Қолғап пен қаптар беріледі. Жабық аяқ киіммен келіңіз.",
            description_ru="Перчатки и мешки выдаём. Приходите в закрытой обуви.",
            category="cleanup",
            region="aktobe",
            city="Ақтөбе",
            address="Елек өзенінің жағалауы, Әбілқайыр хан даңғылындағы көпірдің жанында",
            latitude=50.2797,
            longitude=57.2072,
            starts_at=_at(now, 2, 10),
            ends_at=_at(now, 2, 13),
            contact="+77013334455",
            capacity=30,
        ),
        EventDraft(
            title_kk="Ботаникалық бақта ағаш отырғызу",
            title_ru="Посадка деревьев в Ботаническом саду",
            description_kk="Қайың мен шырша көшеттерін отырғызамыз. Күрек беріледі.",
            description_ru="Сажаем саженцы берёзы и ели. Лопаты выдаём.",
            category="tree_planting",
            region="astana",
            city="Астана",
            address="Астана ботаникалық бағы, Орынбор көшесі",
            latitude=51.1105,
            longitude=71.4152,
            starts_at=_at(now, 4, 11),
            ends_at=_at(now, 4, 15),
            contact="+77172556677",
            capacity=2,  # small: the third volunteer waits in line, and an offer can be watched
        ),
        EventDraft(
            title_kk="Пластикті бөлек жинау: шеберхана",
            title_ru="Раздельный сбор пластика: мастер-класс",
            description_kk="Пластиктің түрлерін ажыратуды және қайда тапсыруды үйренеміз.",
            description_ru="Учимся различать виды пластика и узнаём, куда их сдавать.",
            category="recycling",
            region="almaty",
            city="Алматы",
            address="Абай даңғылы, 14, Алматы",
            latitude=43.2402,
            longitude=76.9458,
            starts_at=_at(now, 1, 18),
            ends_at=_at(now, 1, 20),
            contact="+77272223344",
            capacity=40,
        ),
        EventDraft(
            title_kk="Үлкен Алматы көлі маңындағы сенбілік",
            title_ru="Субботник у Большого Алматинского озера",
            category="cleanup",
            region="almaty",
            city="Алматы",
            address="Үлкен Алматы көлі, Іле Алатауы ұлттық паркі",
            latitude=43.0506,
            longitude=76.9856,
            starts_at=_at(now, 6, 9),
            ends_at=_at(now, 6, 14),
            contact="+77015556677",
        ),
    ]


async def seed_sample_world(sandbox: Sandbox) -> None:
    """Users with their roles, the organizer's events, published, and the sample grant catalogue."""
    await sandbox.add_user("Әсел", "kk", "admin", region="astana")
    organizer = await sandbox.add_user("Данияр", "kk", "organizer", region="aktobe")
    await sandbox.add_user("Ольга", "ru", "volunteer", region="almaty")
    events = sandbox.application.events
    for draft in sample_events(sandbox.clock.now()):
        event = await events.create(organizer.id, draft)
        await events.publish(organizer.id, event.id)
    grants = read_catalogue(SAMPLE_CATALOGUE, sandbox.application.settings.tz)
    now = sandbox.clock.now()
    await sandbox.application.grants.import_calls(shift_forward(grants, now, ahead=SAMPLE_AHEAD))

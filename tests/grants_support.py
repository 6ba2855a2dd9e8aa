"""What the grant tests share: a call as an import would give it, and a small catalogue in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.grants import GrantKind, Sector
from bot.services.grants import GrantDraft, GrantService


def call(now: datetime, external_id: str, **changes: object) -> GrantDraft:
    values: dict[str, object] = {
        "external_id": external_id,
        "title_kk": "Жалпы грант",
        "title_ru": "Общий грант",
        "funder": "Қор / Фонд",
        "kind": GrantKind.FOUNDATION,
        "sectors": (Sector.OTHER,),
        "deadline": now + timedelta(days=30),
        "how_to_apply": "https://example.org/apply",
        "amount_min": 1_000_000,
        "amount_max": 3_000_000,
    }
    values.update(changes)
    return GrantDraft(**values)  # type: ignore[arg-type]


def catalogue(now: datetime) -> list[GrantDraft]:
    """Five open calls and a closed one."""
    return [
        call(
            now,
            "youth-aktobe",
            title_kk="Ақтөбе жастарына арналған грант",
            title_ru="Грант для молодежи Актобе",
            summary_kk="Жастар ұйымдарының бастамаларына қолдау.",
            summary_ru="Поддержка инициатив молодежных организаций.",
            sectors=(Sector.YOUTH,),
            regions=("aktobe",),
            deadline=now + timedelta(days=14, hours=2),
            amount_min=2_000_000,
            amount_max=8_000_000,
            youth_organizations=True,
            initiative_groups_allowed=True,
        ),
        call(
            now,
            "trees",
            title_kk="Ағаш отырғызу",
            title_ru="Посадка деревьев",
            summary_kk="Өтінімді ағаш отырғызатын бастамашыл топтар береді.",
            sectors=(Sector.ECOLOGY,),
            deadline=now + timedelta(days=5),
            amount_min=None,
            amount_max=500_000,
        ),
        call(
            now,
            "health-almaty",
            title_kk="Денсаулық сақтау жобалары",
            title_ru="Проекты в здравоохранении",
            sectors=(Sector.HEALTH,),
            regions=("almaty",),
            deadline=now + timedelta(days=60),
            amount_min=10_000_000,
            amount_max=30_000_000,
        ),
        call(
            now,
            "youth-all",
            title_kk="Жастар волонтерлігі",
            title_ru="Молодежное волонтерство",
            sectors=(Sector.YOUTH, Sector.CIVIC),
            deadline=now + timedelta(days=40),
        ),
        call(
            now,
            "sport-karaganda",
            title_kk="Аулалық спорт",
            title_ru="Дворовый спорт",
            sectors=(Sector.SPORT,),
            regions=("karaganda",),
            deadline=now + timedelta(days=20),
        ),
        call(now, "past", title_ru="Прошедший молодежный конкурс", deadline=now - timedelta(days=1)),
    ]


async def ids_by_external_id(grants: GrantService, now: datetime) -> dict[str, int]:
    outcome = await grants.import_calls(catalogue(now))
    drafts = catalogue(now)
    return {draft.external_id or "": grant_id for draft, grant_id in zip(drafts, outcome.added, strict=True)}

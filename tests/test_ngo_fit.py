"""How well a grant call fits an NGO's profile (bot/domain/ngo_profiles.py: grant_fit), each reason on its
own and together, and the marks as the catalogue words them in Kazakh and Russian."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from bot.domain.grants import Sector
from bot.domain.ngo_profiles import (
    Finding,
    InvalidProfileError,
    LegalForm,
    Listed,
    NgoProfile,
    Reason,
    Verdict,
    grant_fit,
    parse_profile,
)
from bot.i18n import Catalogs
from bot.views.ngo_profiles import fit_line, fit_lines


@dataclass(frozen=True)
class Call:
    legal_entity_only: bool = False
    ngo_database_required: bool = False
    youth_organizations: bool = False
    initiative_groups_allowed: bool = False
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ("youth",)


ASSOCIATION = NgoProfile(
    legal_form=LegalForm.PUBLIC_ASSOCIATION,
    listed=Listed.YES,
    region="aktobe",
    sectors=(Sector.EDUCATION, Sector.YOUTH),
    youth=True,
)
GROUP = replace(ASSOCIATION, legal_form=LegalForm.INITIATIVE_GROUP, listed=Listed.NO)


def reasons(profile: NgoProfile, call: Call) -> tuple[Verdict, list[Reason]]:
    fit = grant_fit(profile, call)
    return fit.verdict, [finding.reason for finding in fit.reasons]


def test_a_call_for_all_of_kazakhstan_in_a_shared_sector_fits() -> None:
    fit = grant_fit(ASSOCIATION, Call(sectors=("youth", "health")))
    assert fit.verdict is Verdict.FITS
    assert fit.reasons == (Finding(Reason.ALL_REGIONS), Finding(Reason.SECTORS_OK, sectors=("youth",)))


def test_a_call_for_the_ngos_region_names_it() -> None:
    fit = grant_fit(ASSOCIATION, Call(regions=("aktobe", "almaty"), youth_organizations=True))
    assert fit.verdict is Verdict.FITS
    assert [f.reason for f in fit.reasons] == [Reason.YOUTH_OK, Reason.REGION_OK, Reason.SECTORS_OK]
    assert fit.reasons[1].regions == ("aktobe",)


@pytest.mark.parametrize(
    ("profile", "call", "verdict", "expected"),
    [
        # Registration
        (ASSOCIATION, Call(legal_entity_only=True), Verdict.FITS, Reason.LEGAL_ENTITY_OK),
        (GROUP, Call(legal_entity_only=True), Verdict.PROBABLY_NOT, Reason.LEGAL_ENTITY_NO),
        (GROUP, Call(initiative_groups_allowed=True), Verdict.FITS, Reason.INITIATIVE_GROUPS_OK),
        (GROUP, Call(), Verdict.UNSURE, Reason.INITIATIVE_GROUPS_UNSTATED),
        # The national NGO database
        (ASSOCIATION, Call(ngo_database_required=True), Verdict.FITS, Reason.LISTED_OK),
        (
            replace(ASSOCIATION, listed=Listed.NO),
            Call(ngo_database_required=True),
            Verdict.PROBABLY_NOT,
            Reason.LISTED_NO,
        ),
        (
            replace(ASSOCIATION, listed=Listed.UNKNOWN),
            Call(ngo_database_required=True),
            Verdict.UNSURE,
            Reason.LISTED_UNKNOWN,
        ),
        # Youth organizations
        (ASSOCIATION, Call(youth_organizations=True), Verdict.FITS, Reason.YOUTH_OK),
        (
            replace(ASSOCIATION, youth=False),
            Call(youth_organizations=True),
            Verdict.PROBABLY_NOT,
            Reason.YOUTH_NO,
        ),
        # Regions
        (ASSOCIATION, Call(regions=("aktobe",)), Verdict.FITS, Reason.REGION_OK),
        (ASSOCIATION, Call(regions=("almaty",)), Verdict.PROBABLY_NOT, Reason.REGION_NO),
        (ASSOCIATION, Call(), Verdict.FITS, Reason.ALL_REGIONS),
        # Sectors
        # No sector in common: unsure, not against (sectors are often loosely applied to calls)
        (ASSOCIATION, Call(sectors=("health",)), Verdict.UNSURE, Reason.SECTORS_NO),
        (ASSOCIATION, Call(sectors=("other",)), Verdict.UNSURE, Reason.SECTORS_OTHER),
        (
            replace(ASSOCIATION, sectors=(Sector.OTHER,)),
            Call(sectors=("health",)),
            Verdict.UNSURE,
            Reason.SECTORS_OTHER,
        ),
    ],
)
def test_each_reason(profile: NgoProfile, call: Call, verdict: Verdict, expected: Reason) -> None:
    got_verdict, got = reasons(profile, call)
    assert got_verdict is verdict
    assert expected in got


def test_a_reason_against_outweighs_unsure_ones_and_those_for() -> None:
    call = Call(
        legal_entity_only=True, ngo_database_required=True, youth_organizations=True, regions=("aktobe",)
    )
    verdict, got = reasons(replace(GROUP, listed=Listed.UNKNOWN), call)
    assert verdict is Verdict.PROBABLY_NOT
    assert got == [Reason.LEGAL_ENTITY_NO]  # only what decided it; the card lists the rest
    fit = grant_fit(replace(GROUP, listed=Listed.UNKNOWN), call)
    assert [f.reason for f in fit.findings] == [
        Reason.LEGAL_ENTITY_NO,
        Reason.LISTED_UNKNOWN,
        Reason.YOUTH_OK,
        Reason.REGION_OK,
        Reason.SECTORS_OK,
    ]


def test_unsure_ones_outweigh_those_for() -> None:
    verdict, got = reasons(replace(GROUP, listed=Listed.UNKNOWN), Call(ngo_database_required=True))
    assert verdict is Verdict.UNSURE
    assert got == [Reason.INITIATIVE_GROUPS_UNSTATED, Reason.LISTED_UNKNOWN]


def test_every_reason_against_is_given() -> None:
    call = Call(youth_organizations=True, regions=("almaty", "astana"), sectors=("health",))
    verdict, got = reasons(replace(ASSOCIATION, youth=False), call)
    assert verdict is Verdict.PROBABLY_NOT
    assert got == [Reason.YOUTH_NO, Reason.REGION_NO]  # the sectors' mismatch is only unsure
    assert grant_fit(replace(ASSOCIATION, youth=False), call).deciding == Finding(Reason.YOUTH_NO)


def test_a_sector_mismatch_alone_leaves_it_unsure_not_probably_not() -> None:
    # Region and eligibility fit; only the sectors differ: the NGO judges, it is not ruled out.
    fit = grant_fit(ASSOCIATION, Call(regions=("aktobe",), legal_entity_only=True, sectors=("health",)))
    assert fit.verdict is Verdict.UNSURE
    assert fit.deciding == Finding(Reason.SECTORS_NO, sectors=("health",))
    # With a region against as well, the region decides, and is the one reason a list line gives.
    against = grant_fit(ASSOCIATION, Call(regions=("almaty",), sectors=("health",)))
    assert against.verdict is Verdict.PROBABLY_NOT
    assert against.deciding == Finding(Reason.REGION_NO, regions=("almaty",))


def test_the_deciding_reason_is_the_first_against_else_the_first_unsure_else_none() -> None:
    unsure = grant_fit(replace(GROUP, listed=Listed.UNKNOWN), Call(ngo_database_required=True))
    assert unsure.deciding == Finding(Reason.INITIATIVE_GROUPS_UNSTATED)
    assert grant_fit(ASSOCIATION, Call()).deciding is None


def test_every_verdict_has_a_reason() -> None:
    calls = [
        Call(legal_entity_only=a, ngo_database_required=b, youth_organizations=c, initiative_groups_allowed=d)
        for a in (False, True)
        for b in (False, True)
        for c in (False, True)
        for d in (False, True)
    ]
    profiles = [
        replace(ASSOCIATION, legal_form=form, listed=listed, youth=youth)
        for form in LegalForm
        for listed in Listed
        for youth in (False, True)
    ]
    for profile in profiles:
        for call in calls:
            assert grant_fit(profile, call).reasons


def test_parse_profile_refuses_what_no_button_offers() -> None:
    good = ("association", "yes", "aktobe", ["youth"], True)
    assert parse_profile(*good).sectors == (Sector.YOUTH,)
    for bad in (
        ("ngo", "yes", "aktobe", ["youth"], True),
        ("association", "maybe", "aktobe", ["youth"], True),
        ("association", "yes", "atlantis", ["youth"], True),
        ("association", "yes", "aktobe", [], True),
        ("association", "yes", "aktobe", ["youth", "charity"], True),
        ("association", "yes", "aktobe", ["youth"], "1"),
        (None, "yes", "aktobe", ["youth"], True),
    ):
        with pytest.raises(InvalidProfileError):
            parse_profile(*bad)  # type: ignore[arg-type]
    # The order of the sectors is the catalogue's, duplicates gone.
    assert parse_profile("group", "no", "aktobe", ["youth", "education", "youth"], False).sectors == (
        Sector.EDUCATION,
        Sector.YOUTH,
    )


def test_the_marks_in_kazakh_and_russian(catalogs: Catalogs) -> None:
    kk, ru = catalogs["kk"], catalogs["ru"]
    group_fit = grant_fit(GROUP, Call(legal_entity_only=True))
    assert fit_line(ru, GROUP, group_fit) == (
        "⛔ Скорее не подходит: только для зарегистрированных юрлиц; вы — инициативная группа"
    )
    assert fit_line(kk, GROUP, group_fit) == (
        "⛔ Сізге сәйкес келмеуі мүмкін: тек тіркелген заңды тұлғаларға арналған; "
        "ұйымыңыздың нысаны — бастамашыл топ"
    )
    unknown = replace(ASSOCIATION, listed=Listed.UNKNOWN)
    unknown_fit = grant_fit(unknown, Call(ngo_database_required=True))
    assert fit_line(ru, unknown, unknown_fit) == (
        "❔ Неясно, подходит ли: для включённых в национальную базу НПО; вы не указали, есть ли вы в ней"
    )
    assert fit_line(kk, unknown, unknown_fit) == (
        "❔ Сәйкес келетіні белгісіз: ҮЕҰ ұлттық дерекқорына енгізілген ұйымдарға арналған; "
        "ұйымыңыздың дерекқорда бар-жоғын көрсетпедіңіз"
    )
    # A call that fits: the list says so and no more (the card gives every reason).
    fits = grant_fit(ASSOCIATION, Call(regions=("aktobe",), youth_organizations=True))
    assert fit_line(ru, ASSOCIATION, fits) == "✅ Подходит вам"
    assert fit_line(kk, ASSOCIATION, fits) == "✅ Сізге сәйкес"
    # Other regions: the one reason against, with the region named as a region.
    astana = grant_fit(ASSOCIATION, Call(regions=("astana",), youth_organizations=True, sectors=("health",)))
    assert fit_line(ru, ASSOCIATION, astana) == (
        "⛔ Скорее не подходит: только для региона: Астана; ваш регион — Актюбинская область"
    )
    assert fit_line(kk, ASSOCIATION, astana) == (
        "⛔ Сізге сәйкес келмеуі мүмкін: тек мына өңірге арналған: Астана; сіздің өңіріңіз — Ақтөбе облысы"
    )
    two = grant_fit(ASSOCIATION, Call(regions=("astana", "almaty")))
    assert "только для регионов: Алматы, Астана;" in fit_line(ru, ASSOCIATION, two)


def test_the_kazakh_reasons_say_it_of_the_organization(catalogs: Catalogs) -> None:
    kk = catalogs["kk"]
    call = Call(legal_entity_only=True, ngo_database_required=True, youth_organizations=True)
    lines = fit_lines(kk, ASSOCIATION, grant_fit(ASSOCIATION, call))
    assert lines[1:4] == [
        "✅ тіркелген заңды тұлғаларға арналған: ұйымыңыз — заңды тұлға",
        "✅ ҮЕҰ ұлттық дерекқорына енгізілген ұйымдарға арналған: ұйымыңыз дерекқорда бар",
        "✅ жастар ұйымдарына арналған: ұйымыңыз — жастар ұйымы",
    ]
    text = "\n".join(lines)
    for wrong in ("заңды тұлғасыз", "сіздікі", "сіз онда барсыз", "дерекқорындағыларға"):
        assert wrong not in text


def test_the_card_lists_every_finding(catalogs: Catalogs) -> None:
    ru = catalogs["ru"]
    call = Call(
        regions=("almaty", "astana", "shymkent", "karaganda"), sectors=("health",), youth_organizations=True
    )
    lines = fit_lines(ru, ASSOCIATION, grant_fit(ASSOCIATION, call))
    assert lines[0] == "<b>⛔ Скорее не подходит</b>"
    assert lines[1] == "✅ для молодёжных организаций: ваша — молодёжная"
    # Four regions: the first three in the alphabet, then "…"; and the NGO's own.
    assert lines[2] == (
        "⛔ только для регионов: Алматы, Астана, Карагандинская область, …; ваш регион — Актюбинская область"
    )
    assert lines[3] == "❔ для сфер: Здоровье; ваши сферы: Образование, Молодёжь"  # unsure, not against

"""Kazakhstan's 17 regions and the three cities of republican significance."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str  # a msgid: translate at render time
    is_city: bool = False


REGIONS: tuple[Region, ...] = (
    Region("astana", N_("Astana"), is_city=True),
    Region("almaty", N_("Almaty"), is_city=True),
    Region("shymkent", N_("Shymkent"), is_city=True),
    Region("abai", N_("Abai Region")),
    Region("akmola", N_("Akmola Region")),
    Region("aktobe", N_("Aktobe Region")),
    Region("almaty_reg", N_("Almaty Region")),
    Region("atyrau", N_("Atyrau Region")),
    Region("east_kz", N_("East Kazakhstan Region")),
    Region("jambyl", N_("Jambyl Region")),
    Region("jetisu", N_("Jetisu Region")),
    Region("karaganda", N_("Karaganda Region")),
    Region("kostanay", N_("Kostanay Region")),
    Region("kyzylorda", N_("Kyzylorda Region")),
    Region("mangystau", N_("Mangystau Region")),
    Region("north_kz", N_("North Kazakhstan Region")),
    Region("pavlodar", N_("Pavlodar Region")),
    Region("turkistan", N_("Turkistan Region")),
    Region("ulytau", N_("Ulytau Region")),
    Region("west_kz", N_("West Kazakhstan Region")),
)

REGIONS_BY_CODE = {region.code: region for region in REGIONS}

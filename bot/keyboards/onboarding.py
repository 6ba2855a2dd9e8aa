"""Buttons of the first conversation: language, consent, role, region."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from bot.collation import sorted_by_alphabet
from bot.i18n import LANGUAGE_NAMES
from bot.keyboards import button, inline_keyboard
from bot.keyboards.layout import columns_that_fit, row_widths
from bot.services.regions import REGIONS
from bot.services.roles import ROLE_NAMES


def language_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard(
        [button(name, LanguageCallback(code=code)) for code, name in LANGUAGE_NAMES.items()], (2,)
    )


def consent_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard(
        [
            button(_("✅ I agree"), ConsentCallback(agree=True)),
            button(_("✖️ No, thanks"), ConsentCallback(agree=False)),
        ],
        (2,),
    )


def role_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([button(_(name), RoleCallback(role=role)) for role, name in ROLE_NAMES.items()])


def region_keyboard() -> InlineKeyboardMarkup:
    """Cities first, then regions in the alphabetical order of the user's language; side by side only
    where every name fits."""
    cities = [(region, _(region.name)) for region in REGIONS if region.is_city]
    regions = sorted_by_alphabet(
        [(region, _(region.name)) for region in REGIONS if not region.is_city],
        lambda pair: pair[1],
        get_i18n().current_locale,
    )
    groups = [cities, regions]
    widths = row_widths(
        [len(group) for group in groups],
        [columns_that_fit([name for _region, name in group], max_columns=3) for group in groups],
    )
    return inline_keyboard(
        [button(name, RegionCallback(code=region.code)) for region, name in cities + regions], widths
    )

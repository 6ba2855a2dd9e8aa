"""Phone numbers, kept as + and digits: shared through Telegram's contact button or typed by hand."""

from __future__ import annotations

import re
from enum import StrEnum

# What people put between digits: spaces (no-break ones too), brackets, dashes and dots.
_SEPARATORS = re.compile(r"[\s().\-\u2010-\u2015]")
_INTERNATIONAL = re.compile(r"^\d{10,15}$")
KAZAKHSTAN_DIGITS = 10  # after the country code +7 (or the trunk prefix 8): 7xx xxx xx xx


class PhoneProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    WRONG_LENGTH = "wrong_length"


class InvalidPhoneError(ValueError):
    """Why a number cannot be kept."""

    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def phone_from_contact(raw: str) -> str:
    """A number from Telegram's contact button: always international, with or without the +."""
    digits = _SEPARATORS.sub("", raw).removeprefix("+")
    if not _INTERNATIONAL.match(digits):
        raise InvalidPhoneError(PhoneProblem.NOT_A_NUMBER)
    return "+" + digits


def phone_from_typed(raw: str) -> str:
    """A number typed by hand, as people in Kazakhstan write it, in the contact button's format.

    +7 701 234 56 78, 8 (701) 234-56-78, 7 701 234 56 78 and 701 234 56 78 all give +77012345678;
    another country's number needs its + and code (+998 90 123 45 67 gives +998901234567).
    """
    compact = _SEPARATORS.sub("", raw)
    if not re.fullmatch(r"\+?\d+", compact):
        raise InvalidPhoneError(PhoneProblem.NOT_A_NUMBER)
    if compact.startswith("+7"):
        national = compact[2:]
    elif compact.startswith("+"):
        return phone_from_contact(compact)
    elif compact.startswith("8") or (compact.startswith("7") and len(compact) > KAZAKHSTAN_DIGITS):
        national = compact[1:]
    elif compact.startswith("7"):
        national = compact  # the prefix left out: 701 234 56 78
    else:
        raise InvalidPhoneError(PhoneProblem.NOT_A_NUMBER)
    if len(national) != KAZAKHSTAN_DIGITS:
        raise InvalidPhoneError(PhoneProblem.WRONG_LENGTH)
    return "+7" + national

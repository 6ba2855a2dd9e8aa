"""The organisation named in an NGO or organizer request: its name, and its BIN (business
identification number) if the user gives one."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.names import clean_name

ORGANIZATION_MIN = 2
ORGANIZATION_MAX = 150
BIN_LENGTH = 12
# What the user types to go on without a BIN.
NO_BIN = frozenset({"-", "—", "–"})

# The BIN's check digit (its 12th): the first 11 digits weighted 1…11, the sum modulo 11; a remainder
# of 10 is tried again with the weights 3…11, 1, 2; a second 10 is no valid number. The rule of
# Kazakhstan's identification numbers (BIN and IIN alike, Government decree No. 565 of 11 June 2003).
_WEIGHTS = (tuple(range(1, 12)), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))


class OrganizationProblem(StrEnum):
    TOO_SHORT = "organization_too_short"
    TOO_LONG = "organization_too_long"
    BIN_NOT_12_DIGITS = "bin_not_12_digits"
    BIN_CHECK_DIGIT = "bin_check_digit"


class InvalidOrganizationError(ValueError):
    def __init__(self, problem: OrganizationProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def organization_name(raw: str) -> str:
    """The name as one clean line, 2-150 characters."""
    name = clean_name(raw)
    if len(name) < ORGANIZATION_MIN:
        raise InvalidOrganizationError(OrganizationProblem.TOO_SHORT)
    if len(name) > ORGANIZATION_MAX:
        raise InvalidOrganizationError(OrganizationProblem.TOO_LONG)
    return name


def organization_bin(raw: str | None) -> str | None:
    """The BIN as 12 digits (spaces people type between groups are dropped), or None for "-" (none)."""
    text = "".join((raw or "").split())
    if not text or text in NO_BIN:
        return None
    if len(text) != BIN_LENGTH or not text.isascii() or not text.isdigit():
        raise InvalidOrganizationError(OrganizationProblem.BIN_NOT_12_DIGITS)
    if not bin_check_digit_fits(text):
        raise InvalidOrganizationError(OrganizationProblem.BIN_CHECK_DIGIT)
    return text


def bin_check_digit_fits(number: str) -> bool:
    digits = [int(char) for char in number]
    for weights in _WEIGHTS:
        remainder = sum(digit * weight for digit, weight in zip(digits, weights, strict=False)) % 11
        if remainder != 10:
            return remainder == digits[11]
    return False

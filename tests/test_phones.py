"""Typed phone numbers (issue 6, point 3): Kazakhstan's +7 and 8 prefixes, in the contact button's format."""

from __future__ import annotations

import pytest

from bot.domain.phones import InvalidPhoneError, PhoneProblem, phone_from_contact, phone_from_typed


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+77011234567", "+77011234567"),
        ("+7 701 123 45 67", "+77011234567"),
        ("8 (701) 123-45-67", "+77011234567"),
        ("87011234567", "+77011234567"),
        ("7 701 123 4567", "+77011234567"),
        ("701.123.45.67", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("8\u00a0727\u00a0250\u201200\u201200", "+77272500000"),  # no-break spaces, figure dashes
        ("+998 90 123 45 67", "+998901234567"),
        ("+49 151 12345678", "+4915112345678"),
    ],
)
def test_typed_numbers_in_the_contact_buttons_format(typed: str, kept: str) -> None:
    assert phone_from_typed(typed) == kept


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", PhoneProblem.NOT_A_NUMBER),
        ("call me", PhoneProblem.NOT_A_NUMBER),
        ("+7 701 123 45 67 ext 2", PhoneProblem.NOT_A_NUMBER),
        ("12345", PhoneProblem.NOT_A_NUMBER),
        ("0701234567", PhoneProblem.NOT_A_NUMBER),
        ("+", PhoneProblem.NOT_A_NUMBER),
        ("+12", PhoneProblem.NOT_A_NUMBER),
        ("8 701 123 45", PhoneProblem.WRONG_LENGTH),
        ("+7 701 123 45 678", PhoneProblem.WRONG_LENGTH),
        ("701 123 45", PhoneProblem.WRONG_LENGTH),
    ],
)
def test_typed_numbers_that_cannot_be_kept_say_why(typed: str, problem: PhoneProblem) -> None:
    with pytest.raises(InvalidPhoneError) as raised:
        phone_from_typed(typed)
    assert raised.value.problem is problem


def test_contact_numbers_are_international_as_telegram_sends_them() -> None:
    assert phone_from_contact("77011234567") == "+77011234567"
    assert phone_from_contact("+4915112345678") == "+4915112345678"
    with pytest.raises(InvalidPhoneError):
        phone_from_contact("12345")

"""Locale facts the skill must get right: above all, which number to call in an emergency."""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_LOCALE = "en-US"


class EmergencyNumber(NamedTuple):
    """An emergency number as printed on a card and as Alexa should say it."""

    digits: str
    spoken: str


# Sources: each country's official emergency-number guidance (911 for the United States and Canada,
# 999 for the United Kingdom, 112 for India's single emergency number, 000 for Australia).
EMERGENCY_NUMBERS: dict[str, EmergencyNumber] = {
    "en-US": EmergencyNumber("911", "nine one one"),
    "en-CA": EmergencyNumber("911", "nine one one"),
    "en-GB": EmergencyNumber("999", "nine nine nine"),
    "en-IN": EmergencyNumber("112", "one one two"),
    "en-AU": EmergencyNumber("000", "triple zero"),
}
SUPPORTED_LOCALES: tuple[str, ...] = tuple(EMERGENCY_NUMBERS)


def emergency_number(locale: str | None) -> EmergencyNumber | None:
    """The emergency number for ``locale``, or None where we do not know it for certain.

    Unknown locales get None so the skill says "your local emergency number" rather than a number
    that might be wrong where the person lives.

    >>> emergency_number("en-GB").digits
    '999'
    >>> emergency_number("fr-FR") is None
    True
    """
    return EMERGENCY_NUMBERS.get(locale or "")

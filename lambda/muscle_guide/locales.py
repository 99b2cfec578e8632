"""Locale facts the skill must get right: above all, which number to call in an emergency."""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_LOCALE = "en-US"


class EmergencyNumber(NamedTuple):
    """A locale's emergency number: as dialled, as printed on a card, and as Alexa says it.

    ``heard`` is what a listener hears (the SSML read back as text), so tests and the interaction
    model can check the spoken form; ``ssml`` is how the speech engine is told to say it: digit
    by digit where that is how the number is said ("nine one one"), and in words where it is not
    (Australians say "triple zero", not "zero zero zero").
    """

    digits: str
    spoken: str
    card: str
    ssml: str
    heard: str


def _digits(number: str) -> str:
    return f'<say-as interpret-as="digits">{number}</say-as>'


# Sources: each country's official emergency-number guidance (911 for the United States and Canada,
# 999 for the United Kingdom, 000 for Australia; India's single emergency number is 112 and its
# ambulance number 108, so both are given).
EMERGENCY_NUMBERS: dict[str, EmergencyNumber] = {
    "en-US": EmergencyNumber("911", "nine one one", "911", _digits("911"), "911"),
    "en-CA": EmergencyNumber("911", "nine one one", "911", _digits("911"), "911"),
    "en-GB": EmergencyNumber("999", "nine nine nine", "999", _digits("999"), "999"),
    "en-IN": EmergencyNumber(
        "112",
        "one one two",
        "112, or 108 for an ambulance",
        f"{_digits('112')}, or {_digits('108')} for an ambulance",
        "112, or 108 for an ambulance",
    ),
    "en-AU": EmergencyNumber(
        "000", "triple zero", "000 (triple zero)", "triple zero", "triple zero"
    ),
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

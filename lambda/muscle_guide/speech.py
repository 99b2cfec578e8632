"""Everything that turns plain text into what Alexa speaks, and back.

Knowledge-base text and phrases are plain English. This module is the only place that escapes them
into SSML, fills in the locale's emergency number, applies the listener's speaking rate, and keeps
the result under Alexa's limits, so no handler can produce invalid SSML by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .locales import emergency_number
from .phrases import phrases

#: Alexa rejects output speech longer than 8,000 characters, tags included.
MAX_SPEECH_CHARS = 8000
#: Card title plus content may not exceed 8,000 characters; we keep well under it.
MAX_CARD_CHARS = 8000
EMERGENCY_TOKEN = "{emergency_number}"
_RATES = {"slow": "90%", "x-slow": "80%"}
#: Only what XML text content needs: quotes stay as they are, since no text goes in attributes
#: (and a speech engine reads "don't" more surely than "don&#x27;t").
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Patterns as strings: the re module compiles each on first use (a launch needs one of them).
_TAG = r"<[^>]*>"
#: Characters XML 1.0 forbids: they make SSML unparseable.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_SPACE = r"\s+"


def escape(text: str) -> str:
    """Make any text safe inside SSML.

    >>> escape('Tom & "Jerry" <3')
    'Tom &amp; "Jerry" &lt;3'
    """
    return re.sub(_CONTROL, "", text.translate(_ESCAPES))


@lru_cache(maxsize=2048)
def to_ssml(text: str, locale: str | None) -> str:
    """Escape plain text and speak the locale's emergency number digit by digit.

    Cached: the skill says the same sentences (phrases, answers) over and over.

    >>> to_ssml("Call {emergency_number} now.", "en-GB")
    'Call <say-as interpret-as="digits">999</say-as> now.'
    >>> to_ssml("Call {emergency_number} now.", "en-AU")
    'Call triple zero now.'
    """
    escaped = escape(text)
    if EMERGENCY_TOKEN not in escaped:
        return escaped
    number = emergency_number(locale)
    spoken = number.ssml if number else "your local emergency number"
    return escaped.replace(EMERGENCY_TOKEN, spoken)


def error_speech(locale: str | None) -> str:
    """What a request that failed says: the apology, what to do, and the safety line.

    One definition, for the exception handler and for events too broken to reach it.
    """
    words = phrases(locale)
    return " ".join(
        to_ssml(words[key], locale) for key in ("error", "safety_line", "error_reprompt")
    )


def to_card(text: str, locale: str | None) -> str:
    """Plain card text with the emergency number written as people dial it.

    >>> to_card("Call {emergency_number} now.", "en-AU")
    'Call 000 (triple zero) now.'
    """
    number = emergency_number(locale)
    return text.replace(EMERGENCY_TOKEN, number.card if number else "your local emergency number")


def join(fragments: Iterable[str], limit: int = MAX_SPEECH_CHARS - 64) -> str:
    """Join SSML fragments with spaces, dropping whole fragments that would pass ``limit``.

    Fragments are never cut, so a tag or entity can never be split in half.

    >>> join(["One.", "", "Two."])
    'One. Two.'
    """
    out: list[str] = []
    size = 0
    for fragment in fragments:
        fragment = fragment.strip()
        if not fragment:
            continue
        if size + len(fragment) + 1 > limit:
            break
        out.append(fragment)
        size += len(fragment) + 1
    return " ".join(out)


def with_rate(ssml: str, rate: str | None) -> str:
    """Wrap speech in a prosody rate for listeners who asked Alexa to speak slower.

    >>> with_rate("Hello.", "slow")
    '<prosody rate="90%">Hello.</prosody>'
    """
    value = _RATES.get(rate or "")
    return f'<prosody rate="{value}">{ssml}</prosody>' if value and ssml else ssml


_OWN_MARKUP = (
    r'<say-as interpret-as="digits">\d{1,4}</say-as>'
    r'|<prosody rate="(?:90|80)%">|</prosody>'
    r"|&(?:amp|lt|gt|quot|#x27);"
)


def is_own_ssml(fragment: object) -> bool:
    """True when ``fragment`` could only have come from this module: our tags, our entities.

    Session attributes come back from the client, so speech kept there for "repeat" is checked
    before it is spoken again; anything else in it (other tags, stray ``<`` or ``&``) is refused.

    >>> is_own_ssml('Call <say-as interpret-as="digits">911</say-as> &amp; wait.')
    True
    >>> is_own_ssml("</speak><audio src='x'/>")
    False
    """
    if not isinstance(fragment, str) or not fragment.strip() or len(fragment) > MAX_SPEECH_CHARS:
        return False
    rest = re.sub(_OWN_MARKUP, "", fragment)
    if "<" in rest or ">" in rest or "&" in rest or re.search(_CONTROL, rest):
        return False
    return fragment.count("<prosody") == fragment.count("</prosody>") <= 1


def plain(ssml: str | None) -> str:
    """What a person hears, as readable text: tags stripped, entities decoded, spaces folded.

    >>> plain('<speak>Call <say-as interpret-as="digits">911</say-as> &amp; wait.</speak>')
    'Call 911 & wait.'
    """
    if not ssml:
        return ""
    import html  # the CLI and tests read speech back; requests never need to

    text = re.sub(_SPACE, " ", html.unescape(re.sub(_TAG, " ", ssml))).strip()
    return text.replace(" .", ".").replace(" ,", ",")

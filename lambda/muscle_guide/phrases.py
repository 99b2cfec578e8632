"""The skill's own sentences (welcome, help, goodbye ...) per locale, from ``data/phrases.json``.

Keeping them in data lets a writer change what Alexa says without touching a handler, and lets a
locale override only the sentences that differ (a G P in Britain, a doctor in the United States).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from .paths import data_file

with open(data_file("phrases.json"), encoding="utf-8") as _handle:
    _PHRASES: dict[str, dict[str, str]] = json.load(_handle)


@lru_cache(maxsize=16)
def phrases(locale: str | None) -> Mapping[str, str]:
    """The sentences for ``locale``, falling back to the default English ones.

    >>> phrases("en-GB")["goodbye"]
    'Goodbye, and take care.'
    """
    merged = dict(_PHRASES["default"])
    merged.update(_PHRASES.get(locale or "", {}))
    return MappingProxyType(merged)


def phrase(locale: str | None, key: str, **fields: str) -> str:
    """One sentence for ``locale``, with its ``{placeholders}`` filled: the one filling helper.

    ``{emergency_number}`` is left for ``speech.to_ssml`` and ``speech.to_card``, which know how
    to say and print it.

    >>> phrase("en-US", "offer", topic="polio")
    'Would you like to hear about polio?'
    """
    text = phrases(locale)[key]
    for name, value in fields.items():
        text = text.replace("{" + name + "}", value)
    return text

"""Red-flag screening: words that mean "call for emergency help now", caught before any handler.

The patterns live in ``data/red_flags.json`` with their sources. They are deliberately specific:
a false alarm on "why are my legs weak after running" would teach people to ignore the real one.
"""

from __future__ import annotations

import json
import os
import re
from typing import NamedTuple

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "red_flags.json")
_CONTRACTIONS = (
    (re.compile(r"\b(can ?not|can't|cant|couldn't|couldnt)\b"), "cant"),
    (re.compile(r"\b(won't|wont)\b"), "wont"),
)
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


class _Sign(NamedTuple):
    name: str
    pattern: re.Pattern[str]  # the sign's patterns joined into one alternation
    requires: re.Pattern[str] | None


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One regex for a list of them: one scan of the text instead of one per pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _load() -> tuple[tuple[_Sign, ...], re.Pattern[str]]:
    with open(_DATA, encoding="utf-8") as handle:
        data = json.load(handle)
    signs = tuple(
        _Sign(
            name,
            _alternation(entry["patterns"]),
            re.compile(entry["requires"]) if entry.get("requires") else None,
        )
        for name, entry in data["signs"].items()
    )
    return signs, _alternation(data["never"])


_compiled: tuple[tuple[_Sign, ...], re.Pattern[str]] | None = None


def _patterns() -> tuple[tuple[_Sign, ...], re.Pattern[str]]:
    """The compiled patterns, built on the first screening (a launch never needs them)."""
    global _compiled
    if _compiled is None:
        _compiled = _load()
    return _compiled


def fold(text: str) -> str:
    """Lower case, contractions folded, punctuation gone: the form the patterns expect.

    >>> fold("My dad CAN'T lift his arm!")
    'my dad cant lift his arm'
    """
    text = text.lower().replace("\u2019", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _NON_WORD.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


def red_flag(text: str | None) -> str | None:
    """The first warning sign named in ``text``, or None.

    >>> red_flag("my face is drooping")
    'face'
    >>> red_flag("why are my legs weak after running") is None
    True
    """
    if not text:
        return None
    signs, never = _patterns()
    folded = fold(text[:2000])
    if never.search(folded):
        return None
    for sign in signs:
        if sign.requires is not None and not sign.requires.search(folded):
            continue
        if sign.pattern.search(folded):
            return sign.name
    return None

"""Turns that steer the conversation instead of asking: "thanks, that's all", "the second one".

The words live in ``data/dialogue.json``. The interaction model's ``ThanksIntent`` and
``ChooseIntent`` catch most of them; these readers catch the same words when they arrive as a
free question (Alexa's free-question slot takes almost anything).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .paths import data_file

#: ``ChooseIntent``'s slot values, by id: a position in the menu just given (-1 is the last).
CHOICE_POSITIONS = {"first": 0, "second": 1, "third": 2, "last": -1}
#: Words before the choice itself: "i'll take the second one", "give me number two".
_LEADING = (
    r"^(?:(?:i(?:ll| will)? (?:take|want|choose|pick)|give me|lets (?:have|do)|id like|"
    r"tell me about|go with|choose|pick) )?"
)


@cache
def _data() -> dict[str, Any]:
    with open(data_file("dialogue.json"), encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


#: Longer than this is a question, not a goodbye (and keeps the pattern's work bounded).
MAX_CLOSING_CHARS = 80
#: Every closing holds one of these words: without one, the pattern need not be compiled.
_CLOSING_WORDS = frozenset(
    {
        "thank", "thanks", "thankyou", "cheers", "ta", "bye", "goodbye", "all", "it",
        "everything", "enough", "done", "finished", "good", "nothing", "see", "more",
    }
)  # fmt: skip


@cache
def _closing() -> re.Pattern[str]:
    """One or more closing phrases in a row: "okay thank you", "thanks that's all, bye"."""
    return re.compile(rf"(?:(?:{_data()['closing']})(?: please)?(?: |$))+")


def _normal(text: str) -> str:
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def is_closing(text: str) -> bool:
    """True for "thank you", "that's all", "no thanks", "bye": the person is done.

    >>> is_closing("Thanks, that's all"), is_closing("thanks for the information alexa")
    (True, True)
    >>> is_closing("thank you what causes weakness"), is_closing("")
    (False, False)
    """
    words = _normal(text)
    if not words or len(words) > MAX_CLOSING_CHARS or _CLOSING_WORDS.isdisjoint(words.split()):
        return False
    return _closing().fullmatch(words + " ") is not None


def choice_position(text: str) -> int | None:
    """The menu position a free answer picks ("the second one", "number three"), if any.

    >>> choice_position("the second one"), choice_position("last"), choice_position("polio")
    (1, -1, None)
    """
    words = re.sub(_LEADING, "", _normal(text)).strip()
    position = _data()["choices"].get(words)
    return position if isinstance(position, int) else None


@cache
def _phrases(key: str) -> tuple[str, ...]:
    """A word list from the data, each entry padded with spaces for a whole-word test."""
    return tuple(f" {phrase} " for phrase in _data()[key])


def _says(words: str, key: str) -> bool:
    """Whether the normalised words hold one of the phrases under ``key``, as whole words.

    A padded substring test, not a regular expression: it needs no compiling, which a cold
    start's first question would otherwise pay for.
    """
    padded = f" {words} "
    return any(phrase in padded for phrase in _phrases(key))


def is_request(text: str) -> bool:
    """True for errands and other services: "order more dog food", "set a reminder".

    >>> is_request("order more dog food"), is_request("what foods help weak muscles")
    (True, False)
    """
    return _says(_normal(text), "requests")


def is_outside(text: str) -> bool:
    """True when the words are about something that is not muscle weakness.

    A weak signal, weak tea, a toothache: the kind refusal, not a medical answer. A question
    that also names a muscle or limb stays ours (and the caller keeps one that names a
    specific topic: "can a sore throat lead to rheumatic fever").

    >>> is_outside("my wifi signal is weak"), is_outside("my tooth hurts and my legs are weak")
    (True, False)
    """
    words = _normal(text)
    return _says(words, "outside") and frozenset(_data()["body"]).isdisjoint(words.split())


def facets_asked(text: str) -> tuple[str, ...]:
    """The sides of a topic a question asks about, most telling first.

    >>> facets_asked("is myasthenia gravis curable"), facets_asked("what is lupus")
    (('curable',), ())
    """
    padded = f" {_normal(text)} "
    return tuple(
        facet
        for facet, cues in _data()["facets"].items()
        if any(f" {cue} " in padded for cue in cues)
    )

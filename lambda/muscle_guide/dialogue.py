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
    words = _normal(text)
    return _says(words, "requests") or is_request_start(words)


def is_request_start(text: str) -> bool:
    """Whether the words open like an errand ("order...", "call my...", "play..."): unlike an
    errand merely mentioned ("my arms give out when i carry the shopping"), always a request.

    >>> is_request_start("play some music"), is_request_start("can i play golf with weak legs")
    (True, False)
    """
    words = _normal(text)
    return any(f"{words} ".startswith(f"{start} ") for start in _data()["request_starts"])


def is_outside(text: str) -> bool:
    """True when the words are about something that is not muscle weakness.

    A weak signal, weak tea, a toothache, a rash on the arm: the kind refusal, not a medical
    answer. A question that also speaks of a limb's or a person's strength ("my tooth hurts and
    my legs are weak", "i feel weak after coffee") stays ours (and the caller keeps one that names a
    specific topic: "can a sore throat lead to rheumatic fever").

    >>> is_outside("my wifi signal is weak"), is_outside("my tooth hurts and my legs are weak")
    (True, False)
    """
    words = _normal(text)
    if not _says(words, "outside"):
        return False
    said = words.split()
    data = _data()
    bodily = not (
        frozenset(data["body"]).isdisjoint(said) and frozenset(data["feelings"]).isdisjoint(said)
    )
    return not (bodily and _says(words, "scope_words"))


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


#: Scope words that say how strong or weak something is: their subject decides whether a body
#: is meant ("my legs are weak") or a thing ("the shelf is too weak").
_RATED = ("weak", "weaker", "weakest", "feeble", "strong", "stronger", "strongest", "tired")


@cache
def _rated_subject() -> re.Pattern[str]:
    links = "|".join(_data()["weak_links"])
    return re.compile(rf"\b(\w+) (?:(?:{links}) )+({'|'.join(_RATED)})\b")


def _things_rated(words: str) -> str:
    """The words with each rating of a thing blanked: "the shelf is too weak" loses "weak"."""
    data = _data()
    if not any(f" {word} " in f" {words} " for word in _RATED):
        return words

    def blank(match: re.Match[str]) -> str:
        subject, run = match.group(1), match.group(0).split()[1:-1]
        if subject in data["body"] or subject in data["people"] or subject in data["feelings"]:
            return match.group(0)
        if not set(run).isdisjoint(data["feelings"]):
            return match.group(0)  # "i nod off in the day and feel weak"
        return match.group(0)[: match.start(2) - match.start(0)] + "-"

    return _rated_subject().sub(blank, words)


def is_about_strength(text: str, linked: bool = False) -> bool:
    """True when the words speak of a body's strength: a scope word with a body part, a person,
    a feeling or a medical context ("my dad's legs are weak", "i feel drained", "is weakness
    serious"), not "the shelf is too weak". ``linked``: the caller found a word that names one
    of our topics ("iron and tiredness"), which links the scope word as well.

    >>> is_about_strength("my mum feels weak"), is_about_strength("my mum's tea is too weak")
    (True, False)
    """
    words = _things_rated(_normal(text))
    if not _says(words, "scope_words"):
        return False
    if linked:
        return True
    said = set(words.split())
    data = _data()
    return any(not said.isdisjoint(data[key]) for key in ("body", "people", "feelings", "contexts"))


def scope_words() -> list[str]:
    """The words that say a question is about strength (``is_about_strength``)."""
    words: list[str] = _data()["scope_words"]
    return words

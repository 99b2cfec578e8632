"""Turns that steer the conversation instead of asking: "thanks, that's all", "the second one".

The words live in ``data/dialogue.json``. The interaction model's ``ThanksIntent`` and
``ChooseIntent`` catch most of them; these readers catch the same words when they arrive as a
free question (Alexa's free-question slot takes almost anything).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from itertools import pairwise
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


@lru_cache(maxsize=64)
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


#: The word lists of ``data/dialogue.json`` that questions are read against.
_LISTS = (
    "requests", "outside", "scope_words", "body", "people", "feelings", "contexts", "animals"
)  # fmt: skip


@cache
def _entries() -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Every entry of every list by its first word: (list name, the entry's later words)."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for key in _LISTS:
        for entry in _data()[key]:
            first, *rest = entry.split()
            out.setdefault(first, []).append((key, tuple(rest)))
    return {first: tuple(found) for first, found in out.items()}


@lru_cache(maxsize=64)
def _lists_said(words: str) -> frozenset[str]:
    """The lists that hold an entry the normalised words say, as whole words, in one pass.

    No regular expression: nothing to compile, which a cold start's first question would
    otherwise pay for, and one look-up per word however long the lists grow.
    """
    said = words.split()
    entries = _entries()
    found: set[str] = set()
    for at, word in enumerate(said):
        for key, rest in entries.get(word, ()):
            if key not in found and tuple(said[at + 1 : at + 1 + len(rest)]) == rest:
                found.add(key)
    return frozenset(found)


@cache
def _words(key: str) -> frozenset[str]:
    """A list of single words from the data, as a set."""
    return frozenset(_data()[key])


def is_request(text: str) -> bool:
    """True for errands and other services: "order more dog food", "set a reminder".

    >>> is_request("order more dog food"), is_request("what foods help weak muscles")
    (True, False)
    """
    words = _normal(text)
    return "requests" in _lists_said(words) or is_request_start(words)


def is_request_start(text: str) -> bool:
    """Whether the words open like an errand ("order...", "call my...", "play..."): unlike an
    errand merely mentioned ("my arms give out when i carry the shopping"), always a request.

    >>> is_request_start("play some music"), is_request_start("can i play golf with weak legs")
    (True, False)
    """
    words = _normal(text)
    starts = _request_starts().get(words.split(" ", 1)[0], ())
    return any(f"{words} ".startswith(start) for start in starts)


@cache
def _request_starts() -> dict[str, tuple[str, ...]]:
    """The errand openings by their first word, each with a space after it."""
    out: dict[str, list[str]] = {}
    for start in _data()["request_starts"]:
        out.setdefault(start.split()[0], []).append(f"{start} ")
    return {first: tuple(starts) for first, starts in out.items()}


def is_outside(text: str) -> bool:
    """True when the words are about something that is not muscle weakness.

    A weak signal, weak tea, a toothache, a rash on the arm: the kind refusal, not a medical
    answer. A question that also speaks of a limb's or a person's strength ("my tooth hurts and
    my legs are weak", "i feel weak after coffee") stays ours (and the caller keeps one that names a
    specific topic: "can a sore throat lead to rheumatic fever").

    >>> is_outside("my wifi signal is weak"), is_outside("my tooth hurts and my legs are weak")
    (True, False)
    >>> is_outside("i get tired just making a cup of tea"), is_outside("i like my tea weak")
    (False, True)
    """
    words = _normal(text)
    lists = _lists_said(words)
    if "outside" not in lists:
        return False
    if "scope_words" not in lists:
        return True
    bodily = "body" in lists or "feelings" in lists
    return not ((bodily and _bodily_beyond_things(words)) or _person_state(words.split()))


#: Words by which a person speaks of their own body: "my wrist", "me legs".
_OWN = frozenset({"my", "me", "mine", "our"})


def is_about_animal(text: str) -> bool:
    """Whether the question is about an animal's body: "my dog's back legs are weak", "our
    old labrador is limping", not "i can't walk the dog" or "the dog pulled me over and now
    my wrist is weak". Even a condition it names is the vet's to answer, not ours.

    >>> is_about_animal("why is my cat's back leg weak"), is_about_animal("i can't walk the dog")
    (True, False)
    """
    words = _normal(text)
    if "animals" not in _lists_said(words):
        return False
    said = words.split()
    animals, openers, body = _words("animals"), _words("animal_openers"), _words("body")
    first = next((at for at, word in enumerate(said) if word in animals), None)
    if first is None:
        return False
    people = _words("people")  # a person's pet: "my grandson's hamster"
    if not all(word in openers or word.removesuffix("s") in people for word in said[:first]):
        return False
    return not any(word in _OWN and following in body for word, following in pairwise(said))


#: How many words after a thing its limb may come: "the armchair has one wobbly leg"; a
#: person said between makes the limb theirs.
_THING_REACH = 6
#: ... and said as a thing's part is: "one leg", "the leg", "its arm".
_ARTICLES = frozenset({"a", "one", "the", "its", "this", "that"})
_PRONOUNS = frozenset({"i", "he", "she", "they", "we", "you", "his", "her", "their", "your"})


def _bodily_beyond_things(words: str) -> bool:
    """Whether a body or feeling word belongs to a person rather than to the thing just named:
    "the robot arm", "my bicycle brakes feel weak" and "the gearstick feels stiff" speak of no
    body. A word counts unless it is part of an outside subject or one of the two words after
    it ("the lettuce heart", "the ladder feels shaky"), or is said of one ("the heart of the
    lettuce", "what strength of bleach": a thing's "strength" is its dose or make; "the legs on
    my dining chair")."""
    said = words.split()
    entries = _entries()
    things: set[int] = set()  # positions inside an outside subject, and just after one
    starts: set[int] = set()  # where each outside subject begins
    bodily: list[int] = []
    for at, word in enumerate(said):
        for key, rest in entries.get(word, ()):
            if tuple(said[at + 1 : at + 1 + len(rest)]) != rest:
                continue
            if key == "outside":
                things.update(range(at, at + len(rest) + 3))
                starts.add(at)
            elif key == "body" or (key == "feelings" and said[at - 1 : at] != ["thing"]):
                bodily.append(at)  # "the whole thing feels weak" is no one's feeling
    of_thing = {
        at
        for at in bodily
        if said[at + 1 : at + 2] in (["of"], ["on"])
        and not starts.isdisjoint(range(at + 2, at + 5))
    }
    # A limb a few words after a thing, said as a part ("one leg") with no person named
    # between, is the thing's too: "the armchair has one wobbly leg", not "the armchair, and
    # my legs went weak" or "a cholesterol tablet and having leg pain".
    people = _words("people") | _OWN | _PRONOUNS
    limbs = _words("body")
    its_own = {
        at
        for at in bodily
        if said[at] in limbs
        and not _ARTICLES.isdisjoint(said[max(at - 2, 0) : at])
        and any(
            start < at <= start + _THING_REACH and people.isdisjoint(said[start:at])
            for start in starts
        )
    }
    return any(at not in things | of_thing | its_own for at in bodily)


@cache
def _person_words() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    data = _data()
    single = [w for w in data["people"] if " " not in w]
    return (
        frozenset(single),
        frozenset(data["person_links"]),
        frozenset(data["person_degrees"]),
        frozenset(data["person_states"]),
    )


def _person_state(said: list[str]) -> bool:
    """Whether a person is the subject of a state of the body: "i get tired just making a cup
    of tea" speaks of a body although tea is an outside subject, as "the tea is weak" does not.
    Up to two link words ("have been") and two degree words ("a bit") may come between; "tired
    of" is no state ("i am tired of the traffic").

    >>> _person_state("i get tired just making a cup of tea".split())
    True
    >>> _person_state("im tired of the traffic".split()), _person_state("the tea is weak".split())
    (False, False)
    """
    people, links, degrees, states = _person_words()
    for at, word in enumerate(said):
        if word not in people:
            continue
        step = at + 1
        for between, most in ((links, 2), (degrees, 2)):
            taken = 0
            while taken < most and step < len(said) and said[step] in between:
                step, taken = step + 1, taken + 1
        if step < len(said) and said[step] in states and said[step + 1 : step + 2] != ["of"]:
            return True
    return False


def facets_asked(text: str) -> tuple[str, ...]:
    """The sides of a topic a question asks about, most telling first.

    >>> facets_asked("is myasthenia gravis curable"), facets_asked("what is lupus")
    (('curable',), ())
    """
    words = _normal(text)
    return tuple(facet for facet, cues in _facet_cues() if cues.search(words))


@cache
def _facet_cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each facet's cues as one pattern of whole words: nine searches a question instead of a
    substring test for each of seventy cues."""
    return tuple(
        (facet, re.compile(rf"(?<![^ ])(?:{'|'.join(map(re.escape, cues))})(?![^ ])"))
        for facet, cues in _data()["facets"].items()
    )


#: Scope words that say how strong or weak something is: their subject decides whether a body
#: is meant ("my legs are weak") or a thing ("the shelf is too weak").
_RATED = (
    "weak",
    "weaker",
    "weakest",
    "feeble",
    "strong",
    "stronger",
    "strongest",
    "tired",
    "droopy",
    "drooping",
    "shaky",
    "wobbly",
    "floppy",
    "drained",
)


@cache
def _rated_subject() -> re.Pattern[str]:
    links = "|".join(_data()["weak_links"])
    return re.compile(rf"\b(\w+) (?:(?:{links}) )+({'|'.join(_RATED)})\b")


def _things_rated(words: str) -> str:
    """The words with each rating of a thing blanked: "the shelf is too weak" loses "weak"."""
    if not any(f" {word} " in f" {words} " for word in _RATED):
        return words

    feelings, body = _words("feelings"), _words("body")

    def blank(match: re.Match[str]) -> str:
        subject, run = match.group(1), match.group(0).split()[1:-1]
        if subject in body or subject in _words("people") or subject in feelings:
            return match.group(0)
        if not feelings.isdisjoint(run):
            return match.group(0)  # "i nod off in the day and feel weak"
        if "and" in run and not _words("clause_verbs").isdisjoint(run[run.index("and") + 1 :]):
            return match.group(0)  # "she had the flu and is still weak": a new clause's subject
        following = words[match.end() :].split(maxsplit=1)[:1]
        if following and following[0] in body:
            return match.group(0)  # "bad lungs and weak legs": the legs are what is weak
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
    lists = _lists_said(words)
    if "scope_words" not in lists:
        return False
    return linked or not lists.isdisjoint(("body", "people", "feelings", "contexts"))


#: Verbs that ask before a doing word only as a modal or "do" does: "my dad is getting weak" tells.
_BARE_VERBS = frozenset({"are", "is", "cant"})


def asks_something(text: str) -> bool:
    """Whether the words ask anything, rather than only telling or bidding: "i'm knackered put
    some music on" asks nothing, "i'm weak should i order a walking frame" does. A word of
    ``question_words`` asks anywhere; a verb of ``question_verbs`` only where it opens the words
    or comes before what it asks about ("is it", "should i"), not in "her legs are sore", and
    never as a bid ("can you order her groceries").

    >>> asks_something("i'm knackered, put some music on"), asks_something("why am i so weak")
    (False, True)
    >>> asks_something("legs are sore so can you order her groceries")
    False
    """
    said = _normal(text).split()
    if not _words("question_words").isdisjoint(said):
        return True
    verbs, subjects, bids = _words("question_verbs"), _words("question_subjects"), _words("bids")
    for at, word in enumerate(said):
        if word not in verbs:
            continue
        following = said[at + 1] if at + 1 < len(said) else ""
        if following == "you" and word in bids:
            continue  # "can you order ...": a bid
        if at == 0 or following in subjects:
            return True
        if word not in _BARE_VERBS and following.endswith("ing") and len(following) > 4:
            return True  # "could being short of water make me weak", "does taking statins"
    return False


def says_scope_word(text: str) -> bool:
    """Whether the words use any word about strength at all, whatever it rates ("weak after
    the flu"): less than ``is_about_strength`` asks, for questions that already name a subject
    near ours.

    >>> says_scope_word("pregnant and weak"), says_scope_word("symptoms of covid")
    (True, False)
    """
    return "scope_words" in _lists_said(_normal(text))


@cache
def outside_words() -> frozenset[str]:
    """Single-word subjects we do not cover ("bluetooth", "wifi"): never respelled as a name
    they happen to sound like ("my bluetooth" is not "mobility")."""
    return frozenset(entry for entry in _data()["outside"] if " " not in entry)


def scope_words() -> list[str]:
    """The words that say a question is about strength (``is_about_strength``)."""
    words: list[str] = _data()["scope_words"]
    return words


def broad_names() -> list[str]:
    """Words naming a wider subject that one of our topics only touches on ("covid",
    "pregnant", "painkillers"): on their own they do not make a question ours (see
    ``Retriever._in_scope``)."""
    words: list[str] = _data()["broad_names"]
    return words

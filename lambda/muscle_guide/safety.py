"""Red-flag screening: is someone reporting an emergency happening now?

Two mistakes matter here, and they pull in opposite directions. Missing "my dad can't lift his
arm since one hour" can cost a life; telling a stroke survivor who asks for exercises to call an
ambulance teaches people to ignore the alarm. So a warning sign alone is not enough: each match is
judged in its own clause, and dropped when it is negated ("no trouble breathing"), in the past
("I had a stroke last spring"), hypothetical ("what to do if someone faints") or asked about
("is slurred speech a sign of M S"), unless the clause also says it is happening now ("an hour
ago", "since morning", "what do I do"). The patterns, the context markers and their sources all
live in ``data/red_flags.json``; this module only applies them.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

from .paths import data_file

_DATA = data_file("red_flags.json")
_MATCH = "__MATCH__"
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
#: Words looked at before a match for a negation ("she has no weakness on one side").
_NEGATION_WINDOW = 4


class Finding(NamedTuple):
    """A warning sign heard in what the person said, and which first-aid steps go with it."""

    sign: str
    advice: str


class _Sign(NamedTuple):
    name: str
    advice: str
    patterns: tuple[tuple[str, _Pieces], ...]  # each pattern with the word pieces it needs
    requires: tuple[tuple[str, _Pieces], ...]
    needs_recent: bool
    names: frozenset[str]  # its patterns, as a set, to skip the sign in one test
    #: A long-standing illness that explains the sign ("has c o p d" for breathlessness): with
    #: it, the sign counts only when an acute or onset marker says it is new.
    unless: str | None


class _Rules(NamedTuple):
    spoken_forms: tuple[tuple[str, str, _Pieces], ...]
    #: Harmless phrases ("heat stroke"), each with the word pieces any match of it holds.
    benign: tuple[tuple[str, _Pieces], ...]
    #: Each benign phrase's place in that list, by the phrase.
    benign_numbers: dict[str | int, int]
    separators: str
    context: dict[str, str]
    info_frames: tuple[str, ...]
    signs: tuple[_Sign, ...]
    #: The first group of every gated pattern, inverted: word piece -> the patterns needing it.
    anchor_index: dict[str, frozenset[str | int]]
    #: Whole-word spoken forms too short to index by piece ("im", "pa"), by their words.
    word_index: dict[str, frozenset[str | int]]
    #: Patterns with no usable anchors: always tried.
    ungated: frozenset[str | int]
    #: The shortest and longest indexed pieces: other runs of a word need not be looked up.
    shortest: int
    longest: int


def _alternation(patterns: list[str]) -> str:
    """One regex for a list of them: one scan of the text instead of one per pattern."""
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def _regex(source: str) -> re.Pattern[str]:
    """Compiled on first use: most questions never need most signs' patterns."""
    return re.compile(source)


def _context(name: str) -> re.Pattern[str]:
    return _regex(rules().context[name])


#: Groups of word pieces (each a set): a text can match a pattern only if it holds a piece of
#: every group.
_Pieces = tuple[frozenset[str], ...]


def _pieces(value: list[list[str]]) -> _Pieces:
    """Word pieces as stored (``muscle_guide_tools/red_flag_anchors.py`` derives them): a text
    can match the pattern only if it holds a piece of every group."""
    return tuple(frozenset(group) for group in value)


#: A spoken form that is one word, or a choice of words, with an optional ending: r"\bim\b",
#: r"\b(mom|ma|amma)\b", r"\b(he|she|it)s\b".
_WHOLE_WORDS = re.compile(r"\\b(?:\(([a-z|]+)\)|([a-z]+))([a-z]*)\\b")


def _whole_words(pattern: str) -> frozenset[str]:
    """The words a whole-word spoken form matches, or nothing when it is not one.

    Such a form can change a text only if one of its words is there, a set look-up per word
    instead of a regular expression tried on every question.
    """
    found = _WHOLE_WORDS.fullmatch(pattern)
    if found is None:
        return frozenset()
    choices, word, ending = found.groups()
    return frozenset(f"{choice}{ending}" for choice in (choices or word).split("|"))


def _hits(text: str, r: _Rules) -> set[str | int]:
    """The patterns whose first anchor group has a piece inside some word of ``text``.

    Looking each word up costs a microsecond or two for a spoken question; trying every
    pattern costs a hundred.
    """
    hits = set(r.ungated)
    for word in set(text.split()):
        hits.update(_word_hits(word))
    return hits


@lru_cache(maxsize=8192)
def _word_hits(word: str) -> frozenset[str | int]:
    """The patterns one word can open: each run of three or more of its letters, looked up.

    Cached per word, not per question: people reuse a small vocabulary ("my", "weak", "arm"),
    so a new question is mostly made of words already looked up.
    """
    r = rules()
    index, shortest, longest = r.anchor_index, r.shortest, r.longest
    found: set[str | int] = set(r.word_index.get(word, ()))
    size = len(word)
    for start in range(size - shortest + 1):
        for end in range(start + shortest, min(size, start + longest) + 1):
            patterns = index.get(word[start:end])
            if patterns is not None:
                found.update(patterns)
    return frozenset(found)


def _needs(pieces: _Pieces, text: str) -> bool:
    """Every group has a piece somewhere in ``text`` (a plain substring test, checked rarely)."""
    for group in pieces:
        for piece in group:
            if piece in text:
                break
        else:
            return False
    return True


@cache
def rules() -> _Rules:
    """The screening rules, read on the first screening (a launch never needs them).

    Only the data is read here; each pattern is compiled the first time a text contains one of
    its anchors (``muscle_guide_tools/red_flag_anchors.py`` derives them from the patterns).
    """
    with open(_DATA, encoding="utf-8") as handle:
        data = json.load(handle)
    anchors = data["anchors"]

    def gated(patterns: list[str], gates: list[list[list[str]]]) -> tuple[tuple[str, _Pieces], ...]:
        return tuple((p, _pieces(g)) for p, g in zip(patterns, gates, strict=True))

    signs = tuple(
        _Sign(
            name,
            entry["advice"],
            gated(entry["patterns"], anchors["signs"][name]["patterns"]),
            gated(entry.get("requires", []), anchors["signs"][name]["requires"]),
            bool(entry.get("needs_recent")),
            frozenset(entry["patterns"]),
            entry.get("unless"),
        )
        for name, entry in data["signs"].items()
    )
    forms = tuple(
        (pattern, replacement, _pieces(found))
        for (pattern, replacement), found in zip(
            data["spoken_forms"], anchors["spoken_forms"], strict=True
        )
    )
    index: dict[str, set[str | int]] = {}
    by_word: dict[str, set[str | int]] = {}
    ungated: set[str | int] = set()
    for number, (pattern, _, pieces) in enumerate(forms):  # spoken forms are indexed by number
        if not pieces:
            for word in _whole_words(pattern) or {None}:
                if word is None:
                    ungated.add(number)
                else:
                    by_word.setdefault(word, set()).add(number)
        for piece in pieces[0] if pieces else ():
            index.setdefault(piece, set()).add(number)
    benign = gated(data["benign"], anchors["benign"])
    for pattern, pieces in (*(p for sign in signs for p in sign.patterns), *benign):
        if not pieces:
            ungated.add(pattern)
        for piece in pieces[0] if pieces else ():
            index.setdefault(piece, set()).add(pattern)
    context = data["context"]
    return _Rules(
        anchor_index={piece: frozenset(found) for piece, found in index.items()},
        word_index={word: frozenset(found) for word, found in by_word.items()},
        ungated=frozenset(ungated),
        shortest=min(map(len, index)),
        longest=max(map(len, index)),
        spoken_forms=forms,
        benign=benign,
        benign_numbers={phrase: number for number, (phrase, _) in enumerate(benign)},
        separators=data["separators"],
        context={k: v for k, v in context.items() if isinstance(v, str)},
        info_frames=tuple(context["info_frames"]),
        signs=signs,
    )


def compile_all() -> None:
    """Compile every pattern now, for a SnapStart snapshot: the restored process pays nothing."""
    r = rules()
    for pattern, _, _ in r.spoken_forms:
        _regex(pattern)
    for sign in r.signs:
        for pattern, _ in (*sign.patterns, *sign.requires):
            _regex(pattern)
    for number in range(len(r.benign)):  # a question rarely holds more than one
        _benign_regex((number,))
    for source in (r.separators, *r.context.values()):
        _regex(source)


def fold(text: str) -> str:
    """Lower case, apostrophes and punctuation gone, spoken forms normalised.

    >>> fold("My dad is NOT able to lift his arm!")
    'my dad cant lift his arm'
    >>> fold("She won't wake up")
    'she wont wake up'
    """
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = " ".join(_NON_WORD.sub(" ", text).split())
    r = rules()
    forms = r.spoken_forms
    hits = _hits(text, r)
    number = 0
    while True:
        waiting = [n for n in hits if type(n) is int and n >= number]
        if not waiting:
            return text
        number = min(waiting)
        pattern, replacement, pieces = forms[number]
        number += 1
        if not _needs(pieces[1:], text):
            continue
        changed = _regex(pattern).sub(replacement, text)
        if changed != text:  # new words may open later forms ("cannot breath" -> "cant breath")
            text = " ".join(changed.split())
            hits = hits | _hits(text, r)


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans: "but", "although", "is it ..." and the like start a new clause."""
    separators = _regex(rules().separators)
    cuts = [0, *(m.start() for m in separators.finditer(text) if m.start() > 0), len(text)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _negated(before: str) -> bool:
    """A negation among the last few words before the sign, with no new subject after it."""
    words = before.split()[-_NEGATION_WINDOW:]
    negation, subject = _context("negation"), _context("subject")
    for index, word in enumerate(words):
        if negation.match(word) and not any(subject.match(w) for w in words[index + 1 :]):
            return True
    return False


def _asked_about(clause: str, start: int, end: int) -> bool:
    """True when the clause asks about the sign rather than reporting it."""
    marked = f"{clause[:start]}{_MATCH}{clause[end:]}"
    sign = re.escape(clause[start:end])
    for frame in rules().info_frames:
        if re.search(frame.replace(_MATCH, sign), clause):
            return True
    if _context("personal").search(marked.replace(_MATCH, " ")):
        return False  # someone's own report: "my dad ..." is never just a question
    return bool(_context("question_start").match(clause) or _context("info_words").search(marked))


def screen(text: str | None) -> Finding | None:
    """The first warning sign reported as happening now in ``text``, or None.

    >>> screen("my husband is not able to talk").sign
    'speech'
    >>> screen("is slurred speech a sign of m s") is None
    True
    >>> screen("i had a stroke last spring and my arm is still weak") is None
    True
    """
    if not text or not text.strip():
        return None
    r = rules()
    folded = fold(text[:2000])
    hits = _hits(folded, r)
    text = _blank_benign(folded, r, hits)
    if text != folded:
        hits = _hits(text, r)
    spans: list[tuple[int, int]] | None = None
    for sign in r.signs:
        if hits.isdisjoint(sign.names):
            continue
        candidates = [
            pattern
            for pattern, pieces in sign.patterns
            if pattern in hits and _needs(pieces[1:], text)
        ]
        if not candidates:
            continue
        if not all(_needs(g, text) and _regex(p).search(text) for p, g in sign.requires):
            continue
        if sign.unless and _explained(sign.unless, text):
            continue
        for pattern in candidates:
            for match in _regex(pattern).finditer(text):
                spans = spans or _clauses(text)
                if _judge(sign, match, text, spans):
                    return Finding(sign.name, sign.advice)
    return None


def _explained(unless: str, text: str) -> bool:
    """Whether a long-standing illness accounts for the sign, with nothing saying it is new:
    "my dad has c o p d and gets breathless", not "he has c o p d and suddenly can't breathe"."""
    if not _regex(unless).search(text):
        return False
    return not (_context("acute").search(text) or _context("onset").search(text))


def _blank_benign(text: str, r: _Rules, hits: set[str | int] | None = None) -> str:
    """Benign phrases ("heat stroke") blanked in place, so offsets still line up with the text.

    Only the phrases whose word pieces are all in the text go into the one alternation that is
    run (``hits``, the text's gated patterns, says which could be): a phrase that cannot match
    anywhere changes nothing in it, and scanning a question with all of them cost about 50 us
    where most questions need none.
    """
    if hits is None:
        hits = _hits(text, r)
    possible = (r.benign_numbers[phrase] for phrase in hits.intersection(r.benign_numbers))
    chosen = tuple(sorted(n for n in possible if _needs(r.benign[n][1][1:], text)))
    if not chosen:
        return text
    return _benign_regex(chosen).sub(lambda m: " " * len(m.group()), text)


@lru_cache(maxsize=256)
def _benign_regex(chosen: tuple[int, ...]) -> re.Pattern[str]:
    """The alternation of some benign phrases, in their listed order (the first that matches
    at a place wins, as in the whole list); bounded, as a web process sees many texts."""
    benign = rules().benign
    return re.compile(_alternation([benign[n][0] for n in chosen]))


def _judge(sign: _Sign, match: re.Match[str], text: str, spans: list[tuple[int, int]]) -> bool:
    """Is this match a present report, rather than negated, past, hypothetical or a question?"""
    first = next(i for i, (a, b) in enumerate(spans) if a <= match.start() < b)
    last = next(i for i, (a, b) in enumerate(spans) if a < match.end() <= b)
    lo, hi = spans[first][0], spans[last][1]
    clause = text[lo:hi].strip()
    offset = lo + (len(text[lo:hi]) - len(text[lo:hi].lstrip()))
    start, end = match.start() - offset, match.end() - offset
    if _negated(clause[:start]):
        return False
    # "what to do if someone collapses" supposes: its help words are no sign of a present report
    supposed = _context("supposing").sub(" ", clause)
    acute = [m.group() for m in _context("acute").finditer(supposed)]
    dated = _context("dated_past").search(clause)
    if dated and _only_manner(clause, acute):
        return False  # "her side went weak all of a sudden last winter": how it began, then
    if dated and _resolved(text[lo : spans[last + 1][1]] if last + 1 < len(spans) else clause):
        return False  # "last tuesday his words came out jumbled, and then it all came right"
    if acute and not (all(marker.startswith("for ") for marker in acute) and dated):
        return True  # not "a mini stroke last week and his arm went weak for an hour"
    if _context("recurring").search(clause):
        return False  # "attacks where he suddenly can't move his legs, then it wears off"
    if _context("history").search(clause) and not _onset(clause):
        return False  # "still weak since my stroke", unless "this is new" or "suddenly"
    if first > 0 and _context("continuation").match(clause):
        earlier = text[spans[first - 1][0] : spans[first - 1][1]]
        if _context("distant").search(earlier):
            return False  # "a stroke two years ago and now ...": what it left behind
    if _context("hypothetical").search(clause) or _asked_about(clause, start, end):
        return False
    return not sign.needs_recent or bool(_context("recent").search(clause))


def _onset(clause: str) -> bool:
    """Whether the clause says the sign began ("suddenly", "this is new"), not that it didn't:
    "nothing sudden, my grip has been weak for ages" is a history."""
    return any(not _negated(clause[: m.start()]) for m in _context("onset").finditer(clause))


def _only_manner(clause: str, acute: list[str]) -> bool:
    """Whether the clause's only words of time or onset say how it began ("all of a sudden":
    the `manner` context) or how long it lasted ("for ten minutes"), and none (the `now`
    context) brings a dated story into the present ("last week ..., and now")."""
    onset = [m.group() for m in _context("onset").finditer(clause)]
    if not onset and not acute:
        return False  # nothing to excuse: the other rules decide
    if _context("now").search(clause):
        return False
    manner = _context("manner")
    return all(manner.match(word) or word.startswith("for ") for word in [*acute, *onset])


def _resolved(words: str) -> bool:
    """Whether the words (a sign's clause and the next) say the episode is over ("then it went
    back to normal", "she's fine now"), with no word of the `back_now` context outside those
    phrases to bring it back ("but now it is weak again"). Unlike `now`, that context has no
    "still": after an episode that ended, "do we still need to get her seen" asks about it."""
    resolved = _context("resolved")
    if not resolved.search(words):
        return False
    return not _context("back_now").search(resolved.sub(" ", words))


def red_flag(text: str | None) -> str | None:
    """The name of the first warning sign reported in ``text``, or None.

    >>> red_flag("my face is drooping")
    'face'
    >>> red_flag("why are my legs weak after running") is None
    True
    """
    found = screen(text)
    return found.sign if found else None

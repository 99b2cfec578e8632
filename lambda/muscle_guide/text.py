"""Folding spoken English into search terms, the same way for topics and for questions.

Speech recognition hands us lower-case words: acronyms arrive letter by letter ("a l s", "e m g"),
British and American spellings both occur ("hypokalaemia", "hypokalemia"), and people say
"muscles", "muscle's" and "muscle" for the same thing. Folding both sides identically lets a small
lexical model match them without a dictionary of every variant.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Container
from functools import lru_cache

#: Bump when a change here alters the terms of any text: the saved search index depends on them.
FOLDING_VERSION = 4

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_POSSESSIVE = re.compile(r"(\w)'s\b")

with open(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "synonyms.json"),
    encoding="utf-8",
) as _f:
    _SYNONYMS = json.load(_f)
#: Everyday words mapped onto the knowledge base's own (see data/synonyms.json).
WORD_SYNONYMS: dict[str, str] = _SYNONYMS["words"]
#: Phrase synonyms by their first word: (the phrase's words, its replacement), longest first.
#: Read word by word rather than as one alternation pattern, which took milliseconds to compile
#: on every cold start's first question.
_PHRASES: dict[str, list[tuple[list[str], str]]] = {}
for _phrase, _replacement in sorted(_SYNONYMS["phrases"].items(), key=lambda item: -len(item[0])):
    _PHRASES.setdefault(_phrase.split()[0], []).append((_phrase.split(), _replacement))
#: Question frames of the general topics (see data/synonyms.json): topic id -> cue phrases.
FRAMES: dict[str, list[str]] = {k: v for k, v in _SYNONYMS["frames"].items() if k != "_comment"}
#: Topics that are the specific case of two others named together (data/synonyms.json):
#: topic id -> the sets of topic ids that, all named, make it the answer.
COMBINATIONS: dict[str, list[list[str]]] = {
    k: v for k, v in _SYNONYMS.get("combinations", {}).items() if k != "_comment"
}

STOPWORDS = frozenset(
    """
    a an the of for to in on at by from with about into as and or but if so than then is are
    was were be been being am do does did doing done have has had having i me my mine myself
    you your yours we our us he him his she her hers they them their it its this that these
    those there here what which who whom whose how can could would will shall may might must
    tell say said know let please alexa ask hey ok okay um uh er well just really very get
    gets got some any much many more most also too whats thats its im ive id youre theres
    hows whos wheres lets
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Whole-word British spellings whose American form differs by more than a rule below.
_WORD_SPELLINGS = {
    "disk": "disc",
    "disks": "discs",
    "neurone": "neuron",
    "neurones": "neurons",
    "physio": "physiotherapy",
    "tumour": "tumor",
    "tumours": "tumors",
    "centre": "center",
    "programme": "program",
    "paralysed": "paralyzed",
    "mum": "mom",
    "mums": "moms",
}


@lru_cache(maxsize=4096)
def _spelling(word: str) -> str:
    word = _WORD_SPELLINGS.get(word, word)
    if "ae" in word and len(word) > 4:  # anaemia, hypokalaemia, haemoglobin, paediatric
        word = word.replace("ae", "e")
    if word.startswith("oe") and len(word) > 4:  # oesophagus, oedema
        word = word[1:]
    for british, american in (("isation", "ization"), ("ising", "izing"), ("ised", "ized")):
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    return word


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A light suffix fold: plurals, -ing, -ed, -ness and a final e.

    It only needs to map a word's common forms to one key, not to produce a real root.

    >>> [stem(w) for w in ["causes", "cause", "diagnosed", "diagnose", "weakness", "running"]]
    ['caus', 'caus', 'diagnos', 'diagnos', 'weak', 'run']
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "ys")):
        word = word[:-1]
    if (word.endswith("ness") and len(word) > 6) or (word.endswith("ment") and len(word) > 7):
        word = word[:-4]
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("iz"):  # "exercising" was spelled "exercizing": one key with "exercise"
        word = word[:-1] + "s"
    return word


def words(text: str) -> list[str]:
    """Lower-case words with possessives and apostrophes removed and spellings folded.

    >>> words("Lou Gehrig's disease, hypokalaemia")
    ['lou', 'gehrig', 'disease', 'hypokalemia']
    """
    text = _POSSESSIVE.sub(r"\1", text.lower().translate(_APOSTROPHES)).replace("'", "")
    return [_spelling(w) for w in _WORD.findall(text)]


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """``text`` as plain words with phrase synonyms and idioms folded ("a stroke of luck" ->
    "a luck"): what the rest of the search reads.

    >>> fold("That was a stroke of luck")
    'that was a luck'
    """
    return _synonyms(" ".join(words(text)))


def _phrase_at(said: list[str], at: int) -> tuple[list[str], str] | None:
    """The phrase synonym that starts at ``said[at]``, longest first, and its replacement."""
    for phrase, replacement in _PHRASES.get(said[at], ()):
        if said[at : at + len(phrase)] == phrase:
            return phrase, replacement
    return None


def phrase_positions(said: list[str]) -> set[int]:
    """Positions of ``said`` (plain words) inside a phrase the synonyms fold: a slip they know
    as a whole ("stay tin", "cor da equine a") must not be respelled by sound first.

    >>> sorted(phrase_positions("my stay tin tablets".split()))
    [1, 2]
    """
    covered: set[int] = set()
    for at in range(len(said)):
        found = _phrase_at(said, at)
        if found is not None and len(found[0]) > 1:
            covered.update(range(at, at + len(found[0])))
    return covered


def _synonyms(text: str) -> str:
    """``text`` (plain words) with each phrase synonym replaced, leftmost and longest first."""
    said = text.split()
    out: list[str] = []
    at = 0
    while at < len(said):
        found = _phrase_at(said, at)
        if found is None:
            out.append(said[at])
            at += 1
        else:
            out.append(found[1])
            at += len(found[0])
    return " ".join(out)


def join_letters(tokens: list[str], vocabulary: Container[str] = ()) -> list[str]:
    """Join letters spoken one by one into the acronym they spell.

    A leading "a" or "i" is kept as a word when the rest spells a known term, so "a c t scan"
    becomes "a ct scan" and not "act scan" (while "a l s" stays "als").

    >>> join_letters(["what", "is", "a", "l", "s"], {"als"})
    ['what', 'is', 'als']
    >>> join_letters(["a", "c", "t", "scan"], {"ct"})
    ['a', 'ct', 'scan']
    """
    return [token for token, _ in _join_letters(tokens, vocabulary)]


#: How letters sound when speech recognition writes them as words ("see oh pee dee" is C O P D).
_LETTER_WORDS = {
    "ay": "a", "bee": "b", "be": "b", "see": "c", "sea": "c", "cee": "c", "dee": "d",
    "ee": "e", "ef": "f", "eff": "f", "gee": "g", "jee": "g", "aitch": "h", "eye": "i",
    "jay": "j", "kay": "k", "el": "l", "ell": "l", "em": "m", "en": "n", "oh": "o",
    "pee": "p", "queue": "q", "cue": "q", "are": "r", "ar": "r", "es": "s", "ess": "s",
    "tee": "t", "tea": "t", "you": "u", "vee": "v", "ex": "x", "why": "y", "zed": "z",
    "zee": "z",
}  # fmt: skip


def _letters_said(tokens: list[str], vocabulary: Container[str]) -> list[str]:
    """Runs of letters said as words put back as letters, where they spell a term we know.

    Only a run that spells one of our terms is changed, so "why are you tired" keeps its words
    while "em are eye" becomes m r i.
    """
    if not any(token in _LETTER_WORDS for token in tokens):
        return tokens  # most questions: no letter said as a word, nothing to try
    # How many tokens from each place on could be letters: a run is tried only where it fits.
    reach = [0] * (len(tokens) + 1)
    for at in range(len(tokens) - 1, -1, -1):
        token = tokens[at]
        reach[at] = reach[at + 1] + 1 if token in _LETTER_WORDS or len(token) == 1 else 0
    out: list[str] = []
    at = 0
    while at < len(tokens):
        for size in (4, 3, 2):
            if reach[at] < size:
                continue
            run = tokens[at : at + size]
            letters = [_LETTER_WORDS.get(t, t) for t in run]
            if any(t in _LETTER_WORDS for t in run) and "".join(letters) in vocabulary:
                out += letters
                at += size
                break
        else:
            out.append(tokens[at])
            at += 1
    return out


def _join_letters(tokens: list[str], vocabulary: Container[str]) -> list[tuple[str, bool]]:
    """Tokens with a flag saying whether they were spelled out letter by letter."""
    out: list[tuple[str, bool]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) == 1:
            out.append((run[0], False))
        elif run:
            joined = "".join(run)
            if run[0] in ("a", "i") and len(run) > 2 and "".join(run[1:]) in vocabulary:
                out.append((run[0], False))
                joined = "".join(run[1:])
            out.append((joined, True))
        run.clear()

    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run.append(token)
        else:
            flush()
            out.append((token, False))
    flush()
    return out


_CAPITALS = re.compile(r"\b[A-Z]{2,4}\b")


def spell_capitals(text: str, vocabulary: Container[str]) -> str:
    """An acronym typed in capitals that would otherwise read as a stopword, spelled out: "ME"
    in "I've had ME for years" is the illness, as "m e" is. Only in mixed case, since shouted
    words ("HELP ME") are no acronyms.

    >>> spell_capitals("I've had ME for years", {"me"})
    "I've had m e for years"
    >>> spell_capitals("TELL ME", {"me"})
    'TELL ME'
    """
    if text.isupper() or not _CAPITALS.search(text):
        return text

    def spell(match: re.Match[str]) -> str:
        word = match.group().lower()
        if word in STOPWORDS and word in vocabulary:
            return " ".join(word)
        return match.group()

    return _CAPITALS.sub(spell, text)


def terms(text: str, vocabulary: Container[str] = (), keep_stopwords: bool = False) -> list[str]:
    """Search terms for ``text``: words, joined acronyms, stopwords dropped, stems.

    Everyday words are folded onto the knowledge base's vocabulary first (``data/synonyms.json``),
    and letters spelled out are kept even when they spell a stopword ("m e" is an illness).

    >>> terms("Can low potassium make you weak?")
    ['low', 'potassium', 'make', 'weak']
    >>> terms("what is m e")
    ['me']
    """
    # Phrase synonyms map onto plain lower-case words, so a split is all the second pass needs.
    tokens = _join_letters(_letters_said(fold(text).split(), vocabulary), vocabulary)
    out = []
    for token, spelled in tokens:
        token = WORD_SYNONYMS.get(token, token)
        if spelled or keep_stopwords or token not in STOPWORDS:
            out.append(stem(token))
    return out

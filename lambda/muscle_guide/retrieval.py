"""Ranking knowledge-base topics for a free spoken question (BM25F plus alias phrases).

Each topic is a document with two fields: its names (title, spoken name and aliases), weighted
high, and its text (brief, full and card answers). BM25F scores the question's terms against both;
a topic whose alias appears word for word in the question gets a bonus worth the alias's rarity, so
"can low potassium make you weak" lands on hypokalemia even though "weak" is everywhere.

Building the index takes tens of milliseconds, too much for a Lambda cold start, so it is built
ahead of time into ``data/search_index.idx`` (``make index``; a test and ``make build`` fail
when it is stale) and loaded on first use. If the file is missing or damaged, the index is built
in-process, so answers never depend on it being there. A query takes tens of microseconds.

The file is one line of JSON, the header (everything a question always needs, and where each
word's entries lie), then the entries themselves back to back, each a compact JSON value, in
word order. A cold start parses the header alone and then the few entries its question's words
use (``_Entries``), so the first question's cost grows little with the knowledge base.
"""

from __future__ import annotations

import json
import math
import sys
from bisect import bisect_left
from collections import defaultdict
from functools import cache, cached_property, lru_cache
from operator import add
from pathlib import Path
from typing import Any, NamedTuple

from .classifier import Guess, guess
from .dialogue import (
    asks_something,
    broad_names,
    is_about_animal,
    is_about_strength,
    is_outside,
    is_request,
    is_request_start,
    outside_words,
    says_scope_word,
    scope_words,
)
from .knowledge import (
    CAUSES_TOPIC,
    CONDITION,
    EMERGENCY_TOPIC,
    GENERAL,
    KNOWLEDGE,
    KNOWLEDGE_FILE,
    OVERVIEW_TOPIC,
    SAFETY,
    KnowledgeBase,
    save_slices,
    slices_are_current,
)
from .logs import get_logger
from .paths import data_file
from .resolve import Match
from .text import (
    COMBINATIONS,
    FOLDING_VERSION,
    FRAMES,
    STOPWORDS,
    WORD_SYNONYMS,
    fold,
    phrase_positions,
    spell_capitals,
    stem,
    terms,
    words,
)

log = get_logger(__name__)
INDEX_FILE = Path(data_file("search_index.idx"))
#: The parts of the index kept as bytes until a question uses one of their words.
LAZY_SECTIONS = ("postings", "aliases", "near")
#: The data the index is computed from (the scope words of ``dialogue.json`` shape its naming
#: terms); a change to any makes the saved index stale. Code changes are caught by
#: FOLDING_VERSION and by a test that compares the saved index's rankings with a fresh build's.
_INPUTS = (
    Path(KNOWLEDGE_FILE),
    Path(data_file("synonyms.json")),
    Path(data_file("examples.json")),
    Path(data_file("dialogue.json")),
)

K1 = 1.2
#: Weights are kept to this many decimals: enough to rank by, and half the index's size.
DIGITS = 4
#: A term's BM25 contribution below this is noise (its idf is near zero) and is not indexed.
MIN_CONTRIBUTION = 0.05
B = 0.75
FIELD_WEIGHTS = {"names": 3.0, "text": 1.0, "examples": 0.75}
#: Example questions per topic, in the words people use: indexed, never spoken.
EXAMPLES_FILE = data_file("examples.json")
ALIAS_BONUS = 1.5
#: Extra for an alias that explains most of the question ("what causes muscle weakness").
COVER_BONUS = 6.0
#: Below this score nothing is close enough to answer or even to suggest.
MIN_SUGGEST = 1.5
#: An answer needs this score and a clear lead over the runner-up.
MIN_ANSWER = 3.0
MIN_LEAD = 1.05
MIN_MARGIN = 2.5
#: Without any alias in the question, the evidence must be stronger and the lead wider.
MIN_UNNAMED = 8.0
#: How far a combined topic (``COMBINATIONS``) is put ahead of the best score: a clear lead.
COMBINED_LEAD = 3.0
UNNAMED_LEAD = 1.1
#: When nothing is named clearly, the topic model's guess (``classifier.py``) settles a menu at
#: this probability, replaces the general answer on causes for a complaint at this one, and
#: overrules an unnamed answer only at the last (chosen on the tuned sets it does not learn from).
MENU_GUESS = 0.3
COMPLAINT_GUESS = 0.5
OVERRULE_GUESS = 0.9
_NO_GUESS = Guess(None, 0.0)
#: The topic about muscle weakness as such.
OVERVIEW = OVERVIEW_TOPIC
#: What each question-frame cue ("why", "cure", "see a doctor") adds to a general topic.
FRAME_BONUS = 4.0
#: General topics' scores shrink by this when the question names a specific topic.
GENERAL_DAMPING = 0.5
#: What the nearest example question adds to its topic, times their cosine similarity; below
#: NEAR_MIN an example is too far to say anything. At NEAR_NAMED or closer it counts as naming
#: its topic: "my legs feel weak after the gym" is a known way of asking, even with no alias.
NEAR_BONUS = 8.0
NEAR_MIN = 0.3
NEAR_NAMED = 0.6
#: ... and the question must hold this share of that example's weight (its squared idf).
NEAR_COVER = 0.6
NEAR_SHARED = 2
#: What one shared word adds to an example's tally in ``_nearest``: more than any sum of
#: squared idf can reach, so the tally holds both the count and the sum.
_SHARED = 1e6
#: A word in more than this share of the examples is only looked up, never walked through.
NEAR_COMMON = 0.03
NEAR_SURE = 0.65
NEAR_SURE_LEAD = 0.1
#: Worded this closely like an example, a question is ours even if it names nothing we know.
NEAR_SCOPE = 0.75
#: A question that scores this high on one topic and uses a word only specific topics' names use
#: ("honey" and "babies", "adrenal glands", "motor neurone") is ours though it says no word about
#: strength; below it, such questions were mostly other health matters ("how much water should a
#: baby drink" scores 15.9). Measured on the tuned sets, where it raised the large styles set by
#: 19 questions and let no off-topic line through.
SCOPE_SCORE = 16.0
#: Below ``SCOPE_SCORE``, down to ``MIN_UNNAMED``, such a question is ours when the topic model is
#: sure (``SCOPE_GUESS``) of the same topic as the ranking: "the gp says me kidneys are on the
#: way out" says no word of strength and names no topic. Chosen on the tuned sets: 0.8 let in 20
#: tuned questions and no tuned off-topic line once hearing aids were an outside subject; 0.6 let
#: in nine off-topic lines (garden plants, burns). Raised to 0.82 in the eighth round: a retrained
#: model put "how much water should a baby drink" at 0.80, and no tuned question lay between.
SCOPE_GUESS_SCORE = MIN_UNNAMED
SCOPE_GUESS = 0.82
#: Besides conditions ("can a sore throat lead to rheumatic fever"), the causes that, named,
#: keep a question ours beside a subject we do not cover: "prednisolone for my asthma, and now
#: I can hardly get up off the settee". Not medicines at large ("which hay fever tablet"), nor
#: statins, named by cholesterol ("what foods should i cut out to bring my cholesterol down").
NAMED_CAUSES = frozenset({"steroids"})
#: The same for a question that also names a subject we do not cover ("my daughter's exhausted and
#: weak, she craves salt and her skin has gone darker" names skin): it must score higher still.
OUTSIDE_SCORE = 24.0
#: Spoken numbers name nothing, even when a title holds one ("vitamin b twelve").
_NUMBERS = frozenset(terms("one two three four five six seven eight nine ten eleven twelve"))
#: A word of one topic's title that few answers use ("guillain", not "home") makes a question
#: ours by itself.
MAX_UNIQUE_TEXTS = 3


#: A word in at least this share of topics has its postings added as one list for all topics.
DENSE_SHARE = 0.25


class _NearWord(NamedTuple):
    """A word of the example questions, as ``_nearest`` weighs it."""

    term: str
    examples: list[int]
    idf: float
    weight: float  # _SHARED plus its squared idf: what sharing it adds to an example's tally
    common: bool  # in more than NEAR_COMMON of the examples: looked up, never walked through


#: A term's postings when it has none: documents and their weights.
_NO_POSTINGS: tuple[list[int], list[float]] = ([], [])


def _idf(total: int, holding: int) -> float:
    """The idf of a word that ``holding`` of ``total`` example questions use."""
    return round(math.log(1 + total / holding), DIGITS)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class _Entries:
    """word -> its entries, parsed from the saved index's bytes the first time a question uses
    the word, then kept.

    A cold start's first question reads a handful of words; parsing every word's entries up
    front cost more than the rest of the answer, and grew with the knowledge base. The words are
    sorted, so finding one is a binary search: no table is built for the words never asked.
    """

    __slots__ = ("_blob", "_ends", "_parsed", "_start", "_words")

    def __init__(self, blob: bytes, start: int, words: list[str], ends: list[int]) -> None:
        self._blob, self._start, self._words, self._ends = blob, start, words, ends
        self._parsed: dict[str, Any] = {}

    def get(self, word: str, default: Any = None) -> Any:
        found = self._parsed.get(word)
        if found is not None:
            return found
        words = self._words
        at = bisect_left(words, word)
        if at == len(words) or words[at] != word:
            return default
        begin = self._ends[at - 1] if at else self._start
        found = self._parsed[word] = json.loads(self._blob[begin : self._ends[at]])
        return found


class Retriever:
    """A BM25F index over the topics of a knowledge base.

    >>> retriever().match("can low potassium make you weak").topic
    'hypokalemia'
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.ids: list[str] = [topic.id for topic in knowledge]
        self.general: list[bool] = [topic.category == GENERAL for topic in knowledge]
        self.condition: list[bool] = [
            topic.category == CONDITION or topic.id in NAMED_CAUSES for topic in knowledge
        ]
        self.damped_docs = _damped(self.ids, self.general)
        self.overview = self.ids.index(OVERVIEW) if OVERVIEW in self.ids else None
        fields: dict[str, list[list[str]]] = {"names": [], "text": [], "examples": []}
        raw_aliases: list[list[str]] = []
        examples = example_questions()
        for topic in knowledge:
            names = [topic.title, topic.name, *topic.aliases]
            raw_aliases.append(names)
            fields["names"].append([t for name in names for t in terms(name)])
            spoken = (topic.brief, topic.full, topic.card, *(text for _, text in topic.facets))
            fields["text"].append(terms(" ".join(spoken)))
            fields["examples"].append(terms(" ".join(examples.get(topic.id, ()))))
        # The words of the topics themselves. Example questions include misheard forms ("fiber
        # my algia"), which must stay unknown so that ``respell`` still puts them back together.
        self.vocabulary = frozenset(
            t for field in ("names", "text") for doc in fields[field] for t in doc
        )

        n = len(self.ids)
        text_freq: dict[str, int] = defaultdict(int)
        for doc in fields["text"]:
            for term in set(doc):
                text_freq[term] += 1
        doc_freq: dict[str, int] = defaultdict(int)
        for index in range(n):
            for term in {t for docs in fields.values() for t in docs[index]}:
                doc_freq[term] += 1
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in doc_freq.items()}

        # term -> [(doc, weighted normalised tf)], folded across fields (BM25F).
        postings: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for field, docs in fields.items():
            avg = sum(map(len, docs)) / n or 1.0
            for index, doc in enumerate(docs):
                norm = 1 - B + B * len(doc) / avg
                counts: dict[str, int] = defaultdict(int)
                for term in doc:
                    counts[term] += 1
                for term, count in counts.items():
                    postings[term][index] += FIELD_WEIGHTS[field] * count / norm
        # Each posting holds its finished BM25 contribution, so a query only adds numbers up.
        # Contributions too small to change a ranking ("muscle" is in every topic) are dropped.
        self.postings = {}
        for term, by_doc in postings.items():
            kept = [
                (doc, round(weight, DIGITS))
                for doc, tf in by_doc.items()
                if (weight := self.idf[term] * tf * (K1 + 1) / (tf + K1)) >= MIN_CONTRIBUTION
            ]
            if kept:
                self.postings[term] = ([d for d, _ in kept], [w for _, w in kept])

        # Terms that name something we cover. A question must use at least one of them to get a
        # medical answer: words that only occur in answer text ("ten", "day") are not enough.
        self.domain = frozenset(t for doc in fields["names"] for t in doc)
        # How distinctive a term is as a *name*: "cause" is in every answer's text but names only
        # the causes topic, so alias bonuses weigh terms by their rarity among names.
        name_freq: dict[str, int] = defaultdict(int)
        for doc in fields["names"]:
            for term in set(doc):
                name_freq[term] += 1
        name_idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in name_freq.items()}

        # term -> [(doc, alias terms, bonus)]: aliases found whole in a question, in any order.
        self.aliases: dict[str, list[tuple[int, frozenset[str], float]]] = defaultdict(list)
        for index, names in enumerate(raw_aliases):
            for name in names:
                seq = frozenset(terms(name, self.vocabulary))
                if seq:
                    # A general topic's alias is a question frame ("causes of muscle weakness"),
                    # not a rare name: it earns only its coverage of the question.
                    rarity = (
                        0.0 if self.general[index] else math.fsum(name_idf.get(t, 0.0) for t in seq)
                    )
                    bonus = ALIAS_BONUS * rarity
                    rarest = max(seq, key=lambda t: (name_idf.get(t, 0.0), t))
                    self.aliases[rarest].append((index, seq, bonus))

        # Question frames of general topics ("why" asks for causes): cue terms -> topic.
        self.frames: list[tuple[int, frozenset[str]]] = []
        for index, topic in enumerate(knowledge):
            if topic.category not in (GENERAL, SAFETY):
                continue
            for cue in FRAMES.get(topic.id, ()):
                cue_terms = frozenset(terms(cue, self.vocabulary))
                if cue_terms:
                    self.frames.append((index, cue_terms))
        self._index_frames()
        # Words that name a specific topic and nothing general ("iron", "thyroid", "polio").
        general_names = {t for i, doc in enumerate(fields["names"]) if self.general[i] for t in doc}
        self.naming_terms = (
            frozenset(
                t for i, doc in enumerate(fields["names"]) if not self.general[i] for t in doc
            )
            - general_names
            # A scope word says strength, not a topic; a phrase's other words ("down" in
            # "slowed down") still may.
            - frozenset(terms(" ".join(w for w in scope_words() if " " not in w)))
        )
        # Words of a topic's own title and name (not its everyday aliases) that no other topic's
        # title or name uses: "guillain", "iron", "polio".
        owners: dict[str, set[int]] = defaultdict(set)
        for i, names in enumerate(raw_aliases):
            for t in terms(" ".join(names[:2])):
                owners[t].add(i)
        self.unique_names = frozenset(
            t
            for t, docs in owners.items()
            if len(docs) == 1
            and t in self.naming_terms
            and text_freq[t] <= MAX_UNIQUE_TEXTS
            and t not in _NUMBERS
        )
        self._index_examples(knowledge, examples)
        # Long words of topic names by how they sound, for names that speech recognition splits
        # or mishears ("hypo calemia", "fiber my algia"): see ``respell``.
        # A sound two topics' words share is left out: it could not tell them apart.
        sounds: dict[str, dict[str, int]] = defaultdict(dict)
        for index, names in enumerate(raw_aliases):
            for word in words(" ".join(names)):
                if len(word) >= MIN_SOUNDED and word.isalpha():
                    sounds[sound(word)].setdefault(word, index)
        self.sounds = {
            key: min(found) for key, found in sounds.items() if len(set(found.values())) == 1
        }

    def _index_examples(self, knowledge: KnowledgeBase, examples: dict[str, list[str]]) -> None:
        """Each example question on its own, for cosine similarity to a question (idf weighted).

        The examples field of BM25F pools a topic's examples into one bag of words; a question
        worded like one whole example is better evidence than its words spread over many.
        """
        self.near_topic: list[int] = []
        bags: list[set[str]] = []
        for index, topic in enumerate(knowledge):
            for question in examples.get(topic.id, ()):
                bag = set(terms(question, self.vocabulary))
                if bag:
                    self.near_topic.append(index)
                    bags.append(bag)
        df: dict[str, int] = defaultdict(int)
        for bag in bags:
            for term in bag:
                df[term] += 1
        total = len(bags)
        near: dict[str, list[int]] = defaultdict(list)
        self.near_norm: list[float] = []
        for example, bag in enumerate(bags):
            self.near_norm.append(
                round(math.sqrt(math.fsum(_idf(total, df[t]) ** 2 for t in bag)), DIGITS)
            )
            for term in sorted(bag):
                near[term].append(example)
        self.near = dict(near)
        self._near_sets: dict[str, frozenset[int]] = {}
        self._near_words: dict[str, _NearWord] = {}
        self._dense: dict[str, list[float]] = {}

    def _nearest(self, present: set[str], named: set[int] | None = None) -> dict[int, float]:
        """Topic -> cosine similarity of its closest example question to the question's terms.

        ``named``, if given, receives the topics one of whose examples the question is worded
        almost like (see ``NEAR_NAMED``, ``NEAR_COVER``).

        Only examples sharing a less common word with the question are looked at: the words in
        many examples ("weak", "legs") are then looked up for those few, not walked through.
        """
        # A word no example uses counts as the rarest: a question about coffee is not close to
        # "how do i make my legs stronger" for sharing "make" and "stronger".
        # Each word's idf follows from how many examples hold it: the saved index need not
        # carry it, and a cold start parses only the words a question uses.
        total = len(self.near_norm)
        rarest = math.log(1 + total)
        squares: list[float] = []
        rare: list[_NearWord] = []
        common: list[_NearWord] = []
        for term in present:
            word = self._near_word(term, total)
            if word is None:
                squares.append(rarest**2)
                continue
            squares.append(word.idf**2)
            (common if word.common else rare).append(word)
        norm = math.sqrt(math.fsum(squares))
        if not norm:
            return {}
        # Per example, in one number: the words it shares with the question, each worth _SHARED,
        # plus the sum of their squared idf (always far below _SHARED). One dictionary update per
        # posting instead of two; this loop is most of a question's cost.
        tally: dict[int, float] = {}
        get = tally.get
        for word in rare:
            if not tally:  # the first word's examples in one step
                tally = dict.fromkeys(word.examples, word.weight)
                get = tally.get
                continue
            weight = word.weight
            for example in word.examples:
                tally[example] = get(example, 0.0) + weight
        for word in common:
            weight = word.weight
            for example in self._near_set(word.term).intersection(tally):
                tally[example] += weight
        best: dict[int, float] = {}
        if named is None:
            named = set()
        topic_of, norms = self.near_topic, self.near_norm
        least = NEAR_SHARED * _SHARED
        # One word in common ("moon") is a coincidence, not a way of asking.
        for example, value in [item for item in tally.items() if item[1] >= least]:
            dot = value % _SHARED
            cosine = dot / (norm * norms[example])
            doc = topic_of[example]
            if cosine > best.get(doc, 0.0):
                best[doc] = cosine
            # Naming needs the question to say most of what the example says: "my dad's legs
            # are weak" is close to "my dad's legs are weak will physio help" but does not ask
            # about physio.
            if cosine >= NEAR_NAMED and dot >= NEAR_COVER * norms[example] ** 2:
                named.add(doc)
        return best

    def _near_word(self, term: str, total: int) -> _NearWord | None:
        """A word's examples and weights, worked out once per process; None if no example
        uses it (not kept: any word may be asked)."""
        word = self._near_words.get(term)
        if word is None:
            found = self.near.get(term)
            if not found:
                return None
            idf = _idf(total, len(found))
            common = idf < math.log(1 + 1 / NEAR_COMMON)
            word = self._near_words[term] = _NearWord(term, found, idf, _SHARED + idf**2, common)
        return word

    def _near_set(self, term: str) -> frozenset[int]:
        """A word's examples as a set to look up, made once per process."""
        found = self._near_sets.get(term)
        if found is None:
            found = self._near_sets[term] = frozenset(self.near.get(term, ()))
        return found

    def _index_frames(self) -> None:
        """Frames by one of their terms, so a query looks only at cues it could complete; and
        the words of general questions ("when should i see a doctor", "how is it treated"): a
        question made of these alone is ours even though it names no body part."""
        self.frame_terms = frozenset(t for _, cue in self.frames for t in cue)
        self.frame_index: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for doc, cue in self.frames:
            self.frame_index[min(cue)].append((doc, cue))

    def to_data(self) -> dict[str, Any]:
        """The index as plain JSON data (sets as sorted lists); each word's entries in the
        ``LAZY_SECTIONS`` are compact JSON text of their own, in word order, as ``save`` writes
        them one after another."""
        return {
            "ids": self.ids,
            "general": self.general,
            "condition": self.condition,
            "vocabulary": sorted(self.vocabulary),
            "domain": sorted(self.domain),
            "postings": {
                t: _compact([docs, weights]) for t, (docs, weights) in sorted(self.postings.items())
            },
            "aliases": {
                t: _compact([[d, sorted(seq), bonus] for d, seq, bonus in entries])
                for t, entries in sorted(self.aliases.items())
            },
            "frames": [[d, sorted(cue)] for d, cue in self.frames],
            "sounds": dict(sorted(self.sounds.items())),
            "near": {t: _compact(examples) for t, examples in sorted(self.near.items())},
            "near_norm": self.near_norm,
            # Examples come topic by topic: how many each topic has says whose each one is.
            "near_counts": [self.near_topic.count(doc) for doc in range(len(self.ids))],
            "naming_terms": sorted(self.naming_terms),
            "unique_names": sorted(self.unique_names),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any], sections: dict[str, _Entries]) -> Retriever:
        """An index loaded from a saved header and its entries, without recomputing anything."""
        self = cls.__new__(cls)
        self.ids = list(data["ids"])
        self.general = list(data["general"])
        self.condition = list(data["condition"])
        self.damped_docs = _damped(self.ids, self.general)
        self.overview = self.ids.index(OVERVIEW) if OVERVIEW in self.ids else None
        self.vocabulary = frozenset(data["vocabulary"])
        self.domain = frozenset(data["domain"])
        self.postings = sections["postings"]  # type: ignore[assignment]
        self.aliases = sections["aliases"]  # type: ignore[assignment]
        self.frames = [(d, frozenset(cue)) for d, cue in data["frames"]]
        self.sounds = data["sounds"]
        self.near = sections["near"]  # type: ignore[assignment]
        self.near_norm = data["near_norm"]
        self._near_sets = {}
        self._near_words = {}
        self._dense = {}
        self.near_topic = [doc for doc, n in enumerate(data["near_counts"]) for _ in range(n)]
        self.naming_terms = frozenset(data["naming_terms"])
        self.unique_names = frozenset(data["unique_names"])
        self._index_frames()
        return self

    def respell(self, question: str) -> str:
        """Put back together the names speech recognition splits or mishears.

        A run of two to five words that holds a word we do not know ("rab doe my lysis") is
        replaced by the topic-name word that sounds the same ("rhabdomyolysis"), if exactly one
        does; words we know are never touched on their own, nor is an everyday word the
        synonyms fold onto ours ("shattered" means exhausted, though it sounds like "steroid").

        >>> retriever().respell("what is hypo calemia")
        'what is hypokalemia'
        """
        question = spell_capitals(question, self.vocabulary)
        vocabulary, known = self.vocabulary, WORD_SYNONYMS
        things = outside_words()
        said = [piece for w in question.lower().split() for piece in self._unglued(w, things)]
        if len(said) > len(question.split()):
            question = " ".join(said)
        unknown = [
            (len(w) > 2 or (len(w) == 2 and w.isalpha()))  # short pieces: "fiber my al ja"
            and w not in STOPWORDS
            and w not in known
            and w not in things
            and stem(w) not in vocabulary
            for w in said
        ]
        if not any(unknown):
            return question
        plain = ["".join(words(w)) for w in said]
        folded = phrase_positions(plain)  # the synonyms' own slips: left for them to fold
        out: list[str] = []
        i = 0
        while i < len(said):
            if not any(unknown[i : i + 6]):  # no window from here holds an unknown word
                out.append(said[i])
                i += 1
                continue
            # Of the windows from here that sound like a name, the one nearest its length:
            # "hypo calemia" is hypokalemia, not "hypo calemia make" heard as "hypokalemic".
            matches: list[tuple[int, int, str]] = []  # (length difference, -size, name)
            for size in (6, 5, 4, 3, 2, 1):
                window = said[i : i + size]
                if len(window) < size or not any(unknown[i : i + size]):
                    continue
                if not folded.isdisjoint(range(i, i + size)):
                    continue
                if window[-1] in STOPWORDS or (size == 1 and len(window[0]) < 9):
                    continue  # "noodles is" is not "needles": short single words stay as said
                joined = "".join(window)
                if len(joined) < MIN_SOUNDED or not joined.isalpha():
                    continue
                found = self.sounds.get(sound(joined))
                if found is not None and _close(found, joined) and found not in window:
                    matches.append((abs(len(joined) - len(found)), -size, found))
            if matches:
                _, negative_size, name = min(matches)
                out.append(name)
                i -= negative_size
            else:
                out.append(said[i])
                i += 1
        return " ".join(out)

    def _unglued(self, word: str, things: frozenset[str]) -> tuple[str, ...]:
        """A short word a recogniser ran onto one of our names, split off: "canstatins" is "can
        statins". Only a word we do not know, and only when the rest is a word that names a
        specific topic, so an everyday word that happens to begin so ("island") stays whole."""
        known = word in STOPWORDS or word in WORD_SYNONYMS or word in things
        if known or not word.isalpha() or stem(word) in self.vocabulary:
            return (word,)
        for head in GLUED:
            rest = word[len(head) :]
            if (
                word.startswith(head)
                and len(rest) >= MIN_UNGLUED
                and rest not in things
                and stem(rest) in self.naming_terms
            ):
                return head, rest
        return (word,)

    def search_terms(self, question: str) -> list[str]:
        """A question's terms as ``match`` reads them: respelled, then folded and stemmed. The
        topic model learns from exactly these, so training and answering cannot drift apart."""
        return terms(self.respell(question), self.vocabulary)

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Topics scored for ``question``, best first; topics scoring zero are left out.

        >>> retriever().rank("what is an e m g")[0][0]
        'electromyography'
        """
        query = terms(question, self.vocabulary)
        return self._rank(query)

    def _rank(self, query: list[str]) -> list[tuple[str, float]]:
        return [(self.ids[doc], score) for doc, score, _ in self._scores(query)]

    def _scores(
        self,
        query: list[str],
        top: int | None = None,
        near: dict[int, float] | None = None,
        aliased: set[int] | None = None,
    ) -> list[tuple[int, float, bool]]:
        """(doc, score, named) best first: BM25F, alias bonuses, specificity damping, examples.

        A topic is named when one of its aliases is in the question or the question is worded
        almost like one of its examples. ``top`` keeps only the best few, which is all a decision
        needs (and cheaper than a sort). ``near``, if given, receives each topic's closest-example
        similarity, and ``aliased`` the topics whose aliases the question holds.
        """
        present = set(query)
        size = len(present)
        # A score per topic in a list: adding up postings is most of a question's cost, and a
        # list takes it with one index operation where a dict needs two look-ups.
        scores = [0.0] * len(self.ids)
        best_alias: dict[int, float] = {}
        frame_hits: dict[int, int] = {}
        postings, aliases, frames = self.postings, self.aliases, self.frame_index
        dense_from = len(scores) * DENSE_SHARE
        for term in present:  # one pass: BM25F, then aliases and frames this term could complete
            docs, weights = postings.get(term, _NO_POSTINGS)
            if len(docs) >= dense_from:  # "weak", "legs": one C-level pass over every topic
                scores = list(map(add, scores, self._dense_postings(term, docs, weights)))
            else:
                for doc, contribution in zip(docs, weights):  # noqa: B905 - built as equal lists
                    scores[doc] += contribution
            for doc, seq, bonus in aliases.get(term, ()):
                if present.issuperset(seq):
                    bonus += COVER_BONUS * len(seq) / size
                    if bonus > best_alias.get(doc, 0.0):
                        best_alias[doc] = bonus
            for doc, cue in frames.get(term, ()):
                if cue <= present:
                    frame_hits[doc] = frame_hits.get(doc, 0) + 1
        for doc, bonus in best_alias.items():
            scores[doc] += bonus
        for doc, hits in frame_hits.items():
            scores[doc] += FRAME_BONUS * min(hits, 2)
        # Muscle weakness itself is the subject of nearly every question: "how do you treat
        # reduced muscle strength" names the overview's alias but asks for treatment.
        overview = self.overview
        if overview is not None and any(d != overview for d in frame_hits):
            scores[overview] *= GENERAL_DAMPING
        # The most specific thing named wins: "can low potassium cause muscle weakness" is about
        # low potassium, not about causes in general, though it says "cause" and "weakness".
        specific = [doc for doc in best_alias if not self.general[doc]]
        if specific:
            for doc in self.damped_docs:
                if specific != [doc]:  # "what counts as an emergency" names only the emergency
                    scores[doc] *= GENERAL_DAMPING
        named_near: set[int] = set()
        nearest = self._nearest(present, named_near)
        if near is not None:
            near.update(nearest)
        for doc, cosine in nearest.items():
            if cosine >= NEAR_MIN:
                scores[doc] += NEAR_BONUS * cosine
        # Two topics named together whose specific case is a topic of its own ("diabetes" and
        # "numb feet": diabetic neuropathy) hear that topic, ahead of both, unless a third
        # topic leads ("steroid medicines" and "cushing's syndrome" is about Cushing's).
        if len(best_alias) > 1:
            leader = max(range(len(scores)), key=scores.__getitem__)
            for child, parts in self.combined:
                if parts <= best_alias.keys() and (leader in parts or leader == child):
                    scores[child] = scores[leader] + COMBINED_LEAD
                    best_alias.setdefault(child, 0.0)
                    break
        # Best first, ties in topic order; one sort of bare numbers in C is cheaper than a heap
        # of (score, topic) pairs built for every topic.
        ranked = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
        ranked = [doc for doc in ranked[:top] if scores[doc] > 0]
        if aliased is not None:
            aliased.update(best_alias)
        return [(doc, scores[doc], doc in best_alias or doc in named_near) for doc in ranked]

    def _dense_postings(self, term: str, docs: list[int], weights: list[float]) -> list[float]:
        """A common word's contributions for every topic (0.0 where it has none), made once per
        process: added to the scores in one pass instead of one index operation per topic."""
        found = self._dense.get(term)
        if found is None:
            found = [0.0] * len(self.ids)
            for doc, contribution in zip(docs, weights):  # noqa: B905 - built as equal lists
                found[doc] = contribution
            self._dense[term] = found
        return found

    @cached_property
    def combined(self) -> list[tuple[int, frozenset[int]]]:
        """``COMBINATIONS`` as topic indexes: (the combined topic, the topics naming it)."""
        index = {topic: doc for doc, topic in enumerate(self.ids)}
        return [
            (index[child], frozenset(index[part] for part in parts))
            for child, sets in COMBINATIONS.items()
            for parts in sets
            if child in index and all(part in index for part in parts)
        ]

    def _in_scope(
        self,
        question: str,
        query: list[str],
        top: int,
        near: dict[int, float],
        aliased: set[int],
        score: float = 0.0,
    ) -> bool:
        """Whether a question is ours to answer or to offer a menu for at all.

        It must speak of a body's strength ("my dad's legs are weak"), name one of our topics
        ("what is lupus"), score high on one topic with words from specific topics' names
        (``SCOPE_SCORE``), be worded almost like one of our examples ("what is my oh sitis", as
        speech recognition heard "myositis"), or be made of general question words alone ("when
        should i see a doctor"). ``score`` is the best topic's. Errands never are; nor is a
        subject we do not cover (a weak signal, a toothache) unless the question is also about
        strength or names a condition: "can a sore throat lead to rheumatic fever" is ours.
        """
        linked = not self.naming_terms.isdisjoint(query)
        folded = fold(question)  # idioms read plainly: "under the weather" asks no forecast
        # An errand by its opening words, as said ("where's the nearest a and e": folding drops
        # the "'s"), or by its words anywhere when nothing speaks of strength.
        if is_request_start(question) or (
            is_request(folded)
            and not (is_about_strength(folded, linked) and asks_something(folded))
        ):
            return False  # an errand, even after a feeling: "i'm knackered, put some music on"
        if is_about_animal(question):
            return False
        present = set(query)
        broad = _broad_terms()
        only_broad = not broad.isdisjoint(present) and not self._names_beyond(present, broad)
        if is_outside(question) or is_outside(folded):
            # Read as said and as folded: an idiom read plainly may name a thing ("his grip on
            # the finances" is control of them). A condition named by words that name none of
            # ours ("drained") names nothing.
            condition = top in aliased and self.condition[top] and linked
            return (condition or (linked and score >= OUTSIDE_SCORE)) and not only_broad
        if linked and score >= SCOPE_SCORE and not only_broad:
            return True  # "why can't babies under one year old have honey": botulism, clearly
        if is_about_strength(folded, linked):
            return True
        if only_broad and not says_scope_word(folded):
            return False  # "what are the symptoms of covid": a wider subject, not weakness
        if any(not self.general[doc] for doc in aliased):
            return True
        if not self.unique_names.isdisjoint(query):
            return True  # a word only one topic's title uses: "guillain bar ray", "iron"
        # Made only of question words, or only of words from our topics' names ("therapy").
        if (
            near.get(top, 0.0) >= NEAR_SCOPE
            or self.frame_terms >= present
            or self.domain >= present
        ):
            return True
        return linked and score >= SCOPE_GUESS_SCORE and self._confirmed(query, top)

    def _confirmed(self, query: list[str], top: int) -> bool:
        """Whether the topic model is sure of the same topic as the ranking: two readings that
        agree on a question told in its own words ("still as weak as a kitten after the flu").
        Read last, so a question the rules above settle never loads the model."""
        opinion = self._guess(query)
        return opinion.topic == self.ids[top] and opinion.probability >= SCOPE_GUESS

    def _names_beyond(self, present: set[str], broad: frozenset[str]) -> bool:
        """Whether the question names a specific topic with more than broad words: a title
        word of one topic alone, or an alias with a word that is not broad ("long covid", not
        "covid"; "water tablets", not "water infection")."""
        if not self.unique_names.isdisjoint(present - broad):
            return True
        return any(
            not self.general[doc] and present.issuperset(seq) and not broad.issuperset(seq)
            for term in present
            for doc, seq, _ in self.aliases.get(term, ())
        )

    def match(self, question: str | None) -> Match:
        """Decide what to do with a free question: answer, offer guesses, or decline.

        A question gets an answer only when its best topic is named in it (one of the topic's
        aliases is in the question) and leads the runner-up clearly; otherwise, if it uses our
        vocabulary at all, the person hears a few likely topics to choose from.

        >>> retriever().match("what's the weather like").kind
        'off_topic'
        """
        if not question or not question.strip():
            return Match("empty")
        question = self.respell(question)  # as in search_terms, kept: scope reads it too
        query = terms(question, self.vocabulary)
        if not query:
            return Match("empty")
        near: dict[int, float] = {}
        aliased: set[int] = set()
        ranked = self._scores(query, top=3, near=near, aliased=aliased)
        if not ranked or ranked[0][1] < MIN_SUGGEST:
            score = ranked[0][1] if ranked else 0.0
            if self._vague(question):  # "my mum is weak": too plain to score, but ours
                return self._complaint(query, (CAUSES_TOPIC,), score)
            return Match("off_topic", score=score)
        top_doc, top, named = ranked[0]
        if not self._in_scope(question, query, top_doc, near, aliased, top):
            return Match("off_topic", score=top)
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        candidates = tuple(self.ids[doc] for doc, _, _ in ranked[:3])
        clear_lead = top >= second * MIN_LEAD or top - second >= MIN_MARGIN
        if named and top >= MIN_ANSWER and clear_lead:
            return Match("answer", self.ids[top_doc], candidates, top)
        # Asked almost word for word like one of the top topic's examples, and like no other
        # topic's: that is a known way of asking for it, however close the scores.
        closest = near.get(top_doc, 0.0)
        others = max((c for d, c in near.items() if d != top_doc), default=0.0)
        if named and closest >= NEAR_SURE and closest >= others + NEAR_SURE_LEAD:
            return Match("answer", self.ids[top_doc], candidates, top)
        # Nothing is named clearly from here on: the topic model has a say, read only now.
        if top >= MIN_UNNAMED and top >= second * UNNAMED_LEAD:
            opinion = self._guess(query) if not named else _NO_GUESS
            if opinion.probability >= OVERRULE_GUESS:
                return Match("answer", opinion.topic, candidates, top)
            return Match("answer", self.ids[top_doc], candidates, top)
        opinion = self._guess(query)
        # Naming nothing, a complaint about strength ("my dad's legs are weak") hears the general
        # answer on causes rather than a menu of specific conditions it never mentioned.
        if not aliased and not any(n for _, _, n in ranked) and self._vague(question):
            return self._complaint(query, candidates, top, opinion)
        if opinion.probability >= MENU_GUESS:
            return Match("answer", opinion.topic, candidates, top)
        return Match("unsure", None, candidates, top)

    def _guess(self, query: list[str]) -> Guess:
        """The topic model's guess, if it names one of our topics."""
        opinion = guess(query)
        return opinion if opinion.topic in self.ids else _NO_GUESS

    def _complaint(
        self,
        query: list[str],
        candidates: tuple[str, ...],
        score: float,
        opinion: Guess | None = None,
    ) -> Match:
        """A complaint that names nothing: the general answer on causes, unless the topic model
        is sure what it describes ("i get shaky and weak when i skip a meal")."""
        opinion = opinion if opinion is not None else self._guess(query)
        if opinion.probability >= COMPLAINT_GUESS:
            return Match("answer", opinion.topic, candidates, score)
        return Match("answer", CAUSES_TOPIC, (CAUSES_TOPIC,), score)

    def _vague(self, question: str) -> bool:
        """A complaint about strength that the general answer on causes fits (it says when to
        get help): the answer when a question names no topic and none stands out. Not when it
        is about a subject we do not cover ("his grip on the finances is weakening")."""
        folded = fold(question)
        return CAUSES_TOPIC in self.ids and is_about_strength(folded) and not is_outside(folded)


def _damped(ids: list[str], general: list[bool]) -> list[int]:
    """The topics a specific name outranks: the general ones, and the emergency topic, whose
    warning signs are not the answer to "is a stroke always an emergency" (the stroke topic
    says so, and more)."""
    return [doc for doc, topic in enumerate(ids) if general[doc] or topic == EMERGENCY_TOPIC]


@cache
def _broad_terms() -> frozenset[str]:
    """``broad_names`` as search terms, folded and stemmed like a question's."""
    return frozenset(terms(" ".join(broad_names())))


#: Words shorter than this are never matched by sound: short words sound like too many others.
MIN_SOUNDED = 7
#: Small words a recogniser runs onto the next ("canstatins", "isdiabetes"), longest first, and
#: how long the rest must be to be split off as one of our names.
GLUED = ("what", "does", "can", "how", "why", "are", "has", "the", "is", "do", "my")
MIN_UNGLUED = 5


@lru_cache(maxsize=4096)
def sound(word: str) -> str:
    """A rough key for how a word sounds: spellings of one sound folded, a silent "gh" ("thigh
    roid", "rab dough") and vowels after the first letter and doubled letters dropped.

    >>> sound("hypokalemia") == sound("hypocalemia"), sound("sarcopenia") == sound("sircopeenia")
    (True, True)
    """
    word = word.lower()
    for spelled, said in (
        ("ph", "f"),
        ("gh", ""),
        ("tion", "shun"),  # "occu pay shun al", "infect shun"
        ("cious", "shus"),  # "pernishus"
        ("cia", "sha"),  # "osteo malay sha"
        ("sion", "shun"),
        ("tsh", "sh"),
        ("ck", "k"),
        ("q", "k"),
        ("x", "ks"),
        ("z", "s"),
    ):
        word = word.replace(spelled, said)
    # A "c" before "e" or "y" sounds as "s" ("hypo gly seemia", "sir vical"); any other as
    # "k" ("ci" too: "a decision" sounding as "addison" let an idiom in).
    word = "".join(
        "s" if ch == "c" and word[at + 1 : at + 2] in ("e", "y") else ch
        for at, ch in enumerate(word)
    )
    word = word.replace("c", "k").replace("j", "g").replace("y", "i")  # "sir jury": surgery
    head, rest = word[:1], word[1:]
    rest = "".join(ch for ch in rest if ch not in "aeiouhw")
    key = head
    for ch in rest:
        if ch != key[-1]:
            key += ch
    return key


def _close(name: str, said: str) -> bool:
    """Near enough in length for a respelling: within three letters, or a quarter of a long
    name. Split names gain vowels ("die a bee tees" is three letters longer than "diabetes",
    "rab dough my oh lisis" three longer than "rhabdomyolysis"); the sound key already holds
    the consonants to the name."""
    gained = len(said) - len(name)
    if gained > 0:
        return gained <= max(4, len(name) // 3)  # "pee ree odd ick", "high poe toe nia"
    return -gained <= max(3, len(name) // 4)


def example_questions() -> dict[str, list[str]]:
    """Example questions by topic id (``data/examples.json``), read only to build the index."""
    with open(EXAMPLES_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    return {k: v for k, v in data.items() if not k.startswith("_") and isinstance(v, list)}


def fingerprint() -> str:
    """A digest of the index's inputs and its scoring constants."""
    import hashlib

    constants = (8, FOLDING_VERSION, K1, B, FIELD_WEIGHTS, ALIAS_BONUS, MIN_CONTRIBUTION, DIGITS)
    digest = hashlib.sha256(repr(constants).encode())
    for path in _INPUTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read(path: Path = INDEX_FILE) -> tuple[dict[str, Any], Retriever]:
    """The saved index's header and the index it describes; ValueError if the file is damaged."""
    raw = path.read_bytes()
    cut = raw.find(b"\n")
    if cut < 0:
        raise ValueError("search index has no header line")
    header = json.loads(raw[:cut])
    blob = raw[cut + 1 :]
    if len(blob) != header["size"]:
        raise ValueError("search index cut short or added to")
    sections = {
        name: _Entries(blob, start, words, ends)
        for name, (start, words, ends) in header["entries"].items()
    }
    return header, Retriever.from_data(header["index"], sections)


def load(path: Path = INDEX_FILE) -> Retriever:
    """The saved index; one built now (and a warning) only if the file is missing or unreadable.

    Whether the saved index is current is checked when it is built (``make index``, ``make
    build``) and by a test, not here: hashing the inputs on the first question of every cold
    process would cost a request what a build can check once.
    """
    try:
        return read(path)[1]
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("search index missing or unreadable; building it in-process")
    return Retriever(KNOWLEDGE)


def is_current(path: Path = INDEX_FILE) -> bool:
    """True when the saved index was built from today's knowledge base and synonyms, and the
    knowledge base's recorded spans still fit it."""
    try:
        header, _ = read(path)
        return bool(header.get("fingerprint") == fingerprint()) and slices_are_current()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def save(path: Path = INDEX_FILE) -> None:
    """Write the index for the current knowledge base (the header line, then every word's
    entries), and where each of its topics lies in the knowledge base (``make index``)."""
    save_slices()
    data = Retriever(KNOWLEDGE).to_data()
    blob = bytearray()
    entries: dict[str, list[Any]] = {}
    for name in LAZY_SECTIONS:
        start, ends = len(blob), []
        for text in data[name].values():
            blob += text.encode("ascii")
            ends.append(len(blob))
        entries[name] = [start, list(data.pop(name)), ends]
    header = {"fingerprint": fingerprint(), "index": data, "entries": entries, "size": len(blob)}
    text = json.dumps(header, separators=(",", ":"), sort_keys=True)
    path.write_bytes(text.encode("ascii") + b"\n" + bytes(blob))


@cache
def retriever() -> Retriever:
    """The process's index, loaded on first use.

    Loading lazily keeps it off the cold start of requests that never search (a launch, help,
    stop); a SnapStart snapshot warms it during init instead (see ``skill.warm``).
    """
    return load()


if __name__ == "__main__":
    save()
    print(f"wrote {INDEX_FILE}", file=sys.stderr)

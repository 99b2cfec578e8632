"""The knowledge base: every topic the skill can speak about, loaded once per process.

``KNOWLEDGE`` reads the file on first use, so a cold start whose first request needs no topic (a
new user's launch) does not pay for it; under SnapStart, ``skill.warm`` loads it during init so
the snapshot holds it. Every request after that reads plain Python objects.
"""

from __future__ import annotations

import json
from functools import cache
from types import MappingProxyType
from typing import Any, NamedTuple

from .paths import data_file

# Plain os.path strings: importing pathlib costs the cold start half a millisecond.
KNOWLEDGE_FILE = data_file("knowledge_base.json")
SCHEMA_FILE = data_file("knowledge_base.schema.json")
#: Where each topic lies in the knowledge base's text (``make index`` writes it).
SLICES_FILE = data_file("knowledge_slices.json")

#: Topic ids and categories the code relies on (the schema lists every category).
EMERGENCY_TOPIC = "emergency"
OVERVIEW_TOPIC = "overview"
#: The general answer for a complaint about strength that names nothing more.
CAUSES_TOPIC = "causes"
GENERAL = "general"
SAFETY = "safety"
CONDITION = "condition"
CATEGORIES = (GENERAL, "cause_group", CONDITION, "test", "treatment", SAFETY)


class Source(NamedTuple):
    """A reference a topic cites."""

    id: str
    title: str
    publisher: str
    url: str


class Topic(NamedTuple):
    """One answerable subject, with its spoken, written and linked forms."""

    id: str
    title: str
    name: str
    category: str
    aliases: tuple[str, ...]
    brief: str
    full: str
    card: str
    related: tuple[str, ...]
    sources: tuple[str, ...]
    #: The date the text was last checked against its sources (not a clinical sign-off).
    reviewed: str
    #: Short answers to one side of the topic ("is it inherited?"), as (facet, text) pairs: a
    #: tuple, so a topic stays hashable (answers are cached per topic).
    facets: tuple[tuple[str, str], ...] = ()
    #: The words an answer starts with, naming what was understood ("" for the default).
    heading: str = ""
    #: The name in a menu of choices ("" for the default).
    short: str = ""

    def short_name(self) -> str:
        """The name said in a menu: short, and each option named once.

        >>> KNOWLEDGE.get("hypokalemia").short_name()
        'low potassium'
        """
        return self.short or self.name.split(", or ")[0]

    def spoken_heading(self) -> str:
        """What an answer starts with, so the listener hears at once what was understood.

        >>> KNOWLEDGE.get("hypothyroidism").spoken_heading()
        'Underactive thyroid'
        """
        if self.heading:
            return self.heading
        words = self.short_name()
        for article in ("a ", "an "):
            words = words.removeprefix(article)
        return words[:1].upper() + words[1:]

    def facet(self, name: str) -> str | None:
        """The short answer to one side of the topic, if the topic has one."""
        return next((text for key, text in self.facets if key == name), None)


class KnowledgeBase:
    """Topics by id, in file order, with their sources.

    Built from the parsed file, or (``sliced``) from its text and the spans of its parts that
    ``make index`` records in ``knowledge_slices.json``: then a topic is decoded the first time
    it is asked for. A one-shot question needs one topic of ninety, and decoding the whole file
    was the largest part of its cold start that grew with the content.

    >>> KNOWLEDGE.get("overview").category
    'general'
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: int = data["version"]
        self._sources: MappingProxyType[str, Source] | None = _sources(data["sources"])
        self._topics: dict[str, Topic] = {raw["id"]: _topic(raw) for raw in data["topics"]}
        self._text = ""
        self._spans: dict[str, tuple[int, int]] = {}
        self._sources_span = (0, 0)
        self._complete = True

    @classmethod
    def sliced(cls, text: str, slices: dict[str, Any]) -> KnowledgeBase:
        """A knowledge base that decodes each part of ``text`` on first use (see the class)."""
        self = cls.__new__(cls)
        self.version = slices["version"]
        self._sources = None
        self._topics = {}
        self._text = text
        self._spans = {topic_id: (a, b) for topic_id, a, b in slices["topics"]}
        self._sources_span = tuple(slices["sources"])
        self._complete = False
        return self

    @classmethod
    def load(cls, path: str = KNOWLEDGE_FILE, slices_path: str = SLICES_FILE) -> KnowledgeBase:
        """The file, sliced if its recorded spans still fit it, else parsed whole."""
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            with open(slices_path, encoding="utf-8") as handle:
                slices = json.load(handle)
            if slices["length"] == len(text) and text.startswith('"sources"', slices["key"]):
                return cls.sliced(text, slices)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no spans, or stale ones: an edited file is read whole until make index
        return cls(json.loads(text))

    def _decode(self, start: int, end: int) -> Any:
        return json.loads(self._text[start:end])

    def _whole(self) -> None:
        """Parse the whole text: every topic is needed, or a span did not hold what it named."""
        data = json.loads(self._text)
        self._sources = self._sources or _sources(data["sources"])
        self._topics = {raw["id"]: _topic(raw) for raw in data["topics"]}
        self._spans, self._complete = {}, True

    @property
    def sources(self) -> MappingProxyType[str, Source]:
        if self._sources is None:
            self._sources = _sources(self._decode(*self._sources_span))
        return self._sources

    @property
    def topics(self) -> MappingProxyType[str, Topic]:
        if not self._complete:
            self._whole()
        return MappingProxyType(self._topics)

    def get(self, topic_id: object) -> Topic | None:
        """The topic with this id, or None for anything else (including non-strings)."""
        if not isinstance(topic_id, str):
            return None
        found = self._topics.get(topic_id)
        if found is None and topic_id in self._spans:
            try:
                raw = self._decode(*self._spans[topic_id])
                if raw.get("id") == topic_id:
                    found = self._topics[topic_id] = _topic(raw)
            except (ValueError, AttributeError, TypeError):
                pass
            if found is None:  # the spans did not fit after all
                self._whole()
                found = self._topics.get(topic_id)
        return found

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self._topics) if self._complete else len(self._spans)


def _sources(raw: dict[str, Any]) -> MappingProxyType[str, Source]:
    return MappingProxyType({key: Source(id=key, **value) for key, value in raw.items()})


def _topic(raw: dict[str, Any]) -> Topic:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    if "facets" in fields:
        fields["facets"] = tuple(fields["facets"].items())
    return Topic(**fields)  # fields checked by the schema test


def slices(text: str) -> dict[str, Any]:
    """Where each part of the knowledge base's text lies: what ``KnowledgeBase.sliced`` reads.

    Found by decoding the text value by value, so it holds for any layout of the file.
    """
    decoder = json.JSONDecoder()
    out: dict[str, Any] = {"length": len(text), "topics": []}

    def skip(at: int, *marks: str) -> int:
        while text[at] in " \t\r\n" or text[at] in marks:
            at += 1
        return at

    at = skip(text.index("{") + 1)
    while text[at] != "}":
        key_at = at
        key, at = decoder.raw_decode(text, at)
        at = skip(at, ":")
        if key == "topics":
            at = skip(at + 1)  # into the list
            while text[at] != "]":
                topic, end = decoder.raw_decode(text, at)
                out["topics"].append([topic["id"], at, end])
                at = skip(end, ",")
            end = at + 1
        else:
            value, end = decoder.raw_decode(text, at)
            if key == "sources":
                out["sources"], out["key"] = [at, end], key_at
            elif key == "version":
                out["version"] = value
        at = skip(end, ",")
    return out


def save_slices(path: str = KNOWLEDGE_FILE, slices_path: str = SLICES_FILE) -> None:
    """Record the spans of the knowledge base's parts (``make index``)."""
    with open(path, encoding="utf-8") as handle:
        found = slices(handle.read())
    with open(slices_path, "w", encoding="utf-8") as handle:
        json.dump(found, handle, separators=(",", ":"))
        handle.write("\n")


def slices_are_current(path: str = KNOWLEDGE_FILE, slices_path: str = SLICES_FILE) -> bool:
    """True when the recorded spans are those of the file as it is now."""
    try:
        with open(path, encoding="utf-8") as handle, open(slices_path, encoding="utf-8") as saved:
            return bool(json.load(saved) == slices(handle.read()))
    except (OSError, ValueError):
        return False


@cache
def knowledge_base() -> KnowledgeBase:
    """The knowledge base, read once per process, on first use."""
    return KnowledgeBase.load()


class _LazyKnowledge:
    """Stands in for the loaded ``KnowledgeBase`` (``knowledge_base()``) until first used."""

    def load(self) -> KnowledgeBase:
        return knowledge_base()

    def get(self, topic_id: object) -> Topic | None:
        # Asking for "no topic" must not load the file (the memory interceptor does it often).
        return self.load().get(topic_id) if isinstance(topic_id, str) else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.load(), name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.load())


KNOWLEDGE: KnowledgeBase = _LazyKnowledge()  # type: ignore[assignment]

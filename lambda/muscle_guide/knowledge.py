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

    >>> KNOWLEDGE.get("overview").category
    'general'
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: int = data["version"]
        self.sources = MappingProxyType(
            {key: Source(id=key, **value) for key, value in data["sources"].items()}
        )
        topics = {}
        for raw in data["topics"]:
            fields: dict[str, Any] = {
                k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()
            }
            if "facets" in fields:
                fields["facets"] = tuple(fields["facets"].items())
            topics[raw["id"]] = Topic(**fields)  # fields checked by the schema test
        self.topics = MappingProxyType(topics)

    @classmethod
    def load(cls, path: str = KNOWLEDGE_FILE) -> KnowledgeBase:
        with open(path, encoding="utf-8") as handle:
            return cls(json.load(handle))

    def get(self, topic_id: object) -> Topic | None:
        """The topic with this id, or None for anything else (including non-strings)."""
        return self.topics.get(topic_id) if isinstance(topic_id, str) else None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)


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

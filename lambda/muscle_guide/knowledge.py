"""The knowledge base: every topic the skill can speak about, loaded once when the module loads.

Loading at import time means a Lambda cold start (or a SnapStart snapshot) pays for it once, and
every request after that reads plain Python objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
KNOWLEDGE_FILE = DATA_DIR / "knowledge_base.json"
SCHEMA_FILE = DATA_DIR / "knowledge_base.schema.json"


@dataclass(frozen=True)
class Source:
    """A reference a topic cites."""

    id: str
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class Topic:
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
    reviewed: str


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
            fields = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
            topics[raw["id"]] = Topic(**fields)
        self.topics = MappingProxyType(topics)

    @classmethod
    def load(cls, path: Path = KNOWLEDGE_FILE) -> KnowledgeBase:
        with path.open(encoding="utf-8") as handle:
            return cls(json.load(handle))

    def get(self, topic_id: object) -> Topic | None:
        """The topic with this id, or None for anything else (including non-strings)."""
        return self.topics.get(topic_id) if isinstance(topic_id, str) else None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)


KNOWLEDGE = KnowledgeBase.load()

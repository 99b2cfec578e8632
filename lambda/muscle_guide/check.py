"""The guided weakness check as a decision table (``data/symptom_check.json``).

Keeping the table in data keeps the medical logic reviewable on its own, with its sources, and lets
the tests walk every path through it without knowing its contents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

_DATA = Path(__file__).resolve().parent / "data" / "symptom_check.json"
OUTCOMES = ("emergency", "doctor", "rest")
MAX_QUESTIONS = 6


@dataclass(frozen=True)
class Question:
    id: str
    ask: str
    yes: str
    no: str


@dataclass(frozen=True)
class Outcome:
    id: str
    say: str
    card: str


class DecisionTable:
    """Questions and outcomes; ``next(step, answer)`` says where an answer leads.

    >>> TABLE.next(TABLE.start, True)
    'emergency'
    """

    def __init__(self, data: dict) -> None:
        self.start: str = data["start"]
        self.questions: Mapping[str, Question] = MappingProxyType(
            {key: Question(key, **value) for key, value in data["questions"].items()}
        )
        self.outcomes: Mapping[str, Outcome] = MappingProxyType(
            {key: Outcome(key, **value) for key, value in data["outcomes"].items()}
        )
        self.sources: Mapping[str, dict] = MappingProxyType(data["sources"])

    def next(self, step: str, answer: bool) -> str:
        question = self.questions[step]
        return question.yes if answer else question.no

    def is_question(self, step: object) -> bool:
        return isinstance(step, str) and step in self.questions

    def position(self, step: str) -> int:
        """How many questions come before ``step`` on the way from the start (1-based)."""
        for path in self.paths():
            if step in path:
                return path.index(step) + 1
        return 1

    def paths(self) -> list[list[str]]:
        """Every path from the start to an outcome, as the list of steps it visits."""
        found: list[list[str]] = []

        def walk(step: str, trail: list[str]) -> None:
            if step in self.outcomes:
                found.append([*trail, step])
                return
            for answer in (True, False):
                walk(self.next(step, answer), [*trail, step])

        walk(self.start, [])
        return found


with _DATA.open(encoding="utf-8") as _handle:
    TABLE = DecisionTable(json.load(_handle))

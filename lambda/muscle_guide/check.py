"""The guided weakness check as a decision table (``data/symptom_check.json``).

Keeping the table in data keeps the medical logic reviewable on its own, with its sources, and lets
the tests walk every path through it without knowing its contents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, NamedTuple

from .paths import data_file

_DATA = data_file("symptom_check.json")
OUTCOMES = ("emergency", "mini_stroke", "doctor", "rest")
MAX_QUESTIONS = 8


class Question(NamedTuple):
    id: str
    ask: str
    yes: str
    no: str
    sources: tuple[str, ...] = ()
    #: "Yes" leads to an urgent outcome, so an unsure answer is clarified once, then taken as yes.
    red_flag: bool = False
    clarify: str | None = None


class Outcome(NamedTuple):
    id: str
    say: str
    card: str
    #: The outcome is an emergency answer: it starts with the number and the session stays on it.
    urgent: bool = False


class DecisionTable:
    """Questions and outcomes; ``next(step, answer)`` says where an answer leads.

    >>> table().next(table().start, True)
    'emergency'
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.start: str = data["start"]
        self.questions: Mapping[str, Question] = MappingProxyType(
            {
                key: Question(key, **{**value, "sources": tuple(value.get("sources", ()))})
                for key, value in data["questions"].items()
            }
        )
        self.outcomes: Mapping[str, Outcome] = MappingProxyType(
            {key: Outcome(key, **value) for key, value in data["outcomes"].items()}
        )
        self.sources: Mapping[str, dict[str, str]] = MappingProxyType(data["sources"])
        self.uncertain = re.compile(data["uncertain"])

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


@cache
def table() -> DecisionTable:
    """The decision table, read on first use (most sessions never start the check)."""
    with open(_DATA, encoding="utf-8") as handle:
        return DecisionTable(json.load(handle))

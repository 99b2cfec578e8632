"""A second opinion on which topic a question is about: a logistic regression over its words.

The ranking (``retrieval.py``) is strong when a question names its subject and weak when it
describes it in other words ("my nan's gone so frail and her legs are like sticks"). A linear
model trained on the example questions, the topics' names and a large tuned set of questions in
the users' styles (``muscle_guide_tools.topic_classifier``) reads those descriptions better, but
without names it is less sure of plain questions. So it never decides alone: the ranking asks it
only when it would otherwise offer a menu, fall back on the general answer on causes, or answer
a question that named nothing, and takes its topic only when it is confident (see
``Retriever.match``).

The weights are pruned to the strongest few hundred per topic and stored as text per feature in
``data/topic_weights.json``, read on first use: a question the ranking answers by name never
loads them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

from .paths import data_file

WEIGHTS_FILE = Path(data_file("topic_weights.json"))


class Guess(NamedTuple):
    """The model's best topic for a question and its probability (0 when it knows no word)."""

    topic: str | None
    probability: float


def features(query: list[str]) -> list[str]:
    """The model's inputs: a question's search terms and each pair of neighbouring terms.

    >>> features(["weak", "leg", "stair"])
    ['weak', 'leg', 'stair', 'weak_leg', 'leg_stair']
    """
    return [*query, *(f"{a}_{b}" for a, b in pairwise(query))]


class _Model(NamedTuple):
    topics: list[str]
    intercepts: list[float]
    #: feature -> "topic-index weight topic-index weight ...", parsed when a question uses it
    weights: dict[str, str]


@cache
def _model() -> _Model | None:
    try:
        with open(WEIGHTS_FILE, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None  # no second opinion: the ranking decides alone, as it did before the model
    return _Model(data["topics"], data["intercepts"], data["weights"])


@cache
def _parsed(entry: str) -> tuple[tuple[int, float], ...]:
    numbers = entry.split()
    return tuple((int(numbers[i]), float(numbers[i + 1])) for i in range(0, len(numbers), 2))


def guess(query: list[str]) -> Guess:
    """The most probable topic for a question's search terms (``terms(respelled question)``).

    >>> guess(["myasthenia", "gravi"]).topic
    'myasthenia_gravis'
    """
    model = _model()
    if model is None:
        return Guess(None, 0.0)
    scores = list(model.intercepts)
    known = False
    for feature, count in Counter(features(query)).items():
        entry = model.weights.get(feature)
        if entry is None:
            continue
        known = True
        for topic, weight in _parsed(entry):
            scores[topic] += weight * count
    if not known:
        return Guess(None, 0.0)
    best = max(range(len(scores)), key=scores.__getitem__)
    top = scores[best]
    total = math.fsum(math.exp(score - top) for score in scores)
    return Guess(model.topics[best], 1.0 / total)

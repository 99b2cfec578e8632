"""``make eval``: how well free spoken questions reach the right topic.

Runs the labelled questions in ``tests/data/questions.yaml`` through retrieval alone and prints
top-1 accuracy, per-topic recall, every miss, and how many off-topic utterances were (wrongly)
given a medical answer. The same figures back the tests in ``test_retrieval.py``.

    python tests/evaluate.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "questions.yaml"


@dataclass
class Report:
    """Accuracy figures for one way of answering questions."""

    name: str
    total: int = 0
    correct: int = 0
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)
    per_topic: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    off_topic_total: int = 0
    off_topic_answered: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, question: str, expected: str, got: str | None) -> None:
        self.total += 1
        self.per_topic[expected][1] += 1
        if got == expected:
            self.correct += 1
            self.per_topic[expected][0] += 1
        else:
            self.misses.append((question, expected, got))

    def lines(self, misses: bool = True) -> list[str]:
        out = [
            f"{self.name}: top-1 accuracy {self.accuracy:.1%} ({self.correct}/{self.total}); "
            f"off-topic answered medically: {len(self.off_topic_answered)}/{self.off_topic_total}"
        ]
        weak = [
            f"{topic} {hit}/{n}" for topic, (hit, n) in sorted(self.per_topic.items()) if hit < n
        ]
        out.append("  per-topic recall below 100%: " + (", ".join(weak) or "none"))
        if misses:
            out += [f"  miss: {q!r} expected {e}, got {g}" for q, e, g in self.misses]
            out += [f"  off-topic answered: {q!r} -> {g}" for q, g in self.off_topic_answered]
        return out


def load() -> tuple[list[tuple[str, str]], list[str]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [(item["q"], item["topic"]) for item in data["questions"]], list(data["off_topic"])


def evaluate(name: str, answer: Callable[[str], str | None]) -> Report:
    """Score ``answer`` (question -> topic id, or None when it gives no medical answer)."""
    questions, off_topic = load()
    report = Report(name)
    for question, expected in questions:
        report.add(question, expected, answer(question))
    report.off_topic_total = len(off_topic)
    for utterance in off_topic:
        got = answer(utterance)
        if got is not None:
            report.off_topic_answered.append((utterance, got))
    return report


def retrieval_answer(question: str) -> str | None:
    from muscle_guide.retrieval import RETRIEVER

    match = RETRIEVER.match(question)
    return match.topic if match.kind == "answer" else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args(argv)
    reports = [evaluate("retrieval", retrieval_answer)]
    for report in reports:
        print("\n".join(report.lines(misses=not args.quiet)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

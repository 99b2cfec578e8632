"""``make eval``: how well free spoken questions reach the right topic.

Runs the labelled questions in ``tests/data/questions.yaml`` through retrieval alone, then
through the whole skill as Alexa would route them (words -> interaction model of each locale ->
intent -> handler), and prints top-1 accuracy, per-topic recall, every miss, and how many
off-topic utterances were (wrongly) given a medical answer. The same figures back the tests in
``test_retrieval.py``.

    python muscle_guide_tools/evaluate.py [--misses]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from muscle_guide_tools import ROOT

DATA = ROOT / "tests" / "data" / "questions.yaml"
#: Written blind (without seeing the skill, its samples or the main set) and never tuned on:
#: the honest estimate of how the skill does on questions nobody anticipated.
HOLDOUT = DATA.with_name("questions_holdout.yaml")
#: Also written blind, later, as a development set: tune on it (and the main set), never on the
#: held-out set.
DEV = DATA.with_name("questions_dev.yaml")
#: Questions about the topics added after the source article's: a tuned set, and a blind one
#: written before any result was seen (never tuned on).
NEW = DATA.with_name("questions_new_topics.yaml")
NEW_BLIND = DATA.with_name("questions_new_topics_blind.yaml")
#: Written blind in the voices of real users (carers, older people, Indian and British English,
#: speech-recognition slips, half-sentences), each question labelled with its style.
STYLES_BLIND = DATA.with_name("questions_styles_blind.yaml")


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
        accepted = expected.split("|")
        expected = accepted[0]
        self.total += 1
        self.per_topic[expected][1] += 1
        if got in accepted:
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


def load(path: Path = DATA) -> tuple[list[tuple[str, str]], list[str]]:
    """(question, topic) pairs and off-topic utterances. A question's ``also`` lists topics that
    answer it as well (added when a newer, more specific topic came to fit it): either counts."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = [
        (item["q"], "|".join([item["topic"], *item.get("also", [])])) for item in data["questions"]
    ]
    off_topic = [item["q"] if isinstance(item, dict) else item for item in data["off_topic"]]
    return questions, off_topic


def evaluate(name: str, answer: Callable[[str], str | None], path: Path = DATA) -> Report:
    """Score ``answer`` (question -> topic id, or None when it gives no medical answer)."""
    questions, off_topic = load(path)
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
    """A free question as the skill answers it: the red-flag screen first, then the search."""
    from muscle_guide.retrieval import retriever
    from muscle_guide.safety import red_flag

    if red_flag(question):
        return "emergency"
    match = retriever().match(question)
    return match.topic if match.kind == "answer" else None


def routing_answer(locale: str) -> Callable[[str], str | None]:
    """Words -> simulator (interaction model) -> intent -> handler -> topic, as Alexa would."""
    from muscle_guide_simulator.simulator import Conversation

    def answer(question: str) -> str | None:
        response = Conversation(locale=locale).say(f"ask muscle weakness guide {question}")
        topic = (response.get("sessionAttributes") or {}).get("topic")
        return topic if isinstance(topic, str) else None

    return answer


TARGET = 0.95
LOCALES = ("en-US", "en-GB", "en-IN", "en-AU", "en-CA")


def all_reports() -> list[Report]:
    reports = [evaluate("retrieval", retrieval_answer)]
    reports += [evaluate(f"routing {locale}", routing_answer(locale)) for locale in LOCALES]
    reports.append(evaluate("dev retrieval", retrieval_answer, DEV))
    reports.append(evaluate("held-out retrieval", retrieval_answer, HOLDOUT))
    reports.append(evaluate("held-out routing en-US", routing_answer("en-US"), HOLDOUT))
    reports.append(evaluate("new topics retrieval", retrieval_answer, NEW))
    reports.append(evaluate("new topics blind retrieval", retrieval_answer, NEW_BLIND))
    if STYLES_BLIND.exists():
        reports.append(evaluate("styles blind retrieval", retrieval_answer, STYLES_BLIND))
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = parser.parse_args(argv)
    # Evaluate without touching the developer's memory file or printing request logs.
    os.environ["MUSCLE_GUIDE_STATE_FILE"] = os.devnull
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    reports = all_reports()
    for report in reports:
        print("\n".join(report.lines(misses=not args.quiet)))
    target = f"(target {TARGET:.0%} on the main set)"
    print(f"\n{'summary':<26} {'top-1':>7}   off-topic answered   {target}")
    for report in reports:
        off = f"{len(report.off_topic_answered)}/{report.off_topic_total}"
        print(f"{report.name:<26} {report.accuracy:>7.1%}   {off:>18}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

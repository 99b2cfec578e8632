"""The sample events in events/ (also used by `sam local invoke`) all answer as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from muscle_guide.skill import lambda_handler
from support import assert_valid_response, ends, said, topic_of

EVENTS = Path(__file__).resolve().parents[1] / "events"

EXPECTED = {
    "launch": ("Welcome to Muscle Weakness Guide", None, False),
    "help": ("what causes muscle weakness", None, False),
    "stop": ("Goodbye", None, True),
    "session_ended": ("", None, True),
    "question_overview": ("", "overview", False),
    "question_causes": ("", "causes", False),
    "question_diagnosis": ("", "diagnosis", False),
    "question_treatment": ("", "treatment", False),
    "question_when_to_see_doctor": ("", "when_to_see_doctor", False),
    "question_emergency": ("Call triple zero now.", "emergency", False),
    "topic_als": ("", "als", False),
    "one_shot_causes": ("not medical advice", "causes", True),
    "yes_after_answer": ("", "causes", False),
}


def test_every_event_file_is_covered():
    assert {p.stem for p in EVENTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_event_answers_as_expected(name):
    text, topic, should_end = EXPECTED[name]
    response = lambda_handler(json.loads((EVENTS / f"{name}.json").read_text()), None)
    assert_valid_response(response)
    assert text in said(response)
    assert topic_of(response) == topic
    assert ends(response) is should_end

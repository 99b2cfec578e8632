"""The sample events in events/ (also used by `sam local invoke`) all answer as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_function import lambda_handler
from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.speech import plain, to_ssml
from support import assert_valid_response, ends, said, topic_of

EVENTS = Path(__file__).resolve().parents[1] / "events"

EXPECTED = {
    "launch": ("Welcome to Muscle Weakness Guide", None, False),
    "help": ("what causes muscle weakness", None, False),
    "stop": ("Goodbye", None, True),
    "session_ended": (None, None, True),  # nothing may be said
    "skill_disabled": (None, None, True),  # a skill event: the record is deleted, nothing said
    "question_overview": ("overview", "overview", False),
    "question_causes": ("causes", "causes", False),
    "question_diagnosis": ("diagnosis", "diagnosis", False),
    "question_treatment": ("treatment", "treatment", False),
    "question_when_to_see_doctor": ("when_to_see_doctor", "when_to_see_doctor", False),
    "question_emergency": ("Call triple zero now.", "emergency", False),
    "topic_als": ("als", "als", False),
    "one_shot_causes": ("not medical advice", "causes", True),
    "yes_after_answer": ("causes", "causes", False),
}


KNOWLEDGE_IDS = {topic.id for topic in KNOWLEDGE}


def response_locale(name: str) -> str:
    return json.loads((EVENTS / f"{name}.json").read_text())["request"].get("locale", "en-US")


def test_every_event_file_is_covered():
    assert {p.stem for p in EVENTS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_event_answers_as_expected(name):
    text, topic, should_end = EXPECTED[name]
    response = lambda_handler(json.loads((EVENTS / f"{name}.json").read_text()), None)
    assert_valid_response(response)
    if text is None:
        assert said(response) == ""
    elif text in KNOWLEDGE_IDS:  # a topic id: its brief answer must be what is said
        expected = KNOWLEDGE.get(text)
        assert expected is not None
        assert plain(to_ssml(expected.brief, response_locale(name))) in said(response)
    else:
        assert text in said(response)
    assert topic_of(response) == topic
    assert ends(response) is should_end


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_responses_are_written_exactly_as_the_sdk_writes_them(name):
    """The faster ``Serializer.serialize`` must not change one byte of what Alexa receives."""
    from ask_sdk_core.serialize import DefaultSerializer

    from muscle_guide.config import Settings
    from muscle_guide.skill import Serializer, build_skill

    event = json.loads((EVENTS / f"{name}.json").read_text())
    for device in (None, {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.9"}}}):
        if device is not None:  # a screen device: the response carries an APL document too
            event["context"]["System"]["device"]["supportedInterfaces"] = device
        ours = Serializer()
        response = build_skill(Settings()).invoke(ours.from_event(event), None)
        assert json.dumps(ours.serialize(response)) == json.dumps(
            DefaultSerializer().serialize(response)
        )

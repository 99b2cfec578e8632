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


def _shape(value):
    """A model tree as plain data: class names, attributes and values, to compare two trees."""
    from datetime import date
    from enum import Enum

    if isinstance(value, Enum):
        return ("enum", type(value).__name__, value.value)
    if isinstance(value, date):
        return ("time", value.isoformat())
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if hasattr(value, "__dict__"):
        return (type(value).__name__, {k: _shape(v) for k, v in sorted(vars(value).items())})
    return value


def _envelopes() -> list[dict]:
    """Every sample event, and others that reach every branch of reading one."""
    from muscle_guide_simulator import envelopes as ev

    events = [json.loads(path.read_text()) for path in sorted(EVENTS.glob("*.json"))]
    resolved = ev.intent_request("TopicIntent", [ev.slot("topic", "a l s", "als", "TOPIC")])
    resolved["intent"]["confirmationStatus"] = "DENIED"
    resolved["dialogState"] = "IN_PROGRESS"
    extra = ev.envelope(ev.launch_request("en-GB"), ev.new_session(attributes={"topic": "als"}))
    extra["request"]["somethingNew"] = {"nested": [1, 2]}  # a key no model declares is kept
    extra["context"]["Viewport"] = {"shape": "ROUND", "pixelWidth": 480, "dpi": 160}
    events += [
        ev.envelope(resolved, ev.new_session()),
        extra,
        ev.envelope(ev.session_ended_request(), ev.new_session()),
        ev.envelope(ev.skill_disabled_request(), None),
    ]
    return events


def test_requests_are_read_into_the_same_models_as_the_sdk_reads_them():
    """The faster reading of envelopes (class names and layouts kept) builds the SDK's models."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from muscle_guide.skill import Serializer

    events = _envelopes()
    assert len(events) > len(EXPECTED)
    for event in events:
        ours = Serializer().from_event(json.loads(json.dumps(event)))
        sdk = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
        assert _shape(ours) == _shape(sdk), event["request"]["type"]
    kept = Serializer().from_event(events[-3])
    assert kept.request.somethingNew == {"nested": [1, 2]}  # the guard above can see a difference
    assert _shape(kept) != _shape(Serializer().from_event(events[-4]))

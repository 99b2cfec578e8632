"""The session type: what comes back from the client is checked, and one place writes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput

from muscle_guide import session as s
from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.replies import emergency_reply, topic_reply
from muscle_guide.session import Session, UserMemory
from muscle_guide.skill import Serializer
from muscle_guide.speech import MAX_SPEECH_CHARS
from muscle_guide.turn import turn
from muscle_guide_simulator import envelopes as ev
from support import in_session, said

PACKAGE = Path(__file__).resolve().parent.parent / "lambda" / "muscle_guide"


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        ({"topic": "als"}, "topic", "als"),
        ({"topic": "not_a_topic"}, "topic", None),
        ({"topic": ["als"]}, "topic", None),
        ({"topic": "als" * 1000}, "topic", None),
        ({"offer": 3}, "offer", None),
        ({"history": ["overview", "bogus", 7, "als"]}, "history", ["overview", "als"]),
        ({"history": "overview"}, "history", []),
        ({"history": ["overview"] * 500}, "history", ["overview"] * s.MAX_HISTORY),
        (
            {"candidates": ["als", "polio", "botulism", "overview"]},
            "candidates",
            ["polio", "botulism", "overview"],
        ),
        ({"emergency": "stroke"}, "emergency", "stroke"),
        ({"emergency": "</speak>"}, "emergency", None),
        ({"emergency": "x" * 500}, "emergency", None),
        ({"check": "not_a_step"}, "check", None),
        ({"check": {"step": 1}}, "check", None),
        ({"last": {"speech": "<audio src='x'/>"}}, "last_speech", None),
        ({"last": {"speech": "a" * (MAX_SPEECH_CHARS + 1)}}, "last_speech", None),
        ({"last": {"speech": "Hello &amp; welcome."}}, "last_speech", "Hello &amp; welcome."),
        ({"last": "Hello"}, "last_speech", None),
        ({"memory": "yes"}, "memory", None),
    ],
)
def test_what_the_client_sends_back_is_checked(raw, field, expected):
    assert getattr(Session.read(raw), field) == expected


@pytest.mark.parametrize("raw", [None, [], "topic", 7, {}, {"unknown": {"deep": [1, 2]}}])
def test_anything_that_is_not_a_session_gives_the_defaults(raw):
    assert Session.read(raw).attributes() == {}


def test_a_check_step_is_kept_only_if_the_check_knows_it():
    from muscle_guide.check import table

    assert Session.read({"check": table().start}).check == table().start


def test_memory_keeps_only_its_fields_in_their_shapes():
    memory = UserMemory.read(
        {
            "disclaimer_heard": "yes",
            "last_topic": ["als"],
            "prefs": {"length": "huge", "rate": "slow"},
        }
    )
    assert memory.as_dict() == {
        "disclaimer_heard": False,
        "last_topic": None,
        "prefs": {"length": "brief", "rate": "slow"},
    }


def test_a_round_trip_keeps_every_field():
    raw = {
        "topic": "als",
        "offer": "polio",
        "history": ["overview"],
        "candidates": ["als", "multiple_sclerosis"],
        "emergency": "stroke",
        "last": {"speech": "Hello.", "reprompt": "Well?"},
        "memory": UserMemory(True, "als", "full", "slow").as_dict(),
    }
    assert Session.read(raw).attributes() == raw


def test_hostile_values_are_not_sent_back():
    """An unknown topic, a foreign tag and an oversized list are dropped, not echoed."""
    hostile = {
        "topic": "<script>",
        "history": ["als"] * 1000,
        "emergency": "x" * 100,
        "candidates": [{"id": 1}],
        "extra": "kept?",
    }
    response = in_session(ev.intent_request("AMAZON.NoIntent"), hostile)
    kept = response["sessionAttributes"]
    assert "topic" not in kept and "emergency" not in kept and "extra" not in kept
    assert kept.get("history", []) == ["als"] * s.MAX_HISTORY
    assert "candidates" not in kept


def _turn(attributes: dict | None = None, intent: str = "AMAZON.YesIntent"):
    session = ev.new_session(attributes=attributes or {})
    session["new"] = False
    envelope = Serializer().from_event(ev.envelope(ev.intent_request(intent), session))
    return turn(
        HandlerInput(request_envelope=envelope, attributes_manager=AttributesManager(envelope))
    )


def test_building_a_reply_writes_no_state():
    """Replies are functions of the turn: session and memory change only when it is sent."""
    current = _turn({"topic": "overview", "history": ["causes"]})
    before = (current.session.attributes(), current.memory.as_dict())
    topic_reply(current, KNOWLEDGE.get("als"))
    emergency_reply(current, "stroke")
    assert (current.session.attributes(), current.memory.as_dict()) == before
    raw = current.handler_input.attributes_manager.session_attributes
    assert raw == {"topic": "overview", "history": ["causes"]}


def test_only_send_and_the_error_handler_write_session_attributes():
    """One place writes the session (plus the error handler's checked copy): found by reading."""
    writers = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"session_attributes\s*=[^=]", path.read_text(encoding="utf-8"))
    )
    assert writers == ["handlers/errors.py", "replies.py"]


def test_a_repeat_after_an_unknown_topic_still_works():
    """The topic is dropped but the speech was ours: it is replayed, and again after that."""
    last = {"speech": "Would you like to hear about polio?", "reprompt": None}
    first = in_session(ev.intent_request("AMAZON.RepeatIntent"), {"topic": "gone", "last": last})
    assert said(first) == "Would you like to hear about polio?"
    second = in_session(ev.intent_request("AMAZON.RepeatIntent"), first["sessionAttributes"])
    assert said(second) == said(first)

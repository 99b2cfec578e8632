"""Bad input gets a clear spoken answer, valid SSML, and never an exception."""

from __future__ import annotations

import pytest

from lambda_function import lambda_handler
from muscle_guide_simulator import envelopes as ev
from support import assert_valid_response, ends, in_session, said


def ask_question(value):
    return ev.intent_request("AskQuestionIntent", [ev.slot("question", value)])


def test_missing_slot_asks_for_a_question():
    response = in_session(ev.intent_request("AskQuestionIntent"))
    assert "didn't catch a question" in said(response)
    assert not ends(response)


def test_empty_question_asks_again():
    for value in ("", "   "):
        response = in_session(ask_question(value))
        assert "didn't catch a question" in said(response)


def test_huge_question_is_answered_within_limits():
    response = in_session(ask_question("why are my muscles weak " * 200))  # ~5,000 characters
    assert len(response["response"]["outputSpeech"]["ssml"]) < 8000
    assert said(response)


@pytest.mark.parametrize(
    "value",
    [
        '<speak>"&&&"</speak>',
        "</speak><audio src='x'/>",
        "' \" < > & ;",
        "&amp; <b>bold</b>",
        "💪🏽 ✨",
    ],
)
def test_markup_and_odd_characters_never_reach_the_ssml(value):
    response = in_session(ask_question(value))
    assert_valid_response(response)
    assert "audio" not in response["response"]["outputSpeech"]["ssml"]


def test_event_without_session_is_answered():
    event = ev.envelope(ask_question("what is muscle weakness"), None)
    response = lambda_handler(event, None)
    assert_valid_response(response)
    assert said(response)


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"request": {}},
        {"request": {"type": 42}},
        [],
        "not an event",
        None,
        {"version": "1.0", "request": {"type": "IntentRequest", "locale": "en-GB"}},
    ],
)
def test_malformed_events_get_a_spoken_apology(event):
    response = lambda_handler(event, None)
    assert_valid_response(response)
    assert "Sorry" in said(response)


def test_odd_session_attributes_are_ignored():
    attributes = {"topic": 42, "offer": ["x"], "history": "als", "last": "nope"}
    response = in_session(ev.intent_request("AMAZON.YesIntent"), attributes)
    assert not ends(response)
    response = in_session(ev.intent_request("AMAZON.RepeatIntent"), attributes)
    assert not ends(response)


def test_unknown_topic_id_in_session_is_ignored():
    response = in_session(ev.intent_request("AMAZON.MoreIntent"), {"topic": "no_such_topic"})
    assert "haven't picked a topic" in said(response)


def test_lambda_refuses_requests_for_another_skill_when_skill_id_is_set():
    from muscle_guide.config import Settings
    from muscle_guide.skill import SkillIdMismatch, SkillRunner, build_skill

    own = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
    runner = SkillRunner(build_skill(Settings(state_file="/dev/null")), own)
    ours = ev.envelope(ev.launch_request(), ev.new_session(skill_id=own), ev.context(skill_id=own))
    assert "Welcome" in said(runner(ours))
    for event in (ev.envelope(ev.launch_request(), ev.new_session()), {}, "junk"):
        with pytest.raises(SkillIdMismatch):
            runner(event)


def test_lambda_refuses_a_request_whose_session_names_another_skill():
    """The context matching is not enough: both ids in the envelope must name this skill."""
    from muscle_guide.config import Settings
    from muscle_guide.skill import SkillIdMismatch, SkillRunner, build_skill

    own = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
    other = "amzn1.ask.skill.99999999-8888-7777-6666-555555555555"
    runner = SkillRunner(build_skill(Settings(state_file="/dev/null")), own)
    mixed = ev.envelope(
        ev.launch_request(), ev.new_session(skill_id=other), ev.context(skill_id=own)
    )
    with pytest.raises(SkillIdMismatch):
        runner(mixed)

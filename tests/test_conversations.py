"""Conversations as a person has them, from tests/data/conversations.yaml, in several locales."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.locales import emergency_number
from muscle_guide.speech import plain, to_ssml
from support import reprompt_of, said, topic_of

DATA = Path(__file__).resolve().parent / "data" / "conversations.yaml"
CONVERSATIONS = yaml.safe_load(DATA.read_text(encoding="utf-8"))["conversations"]
CASES = [(c, locale) for c in CONVERSATIONS for locale in c["locales"]]


def check_turn(expect: dict, response: dict, previous: dict | None, locale: str) -> None:
    text = said(response)
    body = response["response"]
    for needle in expect.get("contains", []):
        assert needle.lower() in text.lower(), f"{needle!r} not in {text!r}"
    for needle in expect.get("lacks", []):
        assert needle.lower() not in text.lower(), f"{needle!r} in {text!r}"
    if "topic" in expect:
        assert topic_of(response) == expect["topic"], text
    if "open" in expect:
        assert (body.get("shouldEndSession") is False) is expect["open"], text
        if expect["open"]:
            assert reprompt_of(response)
    if expect.get("same_as_previous"):
        assert previous is not None
        assert body["outputSpeech"]["ssml"] == previous["response"]["outputSpeech"]["ssml"]
    if expect.get("number"):
        number = emergency_number(locale)
        assert number is not None and number.heard in text, text
    if expect.get("number_first"):
        number = emergency_number(locale)
        assert number is not None and text.startswith(f"Call {number.heard} now"), text
    if expect.get("no_alarm"):
        assert not text.startswith("Call "), text
        assert "emergency" not in (response.get("sessionAttributes") or {}), text
    if expect.get("no_question"):
        assert "?" not in text
    for detail in ("full", "brief"):
        if detail in expect:
            topic = KNOWLEDGE.get(expect[detail])
            assert topic is not None
            answer = plain(to_ssml(getattr(topic, detail), locale))
            assert answer in text, f"{detail} answer of {topic.id} not in {text!r}"
            if detail == "brief" and topic.full != topic.brief:
                assert plain(to_ssml(topic.full, locale)) not in text


@pytest.mark.parametrize(
    ("conversation", "locale"), CASES, ids=[f"{c['name']}-{loc}" for c, loc in CASES]
)
def test_conversation(chat, conversation, locale):
    talk = chat(locale)
    previous = None
    for turn in conversation["turns"]:
        response = talk(turn["say"])
        check_turn(turn.get("expect", {}), response, previous, locale)
        previous = response


def test_every_conversation_runs_in_at_least_two_locales():
    for conversation in CONVERSATIONS:
        assert len(conversation["locales"]) >= 2, conversation["name"]


def test_speech_rate_wraps_speech_in_prosody_and_normal_removes_it(chat):
    talk = chat("en-US")
    talk("open muscle weakness guide")
    slow = talk("speak slower")
    assert slow["response"]["outputSpeech"]["ssml"].startswith('<speak><prosody rate="90%">')
    assert '<prosody rate="90%">' in slow["response"]["reprompt"]["outputSpeech"]["ssml"]
    normal = talk("speak normally")
    assert "prosody" not in normal["response"]["outputSpeech"]["ssml"]


def test_repeat_at_a_slower_rate_says_it_once_at_that_rate_any_number_of_times(chat):
    talk = chat("en-GB")
    talk("open muscle weakness guide")
    talk("speak slower")
    answer = talk("what is polio")["response"]["outputSpeech"]["ssml"]
    assert answer.count("<prosody") == 1
    for _ in range(3):
        again = talk("repeat")["response"]["outputSpeech"]["ssml"]
        assert again == answer  # the same words, wrapped in the rate once, every time
    normal = talk("speak normally")
    assert "prosody" not in talk("repeat")["response"]["outputSpeech"]["ssml"]
    assert "prosody" not in normal["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_saying_yes_to_every_offer_never_comes_round_again(chat, locale):
    """Offers are topics not heard yet; when none is left, the person is asked what else."""
    talk = chat(locale)
    talk("open muscle weakness guide")
    heard = [topic_of(talk("what causes muscle weakness"))]
    for _ in range(len(KNOWLEDGE)):
        response = talk("yes")
        topic = topic_of(response)
        if "Would you like to hear about" not in said(response):
            assert "What else would you like to know?" in said(response)
            break
        assert topic not in heard[:-1] or topic == heard[-1], (topic, heard)
        if topic != heard[-1]:
            heard.append(topic)
    else:
        pytest.fail(f"offers never ran out after {len(heard)} topics")
    assert len(heard) == len(set(heard)) >= 4, heard
    response = talk("yes")  # nothing was offered: no topic is forced on the person
    assert "What else would you like to know?" in said(response)


@pytest.mark.parametrize("locale", ["en-US", "en-IN"])
def test_tell_me_more_says_when_there_is_nothing_more(chat, locale):
    talk = chat(locale)
    talk("open muscle weakness guide")
    talk("what causes muscle weakness")
    for _ in range(2 * len(KNOWLEDGE)):
        text = said(talk("tell me more"))
        if "That's everything I have on" in text:
            assert "What else would you like to know?" in text
            break
    else:
        pytest.fail("tell me more never said there was nothing more")

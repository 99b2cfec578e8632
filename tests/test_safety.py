"""Emergencies first, and no false alarms: tests/data/red_flags.yaml through the whole skill."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from muscle_guide import envelopes as ev
from muscle_guide.locales import EMERGENCY_NUMBERS
from muscle_guide.safety import red_flag
from support import in_session, said, topic_of

DATA = yaml.safe_load((Path(__file__).parent / "data" / "red_flags.yaml").read_text())


def ask(question: str, locale: str = "en-US") -> dict:
    slot = ev.slot("question", question)
    return in_session(ev.intent_request("AskQuestionIntent", [slot], locale=locale))


@pytest.mark.parametrize("utterance", DATA["alarm"])
def test_red_flag_question_gets_emergency_advice_first(utterance):
    response = ask(utterance)
    text = said(response)
    assert topic_of(response) == "emergency"
    assert text.startswith("This could be an emergency"), text
    assert "911" in text


@pytest.mark.parametrize("utterance", DATA["calm"])
def test_ordinary_question_raises_no_alarm(utterance):
    response = ask(utterance)
    assert topic_of(response) != "emergency"
    assert "This could be an emergency" not in said(response)


@pytest.mark.parametrize("utterance", DATA["alarm"])
def test_red_flag_through_the_simulator(chat, utterance):
    talk = chat("en-GB")
    talk("open muscle weakness guide")
    response = talk(utterance)
    assert topic_of(response) == "emergency", said(response)
    assert "999" in said(response)


@pytest.mark.parametrize("locale", sorted(EMERGENCY_NUMBERS))
def test_emergency_number_follows_the_locale(locale):
    text = said(ask("my dad suddenly can't lift his arm", locale))
    assert EMERGENCY_NUMBERS[locale].digits in text
    others = {n.digits for n in EMERGENCY_NUMBERS.values()} - {EMERGENCY_NUMBERS[locale].digits}
    assert not any(number in text for number in others)


def test_unknown_locale_says_local_emergency_number():
    assert "your local emergency number" in said(ask("my face is drooping", "fr-FR"))


def test_red_flag_in_a_topic_slot_is_screened_too():
    slot = ev.slot("topic", "sudden weakness on one side", authority="TOPIC")
    response = in_session(ev.intent_request("TopicIntent", [slot]))
    assert topic_of(response) == "emergency"


def test_red_flag_interrupts_the_symptom_check():
    response = in_session(
        ev.intent_request("AskQuestionIntent", [ev.slot("question", "i can't breathe")]),
        {"check": "known_reason"},
    )
    assert topic_of(response) == "emergency"
    assert "check" not in response["sessionAttributes"]


@pytest.mark.parametrize(
    "text",
    [
        "my arm suddenly went numb",
        "she's slurring and confused",
        "we were in a car crash and my legs are numb",
        "the weakness is spreading up my body fast",
        "i think i've had a mini stroke",
        "since this morning i can barely walk",
    ],
)
def test_more_alarm_phrasings(text):
    assert red_flag(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "i hit the gym yesterday and my legs are weak",
        "i sleep on my left side and my shoulder aches",
        "i can't walk far without getting tired",
        "does ms affect speech",
        "why do my arms shake after lifting weights",
        "my nan has been stuck in bed for a month and can barely stand up now",
        "",
    ],
)
def test_more_calm_phrasings(text):
    assert red_flag(text) is None

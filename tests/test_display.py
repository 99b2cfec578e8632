"""Screens and cards: APL only for screen devices, a card with the disclaimer on every answer."""

from __future__ import annotations

from muscle_guide_simulator import envelopes as ev
from support import in_session, run

APL = "Alexa.Presentation.APL.RenderDocument"


def ask(question: str, screen: bool) -> dict:
    session = ev.new_session()
    session["new"] = False
    request = ev.intent_request("AskQuestionIntent", [ev.slot("question", question)])
    return run(request, session, screen=screen)


def test_screen_device_gets_the_answer_document():
    response = ask("what is botulism", screen=True)
    directives = response["response"].get("directives", [])
    assert [d["type"] for d in directives] == [APL]
    answer = directives[0]["datasources"]["answer"]
    assert answer["title"] == "Botulism"
    assert "botulism" in answer["brief"].lower()
    assert 1 <= len(answer["points"]) <= 6
    assert answer["sources"].startswith("Sources:")
    assert "not medical advice" in answer["disclaimer"]
    assert directives[0]["document"]["type"] == "APL"


def test_voice_only_device_gets_no_directive():
    response = ask("what is botulism", screen=False)
    assert "directives" not in response["response"]


def test_every_answer_has_a_card_with_the_disclaimer():
    for question in ("what is muscle weakness", "what is an e m g", "what is hypotonia"):
        card = ask(question, screen=False)["response"]["card"]
        assert card["type"] == "Simple"
        assert card["title"]
        assert "General information, not medical advice" in card["content"]


def test_emergency_card_shows_the_locale_number():
    response = in_session(ev.intent_request("EmergencyIntent", locale="en-IN"))
    assert "112" in response["response"]["card"]["content"]

"""Emergencies first, and no false alarms: the labelled red-flag sets through the whole skill.

Seven sets, one policy. ``red_flags.yaml`` and ``red_flags_dev*.yaml`` (the last three in the users'
voices, dialects and turns of phrase) were written to develop the screen and it is tuned on them:
every alarm must be caught and no calm utterance may raise one. ``red_flags_dev4.yaml`` and
``red_flags_dev5.yaml`` also keep their ``known_misses``, emergencies the screen still misses, in
view; a test fails if one is caught
and left there.
``red_flags_blind.yaml`` was written by someone who saw neither the patterns nor the other sets,
before any result was looked at, and is never tuned on: its figures are reported in the README and
guarded here with a floor, so a change that makes the blind figures worse fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from muscle_guide import safety
from muscle_guide.locales import EMERGENCY_NUMBERS
from muscle_guide.safety import red_flag, screen
from muscle_guide_simulator import envelopes as ev
from muscle_guide_simulator.simulator import understand
from support import in_session, run, said, topic_of

DATA_DIR = Path(__file__).parent / "data"
TUNED = {
    name: yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    for name in (
        "red_flags",
        "red_flags_dev",
        "red_flags_dev2",
        "red_flags_dev3",
        "red_flags_dev4",
        "red_flags_dev5",
    )
}
BLIND = yaml.safe_load((DATA_DIR / "red_flags_blind.yaml").read_text(encoding="utf-8"))
ALARMS = [u for data in TUNED.values() for u in data["alarm"]]
CALM = [u for data in TUNED.values() for u in data["calm"]]
LOCALES = sorted(EMERGENCY_NUMBERS)
#: The blind set's figures when it was first run (README, "Emergencies first"). Never tune on it:
#: these floors only stop a later change from making them worse.
BLIND_MIN_RECALL = 0.95  # 133 of 139 now; 126 on the first run
BLIND_MAX_FALSE_ALARMS = 0.01  # 1 of 160 on the first run


def ask(question: str, locale: str = "en-US") -> dict:
    slot = ev.slot("question", question)
    return in_session(ev.intent_request("AskQuestionIntent", [slot], locale=locale))


def one_shot(question: str, locale: str = "en-US") -> dict:
    slot = ev.slot("question", question)
    return run(ev.intent_request("AskQuestionIntent", [slot], locale=locale))


def test_known_misses_are_still_missed():
    """A known miss that the screen now catches belongs with the alarms, where it is held."""
    for data in TUNED.values():
        for utterance in data.get("known_misses", []):
            assert red_flag(utterance) is None, f"now caught, move it to alarm: {utterance}"


def test_the_sets_are_big_enough_and_do_not_overlap():
    assert len(ALARMS) + len(BLIND["alarm"]) >= 200
    assert len(CALM) + len(BLIND["calm"]) >= 200
    assert not set(BLIND["alarm"] + BLIND["calm"]) & set(ALARMS + CALM)


@pytest.mark.parametrize("index", range(len(ALARMS)))
def test_red_flag_gets_the_number_as_the_first_words(index):
    utterance, locale = ALARMS[index], LOCALES[index % len(LOCALES)]
    response = ask(utterance, locale)
    text = said(response)
    assert topic_of(response) == "emergency", (utterance, text)
    assert text.startswith(f"Call {EMERGENCY_NUMBERS[locale].heard} now."), (utterance, text)
    assert "not medical advice" in text


@pytest.mark.parametrize("utterance", CALM)
def test_ordinary_question_raises_no_alarm(utterance):
    assert screen(utterance) is None, utterance
    response = ask(utterance)
    assert "emergency" not in response["sessionAttributes"]  # at most the warning-signs topic
    assert not said(response).startswith("Call ")


def test_blind_set_stays_at_or_above_its_first_figures():
    recall = sum(screen(u) is not None for u in BLIND["alarm"]) / len(BLIND["alarm"])
    false_alarms = sum(screen(u) is not None for u in BLIND["calm"]) / len(BLIND["calm"])
    assert recall >= BLIND_MIN_RECALL
    assert false_alarms <= BLIND_MAX_FALSE_ALARMS


@pytest.mark.parametrize("utterance", TUNED["red_flags"]["alarm"])
def test_red_flag_through_the_simulator(chat, utterance):
    talk = chat("en-GB")
    talk("open muscle weakness guide")
    response = talk(utterance)
    assert topic_of(response) == "emergency", said(response)
    assert said(response).startswith("Call 999 now.")


def heard(utterance: str, locale: str) -> tuple[str | None, str]:
    """The intent and the slot words the interaction model hands the skill for ``utterance``."""
    meaning = understand(utterance, locale)
    return meaning.intent, " ".join(str(slot.get("value") or "") for slot in meaning.slots)


def alarm_heard(utterance: str, locale: str) -> bool:
    intent, words = heard(utterance, locale)
    return intent == "EmergencyIntent" or (bool(words) and red_flag(words) is not None)


@pytest.mark.parametrize("locale", LOCALES)
def test_carrier_phrases_never_strip_the_words_an_alarm_needs(locale):
    """Alexa hands the skill only the words after a carrier phrase: "my dad can't {question}"
    would leave "lift his arm". Every alarm the screen catches in full must still be caught in
    what the model passes on (blind set included: this guards the model, not the screen)."""
    lost = [
        (utterance, *heard(utterance, locale))
        for utterance in ALARMS + BLIND["alarm"]
        if red_flag(utterance) is not None and not alarm_heard(utterance, locale)
    ]
    assert not lost


#: Calm questions whose carrier ("what is", "how do") strips the words that mark them as a
#: question, so the words left raise an alarm. The first four predate issue 14's carriers; the
#: last two came with the fourth red-flag development set's calm lines and are listed, not
#: hidden. No other may join.
KNOWN_CARRIER_FALSE_ALARMS = {
    "how do i know if someone is having a stroke",
    "how do you know if someone is having a stroke",
    "what is a thunderclap headache",
    "what is the diet for paralysis patient",
    # Carriers that take the question's opening ("can you", "could my") leave a statement.
    "could my baby become floppy if i give her honey",
    "can you get sudden double vision from being overtired",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_carrier_phrases_add_no_false_alarm(locale):
    raised = {
        utterance
        for utterance in CALM + BLIND["calm"]
        if red_flag(utterance) is None and alarm_heard(utterance, locale)
    }
    assert raised <= KNOWN_CARRIER_FALSE_ALARMS


@pytest.mark.parametrize("locale", LOCALES)
def test_emergency_number_follows_the_locale_and_is_said_right(locale):
    response = one_shot("my dad suddenly can't lift his arm", locale)
    text, ssml = said(response), response["response"]["outputSpeech"]["ssml"]
    number = EMERGENCY_NUMBERS[locale]
    assert text.startswith(f"Call {number.heard} now.")
    assert ssml.startswith(f"<speak>Call {number.ssml} now.")
    others = {n.digits for n in EMERGENCY_NUMBERS.values()} - {number.digits}
    assert not any(other in text for other in others)
    card = response["response"]["card"]
    assert card["title"] == f"Call {number.card} now"
    assert card["content"].startswith(f"Call {number.card} now.")


def test_australia_hears_triple_zero_and_india_hears_the_ambulance_number():
    assert said(one_shot("my face is drooping", "en-AU")).startswith("Call triple zero now.")
    india = one_shot("my face is drooping", "en-IN")["response"]["outputSpeech"]["ssml"]
    assert '<say-as interpret-as="digits">108</say-as> for an ambulance' in india


def test_a_one_shot_emergency_keeps_the_session_open_for_follow_ups():
    response = one_shot("grandma fell over and won't wake up")
    assert response["response"]["shouldEndSession"] is False
    assert response["sessionAttributes"]["emergency"] == "collapse"


@pytest.mark.parametrize(
    ("utterance", "steps"),
    [
        ("my husband's face is drooping", "Note the time it started"),
        ("grandma fell over and won't wake up", "C P R"),
        ("my dad fell off a ladder and now his legs are weak", "Don't move them"),
        ("my baby is floppy and not feeding", "the baby is floppy"),
        ("i ate home canned beans and now my eyelids are drooping and i can't swallow", "food"),
        ("after the marathon my legs are weak and my pee is dark like cola", "Stop exercising"),
        ("numbness around my bottom and my legs are weak", "bladder or bowel"),
    ],
)
def test_the_steps_fit_the_emergency_and_stay_short(utterance, steps):
    text = said(one_shot(utterance))
    assert steps in text, text
    first = text.split(". ")[0]
    steps_part = text[len(first) + 2 : text.index("Remember")]
    assert steps_part.count(".") <= 2, steps_part


def test_unknown_locale_says_local_emergency_number():
    assert said(ask("my face is drooping", "fr-FR")).startswith(
        "Call your local emergency number now."
    )


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
        "the traffic is paralysed in the city centre",
        "the whole rail network is paralysed by the strike",
        "",
    ],
)
def test_more_calm_phrasings(text):
    assert red_flag(text) is None


def test_the_committed_anchors_are_derived_from_the_patterns():
    from muscle_guide_tools import red_flag_anchors

    data = json.loads(red_flag_anchors.DATA.read_text(encoding="utf-8"))
    assert red_flag_anchors.derive(data) == data["anchors"], (
        "run muscle_guide_tools/red_flag_anchors.py"
    )
    data["signs"]["speech"]["patterns"][0] = r"\bgarbled\b"  # a changed pattern is noticed
    assert red_flag_anchors.derive(data) != data["anchors"]


def _screened_texts() -> list[str]:
    """Every red-flag line (alarm and calm, tuned and blind) and the main set's questions."""
    texts = [u for data in (*TUNED.values(), BLIND) for key in ("alarm", "calm") for u in data[key]]
    questions = yaml.safe_load((DATA_DIR / "questions.yaml").read_text(encoding="utf-8"))
    return texts + [item["q"] for item in questions["questions"]] + questions.get("off_topic", [])


def test_anchors_only_skip_work_and_never_change_an_answer(monkeypatch):
    """Screening with every pattern tried gives the same result as screening through anchors."""
    texts = _screened_texts()
    gated = [screen(text) for text in texts]
    everything = safety.rules()
    all_patterns = frozenset(
        [p for sign in everything.signs for p, _ in sign.patterns]
        + [p for p, _ in everything.benign]
        + list(range(len(everything.spoken_forms)))
    )
    exhaustive = everything._replace(anchor_index={}, ungated=all_patterns)
    monkeypatch.setattr(safety, "rules", lambda: exhaustive)
    safety._word_hits.cache_clear()
    try:
        assert [screen(text) for text in texts] == gated
    finally:
        safety._word_hits.cache_clear()


def test_benign_phrases_through_their_pieces_blank_what_the_whole_list_blanks():
    """Only the benign phrases whose pieces are in a text are run, and that changes nothing."""
    r = safety.rules()
    whole = re.compile(safety._alternation([p for p, _ in r.benign]))
    texts = [safety.fold(text) for text in _screened_texts()]
    blanked = [whole.sub(lambda m: " " * len(m.group()), text) for text in texts]
    assert [safety._blank_benign(text, r) for text in texts] == blanked
    assert sum(a != b for a, b in zip(texts, blanked, strict=True)) > 20  # the phrases do blank
    assert safety._blank_benign("my dad had heat stroke", r) == "my dad had " + " " * 11
    skipped = "why do my legs feel weak after the gym"
    assert safety._blank_benign(skipped, r) is skipped  # no phrase's pieces: nothing is run


def test_a_word_that_holds_an_anchor_inside_it_still_opens_the_gate():
    assert red_flag("my dad is slurring") == "speech"  # "slurr" inside "slurring"
    assert red_flag("grandma has collapsed") == "collapse"  # "collaps" inside "collapsed"


def test_an_error_during_an_emergency_turn_still_answers_with_the_number_first(monkeypatch):
    from muscle_guide.handlers import safety as emergency_handler

    def broken(*args, **kwargs):
        raise RuntimeError("metrics are down")

    monkeypatch.setattr(emergency_handler, "count", broken)  # the handler raises before replying
    text = said(one_shot("my face is drooping"))
    assert text.startswith("Call 911 now."), text

"""A real Alexa client nobody here wrote, end to end: Bespoken's ``virtual-alexa`` (npm, pinned in
tests/virtual_alexa/package-lock.json) turns spoken words into requests with the generated en-US
interaction model, sends them over HTTP to ``muscle-guide serve`` (verification off, SKILL_ID and
the client's application ID both the test skill's), and we check what the skill says and the
``topic`` it keeps in ``sessionAttributes``.

The npm package is installed on first use into tests/virtual_alexa/node_modules (git-ignored). If
node or npm is missing the test fails and says so: it must not pass by being skipped.

virtual-alexa treats any utterance containing "ask", "open", "launch", "talk to" or "tell" as a
launch phrase, so model samples with those words are not sent through it (the simulator's tests
cover them).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from collections.abc import Iterator
from itertools import cycle
from typing import Any

import pytest

from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.phrases import phrases
from muscle_guide.resolve import topic_for_intent
from muscle_guide.speech import plain, to_ssml
from muscle_guide_simulator import envelopes as ev
from muscle_guide_tools import evaluate, virtual_alexa
from served import ROOT, Served
from support import assert_valid_response, said, topic_of

pytestmark = pytest.mark.slow

VA_DIR = ROOT / "tests" / "virtual_alexa"
DRIVER = VA_DIR / "driver.js"
MODEL_FILE = ROOT / "skill-package" / "interactionModels" / "custom" / "en-US.json"
LOCALE = "en-US"
WORDS = phrases(LOCALE)
LAUNCH_WORDS = re.compile(r"ask|open|launch|talk to|tell", re.IGNORECASE)
MIN_UTTERANCES = 60


# --- installing and running the client ---------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    """node, with virtual-alexa installed exactly as locked (``npm ci``, no install scripts)."""
    try:
        return virtual_alexa.install()
    except virtual_alexa.Unavailable as error:
        pytest.fail(
            f"{error} (CI has them; install Node 20 to run this test). It fails rather than "
            "skipping so a missing client is never a green run."
        )


@pytest.fixture(scope="module")
def service() -> Iterator[Served]:
    instance = Served("--no-verify", env={"SKILL_ID": ev.TEST_SKILL_ID})
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def transcripts(node, service) -> dict[str, list[dict[str, Any]]]:
    """Every conversation below, run through one virtual-alexa process, by name."""
    names = list(CONVERSATIONS)
    result = subprocess.run(
        [node, str(DRIVER), service.url, str(MODEL_FILE), ev.TEST_SKILL_ID, LOCALE],
        input=json.dumps([CONVERSATIONS[name] for name in names]),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"},
    )
    assert result.returncode == 0, f"driver failed:\n{result.stderr}\n{''.join(service.log)}"
    runs = json.loads(result.stdout)
    assert len(runs) == len(names)
    return dict(zip(names, runs, strict=True))


# --- what is said ------------------------------------------------------------------------------


def launch() -> dict[str, Any]:
    return {"launch": True}


def say(words: str) -> dict[str, Any]:
    assert not LAUNCH_WORDS.search(words), f"virtual-alexa would hear a launch in {words!r}"
    return {"say": words}


def intend(name: str) -> dict[str, Any]:
    return {"intend": name}


CONVERSATIONS: dict[str, list[dict[str, Any]]] = {
    "open_help_stop": [launch(), say("help"), say("what can you do"), say("stop")],
    "follow_ups": [
        launch(),
        say("what causes muscle weakness"),
        say("yes"),
        say("more please"),
        say("say that again"),
        say("go back"),
        say("no"),
        say("never mind"),
    ],
    "by_name": [
        launch(),
        say("what is polio"),
        say("what is low potassium"),
        say("what are the symptoms of m s"),
        say("is it normal to feel weak after a workout"),
    ],
    "free_questions": [
        launch(),
        say("can low potassium make you weak"),
        say("what is an e m g test"),
        say("how long does weakness last after the flu"),
    ],
    "symptom_check": [
        launch(),
        say("check my symptoms"),
        say("no"),
        say("no"),
        say("no"),
        say("no"),
        say("no"),
        say("no"),
        say("stop"),
    ],
    "emergency": [launch(), say("my face is drooping")],
    "start_over": [launch(), say("what causes muscle weakness"), say("start over"), say("go home")],
    "preferences": [
        launch(),
        say("give me shorter answers"),
        say("speak slower"),
        say("what is polio"),
        say("speak at normal speed"),
    ],
    "fallback": [launch(), intend("AMAZON.FallbackIntent"), say("cancel")],
    "session_end": [launch(), {"end": True}],
}


def _model() -> dict[str, Any]:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]


QUESTIONS = cycle(
    [
        "low potassium make you weak",
        "muscle weakness be a sign of a stroke",
        "thyroid problems cause weak muscles",
        "my legs feel weak after the flu",
        "doctors test for nerve damage",
    ]
)


def generated_utterances() -> list[tuple[str, str]]:
    """(intent, words) for up to three samples of every custom intent of the en-US model, slots
    filled with the model's own values (or plausible questions for ``AMAZON.SearchQuery``)."""
    model = _model()
    spoken: dict[str, Iterator[str]] = {}
    for slot_type in model.get("types", []):
        # One word per value (its name or, every other value, a synonym), in a fixed shuffled
        # order, so a few samples still reach many different values.
        words = []
        for index, value in enumerate(slot_type["values"]):
            choices = [value["name"]["value"], *value["name"].get("synonyms", [])]
            choices = [word for word in choices if not LAUNCH_WORDS.search(word)]
            if choices:
                words.append(choices[min(index % 2, len(choices) - 1)])
        random.Random(slot_type["name"]).shuffle(words)
        spoken[slot_type["name"]] = cycle(words)
    found = []
    for intent in model["intents"]:
        if intent["name"].startswith("AMAZON."):
            continue
        types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        samples = [s for s in intent.get("samples", []) if not LAUNCH_WORDS.search(s)]
        picks = samples[:: max(1, len(samples) // 3)][:3] if len(types) == 0 else samples[:6:2]
        if types.get("topic"):  # the topic slot carries most of the skill: more of it
            picks = samples[:: max(1, len(samples) // 8)][:8]
        for sample in picks:

            def fill(match: re.Match[str], types: dict[str, str] = types) -> str:
                kind = types[match.group(1)]
                return next(QUESTIONS) if kind == "AMAZON.SearchQuery" else next(spoken[kind])

            found.append((intent["name"], re.sub(r"\{(\w+)\}", fill, sample)))
    return found


GENERATED = generated_utterances()
for _number, (_intent, _words) in enumerate(GENERATED):
    CONVERSATIONS[f"sample {_number}: {_intent}"] = [launch(), say(_words)]


# --- helpers for reading transcripts ----------------------------------------------------------


def response_of(turn: dict[str, Any]) -> dict[str, Any]:
    assert "error" not in turn, f"{turn['step']}: {turn['error']}"
    response = turn["response"]
    assert_valid_response(response)
    return response


def intent_of(turn: dict[str, Any]) -> str | None:
    request = (turn.get("request") or {}).get("request") or {}
    return (request.get("intent") or {}).get("name")


def spoken(text: str) -> str:
    """Knowledge or phrase text as the listener hears it (emergency number filled in)."""
    return plain(f"<speak>{to_ssml(text, LOCALE)}</speak>")


def opening(topic_id: str, detail: str = "brief") -> str:
    """The first words of a topic's answer, enough to recognise it."""
    topic = KNOWLEDGE.get(topic_id)
    assert topic is not None, topic_id
    return spoken(topic.full if detail == "full" else topic.brief)[:50]


def ends(response: dict[str, Any]) -> bool:
    return response["response"].get("shouldEndSession") is not False


# --- the conversations -------------------------------------------------------------------------


def test_enough_utterances_across_every_intent(transcripts):
    utterances = sum(1 for steps in CONVERSATIONS.values() for step in steps if "say" in step)
    assert utterances >= MIN_UTTERANCES
    sent = {intent_of(turn) for run in transcripts.values() for turn in run} - {None}
    modelled = {intent["name"] for intent in _model()["intents"]}
    assert modelled <= sent, f"never reached: {sorted(modelled - sent)}"


def test_launch_help_and_stop(transcripts):
    opened, helped, helped_again, stopped = map(response_of, transcripts["open_help_stop"])
    assert said(opened).startswith(WORDS["welcome"])
    assert WORDS["disclaimer"] in said(opened)
    assert not ends(opened) and topic_of(opened) is None
    for response in (helped, helped_again):
        assert said(response).startswith(spoken(WORDS["help"])[:60])
        assert "911" in said(response)
        assert not ends(response)
    assert intent_of(transcripts["open_help_stop"][2]) == "AMAZON.HelpIntent"
    assert said(stopped) == WORDS["goodbye"]
    assert ends(stopped)


def test_yes_more_repeat_back_no_cancel(transcripts):
    run = transcripts["follow_ups"]
    causes, yes, more, again, back, no, cancel = map(response_of, run[1:])
    assert intent_of(run[1]) == "CausesIntent"
    assert topic_of(causes) == "causes"
    assert opening("causes") in said(causes)
    offered = causes["sessionAttributes"]["offer"]
    assert f"Would you like to hear about {KNOWLEDGE.get(offered).name}?" in said(causes)

    assert intent_of(run[2]) == "AMAZON.YesIntent"
    assert topic_of(yes) == offered
    assert opening(offered) in said(yes)

    assert intent_of(run[3]) == "AMAZON.MoreIntent"
    assert topic_of(more) == offered
    assert opening(offered, "full") in said(more)

    assert intent_of(run[4]) == "AMAZON.RepeatIntent"
    assert said(again) == said(more)

    assert intent_of(run[5]) == "AMAZON.PreviousIntent"
    assert topic_of(back) == "causes"
    assert opening("causes") in said(back)

    assert intent_of(run[6]) == "AMAZON.NoIntent"
    assert said(no).startswith("Okay.")
    assert WORDS["anything_else"] in said(no)
    assert not ends(no)

    assert intent_of(run[7]) == "AMAZON.CancelIntent"
    assert said(cancel) == WORDS["goodbye"] and ends(cancel)


@pytest.mark.parametrize(
    ("step", "intent", "topic"),
    [
        (1, "TopicIntent", "polio"),
        (2, "TopicIntent", "hypokalemia"),
        (3, "TopicIntent", "multiple_sclerosis"),
        (4, "ShortTermWeaknessIntent", "short_term_weakness"),
    ],
)
def test_topics_asked_by_name(transcripts, step, intent, topic):
    turn = transcripts["by_name"][step]
    assert intent_of(turn) == intent
    response = response_of(turn)
    assert topic_of(response) == topic
    assert opening(topic) in said(response)
    assert not ends(response)


@pytest.mark.parametrize(
    ("step", "topic"), [(1, "hypokalemia"), (2, "electromyography"), (3, "short_term_weakness")]
)
def test_free_questions_find_their_topic(transcripts, step, topic):
    turn = transcripts["free_questions"][step]
    response = response_of(turn)
    assert topic_of(response) == topic
    assert opening(topic) in said(response)


def test_symptom_check_asks_questions(transcripts):
    run = transcripts["symptom_check"]
    started = response_of(run[1])
    assert intent_of(run[1]) == "SymptomCheckIntent"
    # The check is still being built; hold it only to a real, spoken start of a check.
    assert re.search(r"check|question", said(started), re.IGNORECASE)
    assert said(started).rstrip().endswith("?") or not ends(started)
    for turn in run[2:]:
        assert intent_of(turn) in ("AMAZON.NoIntent", "AMAZON.StopIntent")
        assert said(response_of(turn))
    assert ends(response_of(run[-1]))


def test_emergency_signs_get_the_emergency_number(transcripts):
    turn = transcripts["emergency"][1]
    assert intent_of(turn) == "EmergencyIntent"
    response = response_of(turn)
    assert said(response).startswith("Call 911 now.")
    assert not ends(response)


def test_start_over_and_home_clear_the_topic(transcripts):
    run = transcripts["start_over"]
    assert topic_of(response_of(run[1])) == "causes"
    for turn, intent in ((run[2], "AMAZON.StartOverIntent"), (run[3], "AMAZON.NavigateHomeIntent")):
        assert intent_of(turn) == intent
        response = response_of(turn)
        assert topic_of(response) is None
        assert WORDS["what_you_can_ask"] in said(response)
        assert not ends(response)


def test_preferences_are_answered_and_the_skill_keeps_answering(transcripts):
    run = transcripts["preferences"]
    assert intent_of(run[1]) == "AnswerLengthIntent"
    assert intent_of(run[2]) == "SpeechRateIntent"
    assert intent_of(run[4]) == "SpeechRateIntent"
    for turn in (run[1], run[2], run[4]):
        response = response_of(turn)
        assert said(response).startswith("Okay")
        assert not ends(response)
    polio = response_of(run[3])
    assert topic_of(polio) == "polio"
    assert opening("polio") in said(polio)


def test_fallback_explains_what_the_skill_does(transcripts):
    run = transcripts["fallback"]
    response = response_of(run[1])
    assert said(response).startswith(WORDS["fallback"])
    assert not ends(response)
    assert said(response_of(run[2])) == WORDS["goodbye"]


def test_session_end_is_accepted_silently(transcripts):
    turn = transcripts["session_end"][1]
    assert "error" not in turn, turn.get("error")
    assert (turn["request"] or {}).get("request", {}).get("type") == "SessionEndedRequest"
    response = turn["response"]
    if response:  # virtual-alexa returns the skill's reply, which must say nothing
        assert_valid_response(response)
        assert "outputSpeech" not in response["response"]


@pytest.mark.parametrize(
    ("number", "intent", "words"), [(n, i, w) for n, (i, w) in enumerate(GENERATED)]
)
def test_model_samples_are_understood_and_answered(transcripts, number, intent, words):
    turn = transcripts[f"sample {number}: {intent}"][1]
    response = response_of(turn)
    assert said(response), words
    understood = intent_of(turn)
    assert understood is not None
    topic = topic_for_intent(understood)
    if understood == "EmergencyIntent":  # a present emergency: the instruction comes first
        assert said(response).startswith("Call 911 now."), words
    elif topic is not None:
        question = (turn["request"]["request"]["intent"].get("slots") or {}).get("question")
        # A general question frame ("why ...", "how come ..."): words that clearly name another
        # topic win over the frame's own (resolve.py), so either is a right answer.
        answered = topic_of(response)
        if (question or {}).get("value"):
            assert answered is not None and KNOWLEDGE.get(answered) is not None, words
        else:
            assert answered == topic.id, words
        assert opening(answered) in said(response), words
    slot = ((turn["request"]["request"]["intent"].get("slots") or {}).get("topic")) or {}
    resolved = [
        value["value"]["id"]
        for authority in (slot.get("resolutions") or {}).get("resolutionsPerAuthority", [])
        if authority["status"]["code"] == "ER_SUCCESS_MATCH"
        for value in authority.get("values", [])
    ]
    topic_intents = ("TopicIntent", "TopicNameIntent")
    if understood in topic_intents and resolved and KNOWLEDGE.get(resolved[0]) is not None:
        assert topic_of(response) == resolved[0], words
    if understood == "AskQuestionIntent":
        assert topic_of(response) is None or KNOWLEDGE.get(topic_of(response)) is not None


# --- the main question set, strictly matched ---------------------------------------------------


def test_hear_matches_strictly_without_taking_tell_for_a_launch(node, service):
    routes = virtual_alexa.route_questions(
        node,
        service.url,
        LOCALE,
        ["tell me about polio", "a l s", "purple elephants dancing", "define muscle weakness"],
    )
    assert routes[0] == virtual_alexa.Route("TopicIntent", "polio", matched=True)
    assert routes[1] == virtual_alexa.Route("TopicNameIntent", "als", matched=True)
    assert routes[2] == virtual_alexa.Route(None, None, matched=False)
    assert routes[3] == virtual_alexa.Route("OverviewIntent", "overview", matched=True)


@pytest.mark.parametrize("locale", evaluate.LOCALES)
def test_the_main_set_reaches_the_right_topic_through_strict_matching(node, service, locale):
    """The carrier phrases are what strict matching routes by: held to a floor in every locale.

    On this build 95.4% reach the right topic and 0.4% match no sample (before the carriers were
    broadened: 76.0% and 21.0%).
    """
    report = evaluate.strict_report(f"strict {locale}", node, service.url, locale)
    assert report.accuracy >= evaluate.STRICT_TARGET, "\n".join(report.lines())
    assert report.unmatched is not None and report.unmatched_share is not None
    assert report.unmatched_share <= 0.05, report.unmatched
    assert not report.off_topic_answered, report.off_topic_answered

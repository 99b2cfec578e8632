"""Every handler, through lambda_handler, with real request envelopes."""

from __future__ import annotations

from muscle_guide.locales import EMERGENCY_NUMBERS
from muscle_guide_simulator import envelopes as ev
from support import ends, in_session, reprompt_of, run, said, topic_of


def test_launch_welcomes_with_disclaimer_and_reprompt():
    response = run(ev.launch_request())
    text = said(response)
    assert "Welcome to Muscle Weakness Guide" in text
    assert "general information, not medical advice" in text
    assert "What would you like to know?" in text
    assert not ends(response)
    assert "causes of muscle weakness" in reprompt_of(response)


def test_launch_card_carries_disclaimer():
    card = run(ev.launch_request())["response"]["card"]
    assert "General information, not medical advice" in card["content"]
    assert "911" in card["content"]


def test_help_explains_and_keeps_session_open():
    response = in_session(ev.intent_request("AMAZON.HelpIntent"))
    text = said(response)
    assert "what causes muscle weakness" in text
    assert "911" in text  # the emergency number, digit by digit
    assert "not medical advice" in text
    assert not ends(response)
    assert "not medical advice" in response["response"]["card"]["content"]


def test_help_uses_the_locale_emergency_number():
    assert "999" in said(in_session(ev.intent_request("AMAZON.HelpIntent", locale="en-GB")))
    assert "triple zero" in said(in_session(ev.intent_request("AMAZON.HelpIntent", locale="en-AU")))


def test_stop_and_cancel_say_goodbye_and_end():
    for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent"):
        response = in_session(ev.intent_request(name))
        assert said(response) == "Goodbye, and take care."
        assert ends(response)
        assert "reprompt" not in response["response"]


def test_navigate_home_returns_to_welcome_and_clears_topic():
    response = in_session(ev.intent_request("AMAZON.NavigateHomeIntent"), {"topic": "als"})
    assert "Welcome to Muscle Weakness Guide" in said(response)
    assert topic_of(response) is None
    assert not ends(response)


def test_fallback_says_what_the_skill_does_and_stays_open():
    response = in_session(ev.intent_request("AMAZON.FallbackIntent"))
    assert "questions about muscle weakness" in said(response)
    assert not ends(response)


def test_unknown_intent_gets_the_fallback_answer():
    response = in_session(ev.intent_request("OrderPizzaIntent"))
    assert "questions about muscle weakness" in said(response)
    assert not ends(response)


def test_session_ended_is_silent_and_logs_reason_and_error(json_logs):
    json_logs()
    error = {"type": "INVALID_RESPONSE", "message": "bad ssml"}
    response = run(ev.session_ended_request(reason="ERROR", error=error))
    assert "outputSpeech" not in response["response"]
    records = [r for r in json_logs() if r["message"].startswith("session ended")]
    assert records and records[0]["reason"] == "ERROR"
    assert records[0]["error_message"] == "bad ssml"
    assert records[0]["level"] == "WARNING"


def test_every_request_logs_one_line_without_what_was_said(json_logs):
    json_logs()
    question = ev.slot("question", "my secret question about polio")
    in_session(ev.intent_request("AskQuestionIntent", [question], locale="en-GB"))
    lines = [r for r in json_logs() if r["message"] == "request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["intent"] == "AskQuestionIntent"
    assert line["topic"] == "polio"
    assert line["locale"] == "en-GB"
    assert line["latency_ms"] >= 0
    assert "secret" not in str(line)
    assert ev.TEST_USER_ID not in str(line)
    assert len(line["user"]) == 16


def test_question_answers_from_knowledge_base_and_sets_topic():
    request = ev.intent_request(
        "AskQuestionIntent", [ev.slot("question", "what is muscle weakness")]
    )
    response = in_session(request)
    assert topic_of(response) == "overview"
    assert "Would you like to hear about" in said(response)
    assert not ends(response)
    assert response["response"]["card"]["title"]


def test_general_topic_intent_answers_its_topic():
    response = in_session(ev.intent_request("CausesIntent"))
    assert topic_of(response) == "causes"


def test_topic_slot_with_resolved_id_answers_that_topic():
    slot = ev.slot("topic", "lou gehrig's disease", "als", authority="TOPIC")
    response = in_session(ev.intent_request("TopicIntent", [slot]))
    assert topic_of(response) == "als"


def test_topic_slot_without_match_searches_the_raw_words():
    slot = ev.slot("topic", "low potassium", authority="TOPIC")
    response = in_session(ev.intent_request("TopicIntent", [slot]))
    assert topic_of(response) in ("hypokalemia", "electrolyte_imbalance")


def test_one_shot_answers_and_ends_without_a_question():
    request = ev.intent_request(
        "AskQuestionIntent", [ev.slot("question", "what causes muscle weakness")]
    )
    response = run(request)  # a new session opened by an intent: a one-shot
    assert topic_of(response) == "causes"
    assert ends(response)
    assert "?" not in said(response)
    assert "not medical advice" in said(response)


def test_emergency_intent_starts_with_the_locale_number():
    for locale, number in EMERGENCY_NUMBERS.items():
        response = in_session(ev.intent_request("EmergencyIntent", locale=locale))
        assert said(response).startswith(f"Call {number.heard} now."), locale
        assert response["response"]["card"]["content"].startswith(f"Call {number.card} now.")


def test_snapstart_before_snapshot_hook_loads_the_data_into_the_snapshot(tmp_path):
    """Under SnapStart, the runtime's before-snapshot hook (not the first request) loads the data.

    A stand-in for the Lambda runtime's ``snapshot_restore_py`` records what is registered;
    without the module (off Lambda) nothing is registered and nothing is loaded early.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "snapshot_restore_py.py").write_text(
        "HOOKS = []\n"
        "def register_before_snapshot(func, *args, **kwargs):\n"
        "    HOOKS.append((func, args, kwargs))\n"
        "    return func\n"
    )
    code = (
        "import lambda_function\n"
        "from muscle_guide import check, knowledge, retrieval, safety\n"
        "assert knowledge.knowledge_base.cache_info().currsize == 0\n"
        "assert retrieval.retriever.cache_info().currsize == 0\n"
        "try:\n"
        "    import snapshot_restore_py\n"
        "except ImportError:\n"
        "    print('no hooks')\n"
        "    raise SystemExit\n"
        "(hook, args, kwargs), = snapshot_restore_py.HOOKS\n"
        "hook(*args, **kwargs)\n"
        "assert knowledge.knowledge_base.cache_info().currsize == 1\n"
        "assert retrieval.retriever.cache_info().currsize == 1\n"
        "assert check.table.cache_info().currsize == 1\n"
        "assert safety.rules.cache_info().currsize == 1\n"
        "print('warm')\n"
    )
    lambda_dir = Path(__file__).resolve().parents[1] / "lambda"
    for extra, expected in ((str(tmp_path), "warm"), ("", "no hooks")):
        path = os.pathsep.join(p for p in (extra, str(lambda_dir)) if p)
        env = {"PYTHONPATH": path, "MUSCLE_GUIDE_STATE_FILE": "/dev/null"}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.stdout.strip() == expected, done.stderr[-500:]

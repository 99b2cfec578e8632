"""What the skill could not answer, and red flags, as CloudWatch Embedded Metric Format lines.

Each request that counted something writes exactly one EMF line to stderr beside its request
log line; the line is valid EMF (``_aws.CloudWatchMetrics`` with a namespace, dimension sets
and metric definitions whose values are at the top level) and holds names and numbers only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from muscle_guide import logs
from muscle_guide_simulator import envelopes as ev
from support import in_session, run, said

SECRET = "zebra"  # a word of the question that must never reach the logs


def emf_lines(json_logs) -> list[dict[str, Any]]:
    return [line for line in json_logs() if "_aws" in line]


def assert_valid_emf(line: dict[str, Any]) -> None:
    """The Embedded Metric Format specification's rules for one line."""
    meta = line["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 0
    (directive,) = meta["CloudWatchMetrics"]
    assert directive["Namespace"] == logs.NAMESPACE
    assert 1 <= len(directive["Metrics"]) <= 100
    for dimension_set in directive["Dimensions"]:
        assert len(dimension_set) <= 30
        for dimension in dimension_set:
            assert isinstance(line[dimension], str), f"dimension {dimension} has no value"
    for metric in directive["Metrics"]:
        assert metric["Name"] in logs.METRICS
        assert metric["Unit"] == "Count"
        assert isinstance(line[metric["Name"]], int) and line[metric["Name"]] >= 1
    allowed = {"_aws", "Locale", *(m["Name"] for m in directive["Metrics"])}
    assert set(line) == allowed, "nothing but dimensions and metric values"


def question(text: str, locale: str = "en-US") -> dict[str, Any]:
    return ev.intent_request("AskQuestionIntent", [ev.slot("question", text)], locale=locale)


@pytest.mark.parametrize(
    ("request_", "metric"),
    [
        (ev.intent_request("AMAZON.FallbackIntent"), "Fallback"),
        (question(f"what is the capital of france {SECRET}"), "OffTopic"),
        (question(f"my face is drooping {SECRET}"), "RedFlag"),
        (ev.intent_request("EmergencyIntent"), "RedFlag"),
    ],
    ids=["fallback", "off-topic", "red-flag-screen", "emergency-intent"],
)
def test_each_miss_and_red_flag_writes_one_valid_emf_line(json_logs, request_, metric):
    json_logs()
    response = in_session(request_)
    (line,) = emf_lines(json_logs)
    assert_valid_emf(line)
    assert line[metric] == 1
    assert line["Locale"] == "en-US"
    text = json.dumps(line)
    assert SECRET not in text and ev.TEST_USER_ID not in text
    for word in said(response).split():
        if len(word) > 6:  # no spoken word of the reply either
            assert word not in text


def test_the_unsure_menu_is_counted(json_logs):
    json_logs()
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput

    from muscle_guide.handlers.answer import match_reply
    from muscle_guide.resolve import Match
    from muscle_guide.turn import turn

    envelope = ev_envelope()
    handler_input = HandlerInput(
        request_envelope=envelope, attributes_manager=AttributesManager(envelope)
    )
    match_reply(turn(handler_input), Match(kind="unsure", topic=None, candidates=("als", "ms")))
    counts = handler_input.attributes_manager.request_attributes[logs._COUNTS]
    assert counts == {"UnsureMenu": 1}


def ev_envelope() -> Any:
    from muscle_guide.skill import Serializer

    return Serializer().from_event(ev.envelope(question("als or ms"), ev.new_session()))


def test_an_answered_question_writes_no_metric_line(json_logs):
    json_logs()
    run(question("what causes muscle weakness"))
    assert emf_lines(json_logs) == []


def test_metric_lines_follow_the_locale(json_logs):
    json_logs()
    in_session(ev.intent_request("AMAZON.FallbackIntent", locale="en-GB"))
    (line,) = emf_lines(json_logs)
    assert line["Locale"] == "en-GB"


def test_unknown_metric_names_are_refused():
    turn = type("Turn", (), {"attributes_manager": None})()
    with pytest.raises(ValueError, match="unknown metric"):
        logs.count(turn, "Fallbak")


def test_counts_add_up_within_a_request():
    line = logs.metric_line({"OffTopic": 2, "RedFlag": 1}, None, 1)
    assert_valid_emf(line)
    assert (line["OffTopic"], line["RedFlag"], line["Locale"]) == (2, 1, "unknown")


def test_the_user_hash_key_is_the_deployment_secret_never_a_public_constant():
    """LOG_HASH_KEY keys the hash; without it each process draws a random key."""
    from hashlib import blake2b

    from muscle_guide.config import Settings

    handler_input = type("Input", (), {"request_envelope": ev_envelope()})()
    user = ev.TEST_USER_ID.encode()
    old_constant = blake2b(user, digest_size=8, key=b"muscle-guide").hexdigest()
    try:
        logs.configure("INFO", Settings.from_env({"LOG_HASH_KEY": "11" * 32}).log_hash_key)
        keyed = logs.user_hash(handler_input)
        assert keyed == blake2b(user, digest_size=8, key=bytes.fromhex("11" * 32)).hexdigest()
        logs.configure("INFO", bytes.fromhex("22" * 32))
        assert logs.user_hash(handler_input) not in (keyed, old_constant)
        logs.configure("INFO", None)
        random_key = logs.user_hash(handler_input)
        assert random_key not in (keyed, old_constant)
        assert logs.user_hash(handler_input) == random_key  # stable within the process
    finally:
        logs.configure("INFO", None)

"""The guided weakness check: every path through the decision table, through the real handler."""

from __future__ import annotations

import itertools

import pytest

from muscle_guide.check import MAX_QUESTIONS, OUTCOMES, table
from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.speech import plain, to_ssml
from muscle_guide_simulator import envelopes as ev
from support import ends, in_session, said, topic_of

TABLE = table()

PATHS = TABLE.paths()


def answer(step: str, target: str) -> bool:
    """The answer that leads from ``step`` to ``target``."""
    return TABLE.questions[step].yes == target


def test_table_reaches_every_outcome_within_the_question_limit():
    assert {path[-1] for path in PATHS} == set(OUTCOMES)
    assert all(len(path) - 1 <= MAX_QUESTIONS for path in PATHS)
    assert set(TABLE.outcomes) == set(OUTCOMES)


def test_red_flag_questions_come_first_and_any_yes_is_urgent():
    first_five = PATHS[-1][:5]  # the longest path starts with the red-flag questions
    for step in first_five:
        question = TABLE.questions[step]
        assert question.red_flag, step
        assert TABLE.outcomes[question.yes].urgent, step
    assert "suddenly" in TABLE.questions[first_five[0]].ask
    assert "a few days" in TABLE.questions[first_five[0]].ask  # Merck: days count as sudden


def test_every_question_and_its_sources_are_known():
    for question in TABLE.questions.values():
        assert question.sources, question.id
        assert set(question.sources) <= set(TABLE.sources), question.id
        if question.red_flag:
            assert question.clarify, question.id


def test_every_outcome_ends_with_a_safety_net_and_urgent_ones_start_with_the_number():
    for result in TABLE.outcomes.values():
        if result.urgent:
            assert result.say.startswith("Call {emergency_number} now"), result.id
        else:
            assert result.say.rstrip(".").endswith("call {emergency_number}"), result.id


def test_weakness_after_a_cold_that_spreads_is_not_rest():
    longest = PATHS[-1]
    assert longest.index("spreading") < longest.index("known_reason")
    assert TABLE.questions["spreading"].yes == "emergency"


def test_a_hard_workout_with_dark_urine_is_urgent():
    assert TABLE.questions["known_reason"].yes == "after_exercise"
    assert TABLE.outcomes[TABLE.questions["after_exercise"].yes].urgent


def test_every_target_exists():
    for question in TABLE.questions.values():
        for target in (question.yes, question.no):
            assert target in TABLE.questions or target in TABLE.outcomes


#: Warnings, not diagnoses: an outcome may say that symptoms which came and went "can be a
#: mini-stroke", because that is why it sends the person for help today.
WARNED_OF = {"stroke", "tia"}


def test_no_outcome_names_a_diagnosis():
    names = {
        alias
        for topic in KNOWLEDGE
        if topic.category == "condition" and topic.id not in WARNED_OF
        for alias in topic.aliases
    }
    for result in TABLE.outcomes.values():
        text = f"{result.say} {result.card}".lower()
        assert not [name for name in names if f" {name} " in f" {text} "], result.id


@pytest.mark.parametrize("path", PATHS, ids=["-".join(p) for p in PATHS])
def test_every_path_through_the_handler(path):
    response = in_session(ev.intent_request("SymptomCheckIntent"))
    attributes = response["sessionAttributes"]
    assert attributes["check"] == path[0]
    for step, target in itertools.pairwise(path):
        intent = "AMAZON.YesIntent" if answer(step, target) else "AMAZON.NoIntent"
        response = in_session(ev.intent_request(intent), attributes)
        attributes = response["sessionAttributes"]
        assert not ends(response)
        if target in TABLE.questions:
            assert attributes["check"] == target
            assert TABLE.questions[target].ask in said(response)
    outcome = TABLE.outcomes[path[-1]]
    assert plain(to_ssml(outcome.say, "en-US")) in said(response)
    assert "check" not in attributes
    assert response["response"]["card"]["title"] == "Weakness check"
    if outcome.urgent:
        assert said(response).startswith("Call 911 now")
        assert attributes["emergency"] == "general"  # the session stays on safety
    else:
        assert "call 911" in said(response)  # the safety net
    assert topic_of(response) is None


def start_check(question: str) -> dict:
    """Session attributes of a check waiting at ``question``."""
    return {"check": question}


def unsure(words: str) -> dict:
    return ev.intent_request("AskQuestionIntent", [ev.slot("question", words)])


@pytest.mark.parametrize("words", ["maybe", "i think so", "not sure", "i don't know"])
def test_an_unsure_answer_to_a_red_flag_question_is_clarified_once_then_taken_as_yes(words):
    first = in_session(unsure(words), start_check("one_side"))
    text = said(first)
    assert TABLE.questions["one_side"].clarify in text
    assert "count it as a yes" in text
    second = in_session(unsure(words), first["sessionAttributes"])
    assert said(second).startswith("Call 911 now")


def test_a_fallback_on_a_red_flag_question_counts_as_unsure():
    first = in_session(ev.intent_request("AMAZON.FallbackIntent"), start_check("sudden"))
    assert TABLE.questions["sudden"].clarify in said(first)
    second = in_session(ev.intent_request("AMAZON.FallbackIntent"), first["sessionAttributes"])
    assert said(second).startswith("Call 911 now")


def test_an_unsure_answer_then_a_clear_no_moves_on():
    first = in_session(unsure("maybe"), start_check("breathing"))
    second = in_session(ev.intent_request("AMAZON.NoIntent"), first["sessionAttributes"])
    assert second["sessionAttributes"]["check"] == "came_went"


def test_unsure_on_an_ordinary_question_just_asks_for_yes_or_no():
    response = in_session(unsure("maybe"), start_check("lasting"))
    assert "Please answer yes or no" in said(response)
    assert response["sessionAttributes"]["check"] == "lasting"


def test_check_state_from_an_old_build_is_ignored():
    response = in_session(ev.intent_request("AMAZON.YesIntent"), {"check": "no_such_step"})
    assert not ends(response)
    assert "Please answer" not in said(response)

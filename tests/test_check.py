"""The guided weakness check: every path through the decision table, through the real handler."""

from __future__ import annotations

import itertools

import pytest

from muscle_guide import envelopes as ev
from muscle_guide.check import MAX_QUESTIONS, OUTCOMES, table
from muscle_guide.knowledge import KNOWLEDGE
from support import ends, in_session, said, topic_of

TABLE = table()

PATHS = TABLE.paths()


def answer(step: str, target: str) -> bool:
    """The answer that leads from ``step`` to ``target``."""
    return TABLE.questions[step].yes == target


def test_table_reaches_all_three_outcomes_within_six_questions():
    assert {path[-1] for path in PATHS} == set(OUTCOMES)
    assert all(len(path) - 1 <= MAX_QUESTIONS for path in PATHS)
    assert set(TABLE.outcomes) == set(OUTCOMES)


def test_red_flag_questions_come_first_and_any_yes_is_an_emergency():
    first_four = PATHS[-1][:4]  # the longest path starts with the red-flag questions
    for step in first_four:
        assert TABLE.questions[step].yes == "emergency", step
    assert "suddenly" in TABLE.questions[first_four[0]].ask


def test_every_target_exists():
    for question in TABLE.questions.values():
        for target in (question.yes, question.no):
            assert target in TABLE.questions or target in TABLE.outcomes


def test_no_outcome_names_a_diagnosis():
    names = {
        alias for topic in KNOWLEDGE if topic.category == "condition" for alias in topic.aliases
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
    assert outcome.say.split(".")[0] in said(response)
    assert "check" not in attributes
    assert response["response"]["card"]["title"] == "Weakness check"
    if path[-1] == "emergency":
        assert "911" in said(response)
    assert topic_of(response) is None


def test_check_state_from_an_old_build_is_ignored():
    response = in_session(ev.intent_request("AMAZON.YesIntent"), {"check": "no_such_step"})
    assert not ends(response)
    assert "Please answer" not in said(response)

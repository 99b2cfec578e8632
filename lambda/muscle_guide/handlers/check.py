"""The guided weakness check: yes/no questions, red flags first, then one of three outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_model import IntentRequest

if TYPE_CHECKING:
    from ..check import DecisionTable

from .. import speech
from ..replies import GENERAL_ADVICE, Reply, card_footer
from ..resolve import slot_text
from ..turn import Turn
from .base import TurnHandler

#: Intents that keep their usual meaning during the check.
_PASS_THROUGH = {
    "AMAZON.StopIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.NavigateHomeIntent",
    "ThanksIntent",
}


def table() -> DecisionTable:
    """The decision table; its module loads when a check first needs it."""
    from ..check import table as load_table

    return load_table()


def ask(turn: Turn, step: str, lead: list[str], clarify: bool = False) -> Reply:
    """Ask the check's question ``step`` (or its clarified wording), remembering where we are."""
    question = table().questions[step]
    text = question.clarify if clarify and question.clarify else question.ask
    spoken = speech.to_ssml(text, turn.locale)
    turn.session.check = step
    turn.session.check_unsure = step if clarify else None
    return Reply(speech=[*lead, spoken], reprompt=spoken)


def outcome(turn: Turn, outcome_id: str) -> Reply:
    """Say where the answers lead, and leave the check.

    An urgent outcome is an emergency answer: it starts with the number, and the session then
    stays on safety like any other emergency answer.
    """
    result = table().outcomes[outcome_id]
    turn.session.check = turn.session.check_unsure = None
    follow_up = turn.say("emergency_follow_up" if result.urgent else "check_after")
    return Reply(
        speech=[speech.to_ssml(result.say, turn.locale), follow_up],
        reprompt=turn.say("emergency_reprompt") if result.urgent else follow_up,
        card_title=turn.words["check_card_title"],
        card_text=f"{speech.to_card(result.card, turn.locale)}\n\n{card_footer(None, turn.locale)}",
        emergency=GENERAL_ADVICE if result.urgent else None,
    )


def is_unsure(turn: Turn) -> bool:
    """Words that are neither yes nor no: "maybe", "I think so", or nothing we could place."""
    if turn.intent_name() == "AMAZON.FallbackIntent":
        return True
    request = turn.handler_input.request_envelope.request
    text = slot_text(request) if isinstance(request, IntentRequest) else ""
    return bool(table().uncertain.search(text.lower().replace("'", "").replace("\u2019", "")))


def answer(turn: Turn, step: str, yes: bool) -> Reply:
    target = table().next(step, yes)
    if table().is_question(target):
        return ask(turn, target, [])
    return outcome(turn, target)


class SymptomCheckStartHandler(TurnHandler):
    """ "Check my symptoms": start the check at its first question."""

    intents = frozenset({"SymptomCheckIntent"})

    def reply(self, turn: Turn) -> Reply:
        return ask(turn, table().start, [turn.say("check_intro")])


class SymptomCheckStepHandler(TurnHandler):
    """Every turn while the check is running: yes and no move on, anything else asks again.

    On a red-flag question an unsure answer is not a no: the question is asked once more in
    other words, and a second unsure answer is taken as yes, because a missed warning sign costs
    far more than an unneeded call.
    """

    def accepts(self, turn: Turn) -> bool:
        # The session's reader keeps only a step the table knows.
        return (
            turn.request_type == "IntentRequest"
            and turn.session.check is not None
            and turn.intent_name() not in _PASS_THROUGH
        )

    def reply(self, turn: Turn) -> Reply:
        step = turn.session.check or table().start
        question = table().questions[step]
        intent = turn.intent_name()
        if intent in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
            return answer(turn, step, intent == "AMAZON.YesIntent")
        if intent == "AMAZON.CancelIntent":
            turn.session.check = turn.session.check_unsure = None
            question_text = turn.say("anything_else")
            return Reply(
                speech=[turn.say("check_cancelled"), question_text], reprompt=question_text
            )
        if intent != "AMAZON.HelpIntent" and question.red_flag and is_unsure(turn):
            if turn.session.check_unsure == step:
                return answer(turn, step, True)
            return ask(turn, step, [turn.say("check_unsure")], clarify=True)
        key = "check_help" if intent == "AMAZON.HelpIntent" else "check_yes_no"
        return ask(turn, step, [turn.say(key)])

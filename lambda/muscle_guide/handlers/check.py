"""The guided weakness check: yes/no questions, red flags first, then one of three outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import Response

if TYPE_CHECKING:
    from ..check import DecisionTable

from .. import speech, state
from ..phrases import phrases
from ..replies import Reply, card_footer, say, send

#: Intents that keep their usual meaning during the check.
_PASS_THROUGH = {
    "AMAZON.StopIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.NavigateHomeIntent",
}


def table() -> DecisionTable:
    """The decision table; its module loads when a check first needs it."""
    from ..check import table as load_table

    return load_table()


def in_check(handler_input: HandlerInput) -> bool:
    step = state.get_str(handler_input, state.CHECK)
    return step is not None and table().is_question(step)


def ask(handler_input: HandlerInput, step: str, lead: list[str]) -> Reply:
    """Ask the check's question ``step``, remembering where we are."""
    locale = state.locale(handler_input)
    question = say(table().questions[step].ask, locale)
    state.put(handler_input, check=step, offer=None, candidates=None)
    return Reply(speech=[*lead, question], reprompt=question)


def outcome(handler_input: HandlerInput, outcome_id: str) -> Reply:
    """Say where the answers lead, and leave the check."""
    locale = state.locale(handler_input)
    words = phrases(locale)
    result = table().outcomes[outcome_id]
    state.put(handler_input, check=None)
    follow_up = say(words["check_after"], locale)
    return Reply(
        speech=[say(result.say, locale), follow_up],
        reprompt=follow_up,
        card_title=words["check_card_title"],
        card_text=f"{speech.to_card(result.card, locale)}\n\n{card_footer(None, locale)}",
    )


class SymptomCheckStartHandler(AbstractRequestHandler):
    """ "Check my symptoms": start the check at its first question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SymptomCheckIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        intro = say(phrases(locale)["check_intro"], locale)
        return send(handler_input, ask(handler_input, table().start, [intro]))


class SymptomCheckStepHandler(AbstractRequestHandler):
    """Every turn while the check is running: yes and no move on, anything else asks again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("IntentRequest")(handler_input)
            and in_check(handler_input)
            and get_intent_name(handler_input) not in _PASS_THROUGH
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        words = phrases(locale)
        step = state.get_str(handler_input, state.CHECK) or table().start
        intent = get_intent_name(handler_input)
        if intent in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
            target = table().next(step, intent == "AMAZON.YesIntent")
            if table().is_question(target):
                return send(handler_input, ask(handler_input, target, []))
            return send(handler_input, outcome(handler_input, target))
        if intent == "AMAZON.CancelIntent":
            state.put(handler_input, check=None)
            question = say(words["anything_else"], locale)
            reply = Reply(
                speech=[say(words["check_cancelled"], locale), question], reprompt=question
            )
            return send(handler_input, reply)
        key = "check_help" if intent == "AMAZON.HelpIntent" else "check_yes_no"
        return send(handler_input, ask(handler_input, step, [say(words[key], locale)]))

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
from ..resolve import slot_text

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


def ask(handler_input: HandlerInput, step: str, lead: list[str], clarify: bool = False) -> Reply:
    """Ask the check's question ``step`` (or its clarified wording), remembering where we are."""
    locale = state.locale(handler_input)
    question = table().questions[step]
    text = question.clarify if clarify and question.clarify else question.ask
    spoken = say(text, locale)
    state.put(
        handler_input,
        check=step,
        check_unsure=step if clarify else None,
        offer=None,
        candidates=None,
    )
    return Reply(speech=[*lead, spoken], reprompt=spoken)


def outcome(handler_input: HandlerInput, outcome_id: str) -> Reply:
    """Say where the answers lead, and leave the check.

    An urgent outcome is an emergency answer: it starts with the number, and the session then
    stays on safety like any other emergency answer.
    """
    locale = state.locale(handler_input)
    words = phrases(locale)
    result = table().outcomes[outcome_id]
    state.put(handler_input, check=None, check_unsure=None)
    if result.urgent:
        state.put(handler_input, emergency="general")
    follow_up = say(words["emergency_follow_up" if result.urgent else "check_after"], locale)
    reprompt = say(words["emergency_reprompt"], locale) if result.urgent else follow_up
    return Reply(
        speech=[say(result.say, locale), follow_up],
        reprompt=reprompt,
        card_title=words["check_card_title"],
        card_text=f"{speech.to_card(result.card, locale)}\n\n{card_footer(None, locale)}",
    )


def is_unsure(handler_input: HandlerInput) -> bool:
    """Words that are neither yes nor no: "maybe", "I think so", or nothing we could place."""
    if get_intent_name(handler_input) == "AMAZON.FallbackIntent":
        return True
    text = slot_text(handler_input.request_envelope.request)  # type: ignore[arg-type]
    return bool(table().uncertain.search(text.lower().replace("'", "").replace("\u2019", "")))


def answer(handler_input: HandlerInput, step: str, yes: bool) -> Reply:
    target = table().next(step, yes)
    if table().is_question(target):
        return ask(handler_input, target, [])
    return outcome(handler_input, target)


class SymptomCheckStartHandler(AbstractRequestHandler):
    """ "Check my symptoms": start the check at its first question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SymptomCheckIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        intro = say(phrases(locale)["check_intro"], locale)
        return send(handler_input, ask(handler_input, table().start, [intro]))


class SymptomCheckStepHandler(AbstractRequestHandler):
    """Every turn while the check is running: yes and no move on, anything else asks again.

    On a red-flag question an unsure answer is not a no: the question is asked once more in
    other words, and a second unsure answer is taken as yes, because a missed warning sign costs
    far more than an unneeded call.
    """

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
        question = table().questions[step]
        intent = get_intent_name(handler_input)
        if intent in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
            return send(handler_input, answer(handler_input, step, intent == "AMAZON.YesIntent"))
        if intent == "AMAZON.CancelIntent":
            state.put(handler_input, check=None, check_unsure=None)
            question_text = say(words["anything_else"], locale)
            reply = Reply(
                speech=[say(words["check_cancelled"], locale), question_text],
                reprompt=question_text,
            )
            return send(handler_input, reply)
        if intent != "AMAZON.HelpIntent" and question.red_flag and is_unsure(handler_input):
            if state.get_str(handler_input, state.CHECK_UNSURE) == step:
                return send(handler_input, answer(handler_input, step, True))
            lead = [say(words["check_unsure"], locale)]
            return send(handler_input, ask(handler_input, step, lead, clarify=True))
        key = "check_help" if intent == "AMAZON.HelpIntent" else "check_yes_no"
        return send(handler_input, ask(handler_input, step, [say(words[key], locale)]))

"""The skill's frame: opening, help, goodbye, fallback and session end."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..knowledge import KNOWLEDGE
from ..logs import count, get_logger
from ..replies import Reply, card_footer, disclaimer, safety_line
from ..turn import Turn
from .base import TurnHandler

log = get_logger(__name__)


def welcome(turn: Turn, returning: bool = True) -> Reply:
    """The opening: who we are, that this is not medical advice, and what to ask.

    Someone who has been here before hears a shorter disclaimer and, when we remember their last
    topic, an offer to pick up there ("yes" plays it).
    """
    memory = turn.memory
    last = KNOWLEDGE.get(memory.last_topic) if returning else None
    speech = [turn.say("welcome_back" if memory.disclaimer_heard else "welcome"), disclaimer(turn)]
    if last is not None:
        question = turn.say("pick_up", topic=last.name)
        speech.append(question)
        offer: str | None = last.id
    else:
        question = turn.say("reprompt")
        speech += [turn.say("what_you_can_ask"), turn.say("what_now")]
        offer = None
    return Reply(
        speech=speech,
        reprompt=question,
        offer=offer,
        card_title=turn.words["card_title"],
        card_text=f"{turn.words['card_intro']}\n\n{card_footer(None, turn.locale)}",
        disclaimer=True,
    )


class LaunchRequestHandler(TurnHandler):
    """ "Alexa, open muscle weakness guide"."""

    def accepts(self, turn: Turn) -> bool:
        return turn.request_type == "LaunchRequest"

    def reply(self, turn: Turn) -> Reply:
        return welcome(turn)


class StartOverHandler(TurnHandler):
    """ "Start over" and "go home": back to the welcome, with the topic trail cleared."""

    intents = frozenset({"AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent"})

    def reply(self, turn: Turn) -> Reply:
        session = turn.session
        session.topic, session.history, session.check, session.check_unsure = None, [], None, None
        return welcome(turn, returning=False)


class HelpIntentHandler(TurnHandler):
    """What the skill can do, with the emergency number, and the disclaimer on the card."""

    intents = frozenset({"AMAZON.HelpIntent"})

    def reply(self, turn: Turn) -> Reply:
        return Reply(
            speech=[turn.say("help"), turn.say("disclaimer_short"), turn.say("what_now")],
            reprompt=turn.say("reprompt"),
            card_title=turn.words["help_card_title"],
            card_text=f"{turn.words['card_intro']}\n\n{card_footer(None, turn.locale)}",
        )


class StopCancelHandler(TurnHandler):
    """Stop and cancel end the conversation at any point, with a short goodbye."""

    intents = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})

    def reply(self, turn: Turn) -> Reply:
        key = "emergency_goodbye" if turn.session.emergency is not None else "goodbye"
        return Reply(speech=[turn.say(key)], end_session=True)


class FallbackHandler(TurnHandler):
    """AMAZON.FallbackIntent, and any intent this build does not know: say what we can do."""

    def accepts(self, turn: Turn) -> bool:
        return turn.request_type == "IntentRequest"

    def reply(self, turn: Turn) -> Reply:
        count(turn.handler_input, "Fallback")
        return Reply(
            speech=[turn.say("fallback"), safety_line(turn), turn.say("what_now")],
            reprompt=turn.say("reprompt"),
        )


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Alexa closed the session (silence, "exit", or an error): log why; nothing may be said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == "SessionEndedRequest"

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        error = getattr(request, "error", None)
        if error is not None:
            log.warning(
                "session ended with error",
                reason=reason,
                error_type=getattr(error.object_type, "value", None),
                error_message=error.message,
            )
        else:
            log.info("session ended", reason=reason)
        return handler_input.response_builder.response


class OtherRequestHandler(AbstractRequestHandler):
    """Request types we have no use for (exceptions reports, screen events): answer silently."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info(
            "ignored request",
            request_type=getattr(handler_input.request_envelope.request, "object_type", None),
        )
        return handler_input.response_builder.response

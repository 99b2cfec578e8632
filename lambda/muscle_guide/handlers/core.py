"""The skill's frame: opening, help, goodbye, fallback and session end."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from .. import state
from ..knowledge import KNOWLEDGE
from ..logs import count, get_logger
from ..phrases import phrase, phrases
from ..replies import Reply, card_footer, disclaimer, safety_line, say, send

log = get_logger(__name__)


def welcome(handler_input: HandlerInput, returning: bool = True) -> Reply:
    """The opening: who we are, that this is not medical advice, and what to ask.

    Someone who has been here before hears a shorter disclaimer and, when we remember their last
    topic, an offer to pick up there ("yes" plays it).
    """
    locale = state.locale(handler_input)
    words = phrases(locale)
    memory = state.memory(handler_input)
    last = KNOWLEDGE.get(memory["last_topic"]) if returning else None
    greeting = words["welcome_back"] if memory["disclaimer_heard"] else words["welcome"]
    speech = [say(greeting, locale), disclaimer(handler_input)]
    if last is not None:
        question = say(phrase(locale, "pick_up", topic=last.name), locale)
        speech.append(question)
        offer: str | None = last.id
    else:
        question = say(words["reprompt"], locale)
        speech += [say(words["what_you_can_ask"], locale), say(words["what_now"], locale)]
        offer = None
    return Reply(
        speech=speech,
        reprompt=question,
        offer=offer,
        card_title=words["card_title"],
        card_text=f"{words['card_intro']}\n\n{card_footer(None, locale)}",
    )


class LaunchRequestHandler(AbstractRequestHandler):
    """ "Alexa, open muscle weakness guide"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return send(handler_input, welcome(handler_input))


class StartOverHandler(AbstractRequestHandler):
    """ "Start over" and "go home": back to the welcome, with the topic trail cleared."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.StartOverIntent")(handler_input) or is_intent_name(
            "AMAZON.NavigateHomeIntent"
        )(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state.put(handler_input, topic=None, history=None, offer=None, candidates=None, check=None)
        return send(handler_input, welcome(handler_input, returning=False))


class HelpIntentHandler(AbstractRequestHandler):
    """What the skill can do, with the emergency number, and the disclaimer on the card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        words = phrases(locale)
        reply = Reply(
            speech=[
                say(words["help"], locale),
                say(words["disclaimer_short"], locale),
                say(words["what_now"], locale),
            ],
            reprompt=say(words["reprompt"], locale),
            card_title=words["help_card_title"],
            card_text=f"{words['card_intro']}\n\n{card_footer(None, locale)}",
        )
        return send(handler_input, reply)


class StopCancelHandler(AbstractRequestHandler):
    """Stop and cancel end the conversation at any point, with a short goodbye."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name(
            "AMAZON.CancelIntent"
        )(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        after_emergency = state.get_str(handler_input, state.EMERGENCY) is not None
        key = "emergency_goodbye" if after_emergency else "goodbye"
        return send(
            handler_input, Reply(speech=[say(phrases(locale)[key], locale)], end_session=True)
        )


class FallbackHandler(AbstractRequestHandler):
    """AMAZON.FallbackIntent, and any intent this build does not know: say what we can do."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        count(handler_input, "Fallback")
        locale = state.locale(handler_input)
        words = phrases(locale)
        reply = Reply(
            speech=[
                say(words["fallback"], locale),
                safety_line(locale),
                say(words["what_now"], locale),
            ],
            reprompt=say(words["reprompt"], locale),
        )
        return send(handler_input, reply)


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Alexa closed the session (silence, "exit", or an error): log why; nothing may be said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

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

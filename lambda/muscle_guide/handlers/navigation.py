"""Follow-ups that move through the conversation: yes, no, tell me more, repeat, go back."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .. import speech, state
from ..knowledge import KNOWLEDGE
from ..phrases import phrases
from ..replies import Reply, say, send, topic_reply


def _what_else(handler_input: HandlerInput, lead: str | None = None) -> Reply:
    """ "What else would you like to know?", after the phrase named ``lead`` if any."""
    locale = state.locale(handler_input)
    words = phrases(locale)
    question = say(words["anything_else"], locale)
    return Reply(speech=[say(words[lead], locale) if lead else "", question], reprompt=question)


class YesIntentHandler(AbstractRequestHandler):
    """ "Yes" plays the topic we just offered, or the first of the guesses we listed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        offered = KNOWLEDGE.get(state.get_str(handler_input, state.OFFER))
        if offered is None:
            candidates = state.get_list(handler_input, state.CANDIDATES)
            offered = KNOWLEDGE.get(candidates[0]) if candidates else None
        state.put(handler_input, candidates=None)
        if offered is None:
            return send(handler_input, _what_else(handler_input))
        return send(handler_input, topic_reply(handler_input, offered))


class NoIntentHandler(AbstractRequestHandler):
    """ "No" declines the offer and hands the conversation back to the person."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state.put(handler_input, offer=None, candidates=None)
        return send(handler_input, _what_else(handler_input, "okay"))


class MoreIntentHandler(AbstractRequestHandler):
    """ "Tell me more" gives the fuller answer of the current topic."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.MoreIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = KNOWLEDGE.get(state.get_str(handler_input, state.TOPIC))
        if topic is None:
            return send(handler_input, _what_else(handler_input, "no_topic_yet"))
        return send(handler_input, topic_reply(handler_input, topic, detail="full"))


class RepeatIntentHandler(AbstractRequestHandler):
    """ "Repeat" says the last response again, word for word."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        last = state.get_dict(handler_input, state.LAST)
        spoken, reprompt = last.get("speech"), last.get("reprompt")
        # The session comes back from the client: replay only speech this skill could have made.
        if not speech.is_own_ssml(spoken):
            return send(handler_input, _what_else(handler_input, "nothing_said_yet"))
        reply = Reply(
            speech=[str(spoken)],
            reprompt=reprompt if speech.is_own_ssml(reprompt) else None,
            topic=state.get_str(handler_input, state.TOPIC),
            offer=state.get_str(handler_input, state.OFFER),
        )
        return send(handler_input, reply)


class PreviousIntentHandler(AbstractRequestHandler):
    """ "Go back" returns to the topic before this one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.PreviousIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        history = state.get_list(handler_input, state.HISTORY)
        while history and KNOWLEDGE.get(history[-1]) is None:
            history.pop()
        if not history:
            return send(handler_input, _what_else(handler_input, "no_earlier_topic"))
        topic = KNOWLEDGE.get(history.pop())
        state.put(handler_input, history=history or None)
        reply = topic_reply(handler_input, topic)  # type: ignore[arg-type]
        reply.push_history = False
        return send(handler_input, reply)

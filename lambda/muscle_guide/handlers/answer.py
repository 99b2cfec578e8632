"""The one answer path for every knowledge-base question: resolve to a topic, then answer it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from .. import state
from ..knowledge import KNOWLEDGE
from ..logs import count
from ..phrases import phrase, phrases
from ..replies import Reply, safety_line, say, send, topic_reply
from ..resolve import Match, is_topic_request, resolve


def spoken_list(names: list[str]) -> str:
    """ "a, b, or c" for speech.

    >>> spoken_list(["A L S", "M S", "polio"])
    'A L S, M S, or polio'
    """
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])}, or {names[-1]}"


def match_reply(handler_input: HandlerInput, match: Match) -> Reply:
    """What to say for a resolved question, whatever the resolution's confidence."""
    locale = state.locale(handler_input)
    words = phrases(locale)
    topic = KNOWLEDGE.get(match.topic)
    if match.kind == "answer" and topic is not None:
        return topic_reply(handler_input, topic)
    if match.kind == "unsure":
        count(handler_input, "UnsureMenu")
        names = [t.name for t in map(KNOWLEDGE.get, match.candidates) if t is not None]
        offer = say(phrase(locale, "unsure_offer", options=spoken_list(names)), locale)
        state.put(handler_input, candidates=list(match.candidates))
        return Reply(
            speech=[say(words["unsure"], locale), offer, safety_line(locale)], reprompt=offer
        )
    count(handler_input, "EmptyQuestion" if match.kind == "empty" else "OffTopic")
    lead = words["empty_question"] if match.kind == "empty" else words["off_topic"]
    return Reply(
        speech=[say(lead, locale), safety_line(locale), say(words["what_now"], locale)],
        reprompt=say(words["reprompt"], locale),
    )


class TopicAnswerHandler(AbstractRequestHandler):
    """Free questions, topic slots and general-topic intents: all answered from the knowledge."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input) and is_topic_request(
            str(get_intent_name(handler_input))
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return send(handler_input, match_reply(handler_input, resolve(handler_input)))

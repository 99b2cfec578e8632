"""The one answer path for every knowledge-base question: resolve to a topic, then answer it."""

from __future__ import annotations

from ask_sdk_model import IntentRequest

from ..dialogue import choice_position, facets_asked, is_closing
from ..knowledge import KNOWLEDGE
from ..logs import count
from ..replies import Reply, safety_line, spoken_list, topic_reply
from ..resolve import Match, is_topic_request, resolve, slot_text
from ..turn import Turn
from .base import TurnHandler
from .navigation import choose, goodbye


def match_reply(turn: Turn, match: Match, text: str = "") -> Reply:
    """What to say for a resolved question, whatever the resolution's confidence."""
    topic = KNOWLEDGE.get(match.topic)
    if match.kind == "answer" and topic is not None:
        return topic_reply(turn, topic, facets=facets_asked(text) if text else ())
    if match.kind == "unsure":
        count(turn.handler_input, "UnsureMenu")
        options = [t for t in map(KNOWLEDGE.get, match.candidates) if t is not None]
        offer = turn.say("unsure_offer", options=spoken_list([t.short_name() for t in options]))
        return Reply(
            speech=[turn.say("unsure"), offer, safety_line(turn)],
            reprompt=offer,
            candidates=[t.id for t in options],
        )
    count(turn.handler_input, "EmptyQuestion" if match.kind == "empty" else "OffTopic")
    lead = "empty_question" if match.kind == "empty" else "off_topic"
    return Reply(
        speech=[turn.say(lead), safety_line(turn), turn.say("what_now")],
        reprompt=turn.say("reprompt"),
    )


class TopicAnswerHandler(TurnHandler):
    """Free questions, topic slots and general-topic intents: all answered from the knowledge."""

    def accepts(self, turn: Turn) -> bool:
        return turn.request_type == "IntentRequest" and is_topic_request(str(turn.intent_name()))

    def reply(self, turn: Turn) -> Reply:
        request = turn.handler_input.request_envelope.request
        text = slot_text(request) if isinstance(request, IntentRequest) else ""
        # Free words that steer rather than ask: a goodbye, or a pick from the menu just given.
        if text and is_closing(text):
            return goodbye(turn)
        if text and turn.session.candidates:
            position = choice_position(text)
            if position is not None:
                return choose(turn, position)
        return match_reply(turn, resolve(turn.handler_input), text)

"""The one answer path for every knowledge-base question: resolve to a topic, then answer it."""

from __future__ import annotations

from ..knowledge import KNOWLEDGE
from ..logs import count
from ..replies import Reply, safety_line, topic_reply
from ..resolve import Match, is_topic_request, resolve
from ..turn import Turn
from .base import TurnHandler


def spoken_list(names: list[str]) -> str:
    """ "a, b, or c" for speech.

    >>> spoken_list(["A L S", "M S", "polio"])
    'A L S, M S, or polio'
    """
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])}, or {names[-1]}"


def match_reply(turn: Turn, match: Match) -> Reply:
    """What to say for a resolved question, whatever the resolution's confidence."""
    topic = KNOWLEDGE.get(match.topic)
    if match.kind == "answer" and topic is not None:
        return topic_reply(turn, topic)
    if match.kind == "unsure":
        count(turn.handler_input, "UnsureMenu")
        options = [t for t in map(KNOWLEDGE.get, match.candidates) if t is not None]
        offer = turn.say("unsure_offer", options=spoken_list([t.name for t in options]))
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
        return match_reply(turn, resolve(turn.handler_input))

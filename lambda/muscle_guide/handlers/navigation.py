"""Follow-ups that move through the conversation: yes, no, tell me more, repeat, go back."""

from __future__ import annotations

from ..knowledge import KNOWLEDGE
from ..replies import Reply, topic_reply
from ..turn import Turn
from .base import TurnHandler


def what_else(turn: Turn, lead: str | None = None) -> Reply:
    """ "What else would you like to know?", after the phrase named ``lead`` if any."""
    question = turn.say("anything_else")
    return Reply(speech=[turn.say(lead) if lead else "", question], reprompt=question)


class YesIntentHandler(TurnHandler):
    """ "Yes" plays the topic we just offered, or the first of the guesses we listed."""

    intents = frozenset({"AMAZON.YesIntent"})

    def reply(self, turn: Turn) -> Reply:
        session = turn.session
        offered = KNOWLEDGE.get(session.offer)
        if offered is None and session.candidates:
            offered = KNOWLEDGE.get(session.candidates[0])
        if offered is None:
            return what_else(turn)
        return topic_reply(turn, offered)


class NoIntentHandler(TurnHandler):
    """ "No" declines the offer and hands the conversation back to the person."""

    intents = frozenset({"AMAZON.NoIntent"})

    def reply(self, turn: Turn) -> Reply:
        return what_else(turn, "okay")


class MoreIntentHandler(TurnHandler):
    """ "Tell me more" gives the fuller answer of the current topic."""

    intents = frozenset({"AMAZON.MoreIntent"})

    def reply(self, turn: Turn) -> Reply:
        topic = KNOWLEDGE.get(turn.session.topic)
        if topic is None:
            return what_else(turn, "no_topic_yet")
        return topic_reply(turn, topic, detail="full")


class RepeatIntentHandler(TurnHandler):
    """ "Repeat" says the last response again, word for word, as often as asked.

    What is replayed was kept before the speaking rate was applied (``send`` applies it once),
    and the session's reader already refused anything this skill could not have said.
    """

    intents = frozenset({"AMAZON.RepeatIntent"})

    def reply(self, turn: Turn) -> Reply:
        session = turn.session
        if session.last_speech is None:
            return what_else(turn, "nothing_said_yet")
        return Reply(
            speech=[session.last_speech],
            reprompt=session.last_reprompt,
            topic=session.topic,
            offer=session.offer,
            candidates=session.candidates,
        )


class PreviousIntentHandler(TurnHandler):
    """ "Go back" returns to the topic before this one."""

    intents = frozenset({"AMAZON.PreviousIntent"})

    def reply(self, turn: Turn) -> Reply:
        history = turn.session.history
        if not history:
            return what_else(turn, "no_earlier_topic")
        topic = KNOWLEDGE.get(history.pop())
        if topic is None:  # the session's reader keeps only known ids; never taken
            return what_else(turn, "no_earlier_topic")
        reply = topic_reply(turn, topic)
        reply.push_history = False
        return reply

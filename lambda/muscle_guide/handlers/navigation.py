"""Follow-ups that move through the conversation: yes, no, tell me more, repeat, go back, a
choice from a menu, and thanks."""

from __future__ import annotations

from ask_sdk_model import IntentRequest

from ..dialogue import CHOICE_POSITIONS
from ..knowledge import KNOWLEDGE
from ..replies import Reply, next_offer, spoken_list, topic_reply
from ..resolve import resolved_id
from ..turn import Turn
from .base import TurnHandler


def what_else(turn: Turn, lead: str | None = None) -> Reply:
    """ "What else would you like to know?", after the phrase named ``lead`` if any."""
    question = turn.say("anything_else")
    return Reply(speech=[turn.say(lead) if lead else "", question], reprompt=question)


def menu_names(turn: Turn) -> str:
    """The options of the menu just given, each named once and short: "a, b, or c"."""
    options = [t for t in map(KNOWLEDGE.get, turn.session.candidates) if t is not None]
    return spoken_list([t.short_name() for t in options])


def which_one(turn: Turn) -> Reply:
    """Ask again which option of the menu the person wants, keeping the menu."""
    question = turn.say("which_one", options=menu_names(turn))
    return Reply(speech=[question], reprompt=question, candidates=turn.session.candidates)


def choose(turn: Turn, position: int | None) -> Reply:
    """The menu option at ``position`` (0-based; -1 is the last), or the menu again."""
    options = turn.session.candidates
    if not options:
        return what_else(turn, "no_menu")
    if position is None or not -len(options) <= position < len(options):
        return which_one(turn)
    topic = KNOWLEDGE.get(options[position])
    return topic_reply(turn, topic) if topic is not None else what_else(turn)


class YesIntentHandler(TurnHandler):
    """ "Yes" plays the topic we just offered; after a menu it asks which one, unless the menu
    had only one option."""

    intents = frozenset({"AMAZON.YesIntent"})

    def reply(self, turn: Turn) -> Reply:
        session = turn.session
        if len(session.candidates) > 1:
            return which_one(turn)
        offered = KNOWLEDGE.get(session.offer) or KNOWLEDGE.get(
            session.candidates[0] if session.candidates else None
        )
        if offered is None:
            return what_else(turn)
        return topic_reply(turn, offered)


class ChooseIntentHandler(TurnHandler):
    """ "The first one", "the last one", "number two": an option from the menu just given."""

    intents = frozenset({"ChooseIntent"})

    def reply(self, turn: Turn) -> Reply:
        request = turn.handler_input.request_envelope.request
        intent = request.intent if isinstance(request, IntentRequest) else None
        slots = (intent.slots if intent is not None else None) or {}
        choice = resolved_id(slots.get("choice"))
        return choose(turn, CHOICE_POSITIONS.get(choice or ""))


class ThanksIntentHandler(TurnHandler):
    """ "Thank you", "that's all", "no thanks", "bye": a warm goodbye, and the session ends."""

    intents = frozenset({"ThanksIntent"})

    def reply(self, turn: Turn) -> Reply:
        return goodbye(turn)


def goodbye(turn: Turn) -> Reply:
    """The closing words; after an emergency answer, the number once more."""
    key = "emergency_goodbye" if turn.session.emergency is not None else "closing"
    return Reply(speech=[turn.say(key)], end_session=True)


class NoIntentHandler(TurnHandler):
    """ "No" declines the offer and hands the conversation back to the person."""

    intents = frozenset({"AMAZON.NoIntent"})

    def reply(self, turn: Turn) -> Reply:
        return what_else(turn, "okay")


class MoreIntentHandler(TurnHandler):
    """ "Tell me more" goes deeper, then on to the next topic, and says when there is no more.

    The first time it gives the current topic's full answer; once that has been heard, it says
    so and moves to the next related topic not heard yet; when there is none, it says that too
    and asks what else the person would like to know. "What else can you tell me" is the same.
    """

    intents = frozenset({"AMAZON.MoreIntent"})

    def reply(self, turn: Turn) -> Reply:
        topic = KNOWLEDGE.get(turn.session.topic)
        if topic is None:
            return what_else(turn, "no_topic_yet")
        if turn.session.detail != "full" and topic.full != topic.brief:
            return topic_reply(turn, topic, detail="full")
        following = next_offer(turn, topic)
        name = topic.short_name()
        if following is None:
            question = turn.say("anything_else")
            return Reply(speech=[turn.say("nothing_more", topic=name), question], reprompt=question)
        return topic_reply(turn, following, lead=[turn.say("more_next", topic=name)])


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

"""Composing what the skill says: one ``Reply`` shape, turned into an ASK response in one place.

Handlers decide *what* to say (a topic, help, a goodbye); this module decides *how*: SSML escaping
and limits, the listener's preferred detail and speaking rate, the card and the screen, the
reprompt, and the session rules (one-shot requests end the session, open sessions always carry a
reprompt). The reply builders read a ``Turn`` and write nothing; ``send`` applies what a reply
implies (the topic, the offer, the emergency, the disclaimer heard) to the turn's session and
memory, and writes the session back to Alexa, once.
"""

from __future__ import annotations

from functools import lru_cache

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import display, speech
from .knowledge import EMERGENCY_TOPIC, KNOWLEDGE, SAFETY, Topic
from .phrases import phrases
from .turn import Turn

#: The first-aid steps for an emergency we cannot place more precisely.
GENERAL_ADVICE = "general"


class Reply:
    """What to say, as SSML fragments (made with ``say``), and what to show.

    A plain class rather than a dataclass: creating a dataclass costs more than half a
    millisecond of every Lambda cold start.
    """

    __slots__ = (
        "candidates",
        "card_text",
        "card_title",
        "detail",
        "disclaimer",
        "emergency",
        "end_session",
        "offer",
        "pending",
        "push_history",
        "reprompt",
        "screen",
        "speech",
        "topic",
    )

    def __init__(
        self,
        speech: list[str] | None = None,
        reprompt: str | None = None,
        card_title: str | None = None,
        card_text: str | None = None,
        end_session: bool = False,
        topic: str | None = None,
        offer: str | None = None,
        push_history: bool = True,
        screen: Topic | None = None,
        candidates: list[str] | None = None,
        emergency: str | None = None,
        disclaimer: bool = False,
        detail: str | None = None,
        pending: str | None = None,
    ) -> None:
        self.speech = speech if speech is not None else []
        self.reprompt = reprompt
        self.card_title = card_title
        self.card_text = card_text
        self.end_session = end_session
        self.topic = topic
        self.offer = offer
        #: False when going back: the topic we return to comes off the history instead.
        self.push_history = push_history
        #: The topic whose answer a screen should show.
        self.screen = screen
        #: The options of a menu this reply offers ("the first one" picks from them).
        self.candidates = candidates or []
        #: The first-aid advice of an emergency answer: the session stays on safety.
        self.emergency = emergency
        #: True when the reply carries the disclaimer: the user has heard it.
        self.disclaimer = disclaimer
        #: How much of ``topic`` this reply said ("brief" or "full"), for "tell me more".
        self.detail = detail
        #: A yes-or-no question this reply asks (``session.PENDING_QUESTIONS``); any other
        #: reply drops it, so a later "yes" can never confirm it by accident.
        self.pending = pending


def spoken_list(names: list[str]) -> str:
    """ "a, b, or c" for speech.

    >>> spoken_list(["A L S", "M S", "polio"])
    'A L S, M S, or polio'
    """
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])}, or {names[-1]}"


def say(text: str, locale: str | None) -> str:
    """Plain text to an SSML fragment, for use in ``Reply.speech``."""
    return speech.to_ssml(text, locale)


@lru_cache(maxsize=512)
def sources_line(topic: Topic, locale: str) -> str:
    names = [KNOWLEDGE.sources[s].publisher for s in topic.sources if s in KNOWLEDGE.sources]
    if not names:
        return ""
    return f"{phrases(locale)['card_sources']}: {'; '.join(dict.fromkeys(names))}"


@lru_cache(maxsize=512)
def card_footer(topic: Topic | None, locale: str) -> str:
    """The lines every card ends with: the disclaimer and, for topics, the sources."""
    lines = [speech.to_card(phrases(locale)["card_disclaimer"], locale)]
    if topic is not None and sources_line(topic, locale):
        lines.append(sources_line(topic, locale))
    return "\n".join(lines)


def disclaimer(turn: Turn) -> str:
    """The full disclaimer the first time a person uses the skill, a short reminder after that.

    A reply that carries it sets ``Reply.disclaimer``, so ``send`` remembers it was heard.
    """
    return turn.say("disclaimer_short" if turn.memory.disclaimer_heard else "disclaimer")


def safety_line(turn: Turn) -> str:
    """The short line every dead end carries: Alexa's fallback has no words we could screen."""
    return turn.say("safety_line")


def emergency_reply(turn: Turn, advice: str) -> Reply:
    """The emergency answer: the instruction with the local number first, then the steps.

    ``advice`` names the first-aid steps (``emergency_steps_<advice>`` in phrases.json) that go
    with the warning sign heard; unknown names get the general steps. The session stays open and
    remembers the advice, so a follow-up ("what number do I call?") hears it again.
    """
    locale, words = turn.locale, turn.words
    if f"emergency_steps_{advice}" not in words:
        advice = GENERAL_ADVICE
    call, steps = words["emergency_call"], words[f"emergency_steps_{advice}"]
    emergency = KNOWLEDGE.get(EMERGENCY_TOPIC)
    return Reply(
        speech=[
            say(call, locale),
            say(steps, locale),
            turn.say("disclaimer_short"),
            turn.say("emergency_follow_up"),
        ],
        reprompt=turn.say("emergency_reprompt"),
        card_title=speech.to_card(words["emergency_card_title"], locale),
        card_text=f"{speech.to_card(call, locale)}\n{speech.to_card(steps, locale)}"
        f"\n\n{card_footer(emergency, locale)}",
        topic=EMERGENCY_TOPIC,
        screen=emergency,
        emergency=advice,
    )


def next_offer(turn: Turn, topic: Topic) -> Topic | None:
    """The natural next topic: the first related one not heard yet in this session.

    None when every related topic has been heard: then the person is asked what else they
    would like to know, so "yes" can never go round in a loop.
    """
    heard = {topic.id, *turn.session.heard}
    choices = [t for t in map(KNOWLEDGE.get, topic.related) if t is not None]
    return next((t for t in choices if t.id not in heard), None)


def heading(turn: Turn, topic: Topic) -> str:
    """The first words of an answer, naming what was understood: a mishearing shows at once."""
    return turn.say("answer_heading", heading=topic.spoken_heading())


def topic_reply(
    turn: Turn,
    topic: Topic,
    detail: str | None = None,
    lead: list[str] | None = None,
    facets: tuple[str, ...] = (),
) -> Reply:
    """Answer ``topic``: its heading, the brief (or full) answer, then one offer of a next step.

    When the question asked about one side of the topic (``facets``, most telling first) and
    the topic has a short answer for it, that answer is the one given.

    A one-shot request answers and ends; an open session offers the next topic and waits. After
    an emergency answer, the warning-signs topic offers nothing else: the thing to do is to call.
    """
    locale = turn.locale
    detail = detail or turn.memory.length
    text = topic.full if detail == "full" else topic.brief
    asked = next((t for f in facets if (t := topic.facet(f)) is not None), None)
    if asked is not None and detail != "full":
        text = asked  # "is it curable?" hears that answer; "tell me more" gives the rest
    reply = Reply(
        speech=[*(lead or []), heading(turn, topic), say(text, locale)],
        card_title=topic.title,
        card_text=f"{speech.to_card(topic.card, locale)}\n\n{card_footer(topic, locale)}",
        topic=topic.id,
        screen=topic,
        detail=detail,
    )
    if turn.one_shot:
        reply.speech.append(disclaimer(turn))
        reply.disclaimer = True
        reply.end_session = True
        return reply
    if topic.category == SAFETY and turn.session.emergency is not None:
        # After an emergency answer the one thing to do next is to call for help; someone
        # asking about warning signs as information goes on like any other answer.
        reply.speech.append(turn.say("emergency_follow_up"))
        reply.reprompt = turn.say("emergency_reprompt")
        return reply
    offer = next_offer(turn, topic)
    if offer is not None:
        question = turn.say("offer", topic=offer.name)
        reply.offer = offer.id
    else:
        question = turn.say("anything_else")
    reply.speech.append(question)
    reply.reprompt = question
    return reply


def remember(turn: Turn, reply: Reply) -> None:
    """Apply what was just said to the session and the memory: the one place that writes them."""
    session, memory = turn.session, turn.memory
    if reply.topic:
        previous = session.topic
        if previous and previous != reply.topic and reply.push_history:
            session.history = [*session.history, previous]
        session.topic = reply.topic
        if reply.detail is not None:
            session.detail = reply.detail
        if reply.topic not in session.heard:
            session.heard = [*session.heard, reply.topic]
        topic = KNOWLEDGE.get(reply.topic)
        if topic is not None and topic.category != SAFETY:  # not offered back on launch
            memory.last_topic = topic.id
    session.offer = reply.offer
    session.pending = reply.pending
    session.candidates = list(reply.candidates)
    if reply.emergency is not None:
        session.emergency = reply.emergency
    if reply.disclaimer:
        memory.disclaimer_heard = True
    if turn.memory_read is not None:
        session.memory = memory
    if turn.has_session:
        turn.handler_input.attributes_manager.session_attributes = session.attributes()


def send(turn: Turn, reply: Reply) -> Response:
    """Turn a ``Reply`` into the ASK response, and remember what was said."""
    locale = turn.locale
    rate = turn.memory.rate
    builder = turn.handler_input.response_builder
    said = speech.join(reply.speech)  # kept for "repeat" before the rate, which is applied once
    builder.speak(speech.with_rate(said, rate))
    if reply.card_title:
        text = reply.card_text or card_footer(None, locale)
        builder.set_card(SimpleCard(title=reply.card_title, content=text[: speech.MAX_CARD_CHARS]))
    if reply.screen is not None and display.supports_apl(turn.handler_input):
        topic = reply.screen
        builder.add_directive(
            display.render_directive(
                title=topic.title,
                brief=speech.to_card(topic.brief, locale),
                card_text=speech.to_card(topic.card, locale),
                sources=sources_line(topic, locale),
                disclaimer=speech.to_card(turn.words["card_disclaimer"], locale),
            )
        )
    if reply.end_session or not turn.has_session:
        builder.set_should_end_session(True)
        reprompt = None
    else:
        reprompt = reply.reprompt or turn.say("reprompt")
        builder.ask(speech.with_rate(reprompt, rate))
    turn.session.last_speech, turn.session.last_reprompt = said, reprompt
    remember(turn, reply)
    return builder.response

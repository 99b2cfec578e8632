"""Composing what the skill says: one ``Reply`` shape, turned into an ASK response in one place.

Handlers decide *what* to say (a topic, help, a goodbye); this module decides *how*: SSML escaping
and limits, the listener's preferred detail and speaking rate, the card and the screen, the
reprompt, the session rules (one-shot requests end the session, open sessions always carry a
reprompt), and the session state that "repeat", "yes" and "go back" read.
"""

from __future__ import annotations

from functools import lru_cache

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import display, speech, state
from .knowledge import KNOWLEDGE, Topic
from .phrases import phrase, phrases


class Reply:
    """What to say, as SSML fragments (made with ``say``), and what to show.

    A plain class rather than a dataclass: creating a dataclass costs more than half a
    millisecond of every Lambda cold start.
    """

    __slots__ = (
        "card_text",
        "card_title",
        "end_session",
        "offer",
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


def disclaimer(handler_input: HandlerInput) -> str:
    """The full disclaimer the first time a person uses the skill, a short reminder after that."""
    locale = state.locale(handler_input)
    heard = state.memory(handler_input)["disclaimer_heard"]
    state.remember(handler_input, disclaimer_heard=True)
    return say(phrases(locale)["disclaimer_short" if heard else "disclaimer"], locale)


def safety_line(locale: str) -> str:
    """The short line every dead end carries: Alexa's fallback has no words we could screen."""
    return say(phrases(locale)["safety_line"], locale)


def emergency_reply(handler_input: HandlerInput, advice: str) -> Reply:
    """The emergency answer: the instruction with the local number first, then the steps.

    ``advice`` names the first-aid steps (``emergency_steps_<advice>`` in phrases.json) that go
    with the warning sign heard; unknown names get the general steps. The session stays open and
    remembers the advice, so a follow-up ("what number do I call?") hears it again.
    """
    locale = state.locale(handler_input)
    words = phrases(locale)
    if f"emergency_steps_{advice}" not in words:
        advice = "general"
    call, steps = words["emergency_call"], words[f"emergency_steps_{advice}"]
    state.put(handler_input, emergency=advice)
    emergency = KNOWLEDGE.get("emergency")
    return Reply(
        speech=[
            say(call, locale),
            say(steps, locale),
            say(words["disclaimer_short"], locale),
            say(words["emergency_follow_up"], locale),
        ],
        reprompt=say(words["emergency_reprompt"], locale),
        card_title=speech.to_card(words["emergency_card_title"], locale),
        card_text=f"{speech.to_card(call, locale)}\n{speech.to_card(steps, locale)}"
        f"\n\n{card_footer(emergency, locale)}",
        topic="emergency",
        screen=emergency,
    )


def next_offer(topic: Topic, handler_input: HandlerInput) -> Topic | None:
    """The natural next topic: the first related one not just talked about."""
    recent = {topic.id, *state.get_list(handler_input, state.HISTORY)[-1:]}
    choices = [t for t in map(KNOWLEDGE.get, topic.related) if t is not None]
    fresh = [t for t in choices if t.id not in recent]
    pool = fresh or choices
    return pool[0] if pool else None


def topic_reply(
    handler_input: HandlerInput,
    topic: Topic,
    detail: str | None = None,
    lead: list[str] | None = None,
) -> Reply:
    """Answer ``topic``: the brief (or full) answer, then one offer of a next step.

    A one-shot request answers and ends; an open session offers the next topic and waits. The
    emergency topic offers nothing else: the one thing to do next is to call for help.
    """
    locale = state.locale(handler_input)
    detail = detail or state.preference(handler_input, "length")
    text = topic.full if detail == "full" else topic.brief
    reply = Reply(
        speech=[*(lead or []), say(text, locale)],
        card_title=topic.title,
        card_text=f"{speech.to_card(topic.card, locale)}\n\n{card_footer(topic, locale)}",
        topic=topic.id,
        screen=topic,
    )
    if state.is_one_shot(handler_input):
        reply.speech.append(disclaimer(handler_input))
        reply.end_session = True
        return reply
    if topic.category == "safety":
        reply.speech.append(say(phrases(locale)["emergency_follow_up"], locale))
        reply.reprompt = say(phrases(locale)["emergency_reprompt"], locale)
        return reply
    else:
        offer = next_offer(topic, handler_input)
        if offer is not None:
            question = say(phrase(locale, "offer", topic=offer.name), locale)
            reply.offer = offer.id
        else:
            question = say(phrases(locale)["anything_else"], locale)
    reply.speech.append(question)
    reply.reprompt = question
    return reply


def send(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a ``Reply`` into the ASK response, and remember what was said."""
    locale = state.locale(handler_input)
    rate = state.preference(handler_input, "rate")
    builder = handler_input.response_builder
    said = speech.join(reply.speech)  # kept for "repeat" before the rate, which is applied once
    builder.speak(speech.with_rate(said, rate))
    if reply.card_title:
        text = reply.card_text or card_footer(None, locale)
        builder.set_card(SimpleCard(title=reply.card_title, content=text[: speech.MAX_CARD_CHARS]))
    if reply.screen is not None and display.supports_apl(handler_input):
        topic = reply.screen
        builder.add_directive(
            display.render_directive(
                title=topic.title,
                brief=speech.to_card(topic.brief, locale),
                card_text=speech.to_card(topic.card, locale),
                sources=sources_line(topic, locale),
                disclaimer=speech.to_card(phrases(locale)["card_disclaimer"], locale),
            )
        )
    if reply.end_session or not state.has_session(handler_input):
        builder.set_should_end_session(True)
        reprompt = None
    else:
        reprompt = reply.reprompt or say(phrases(locale)["reprompt"], locale)
        builder.ask(speech.with_rate(reprompt, rate))
    if reply.topic:
        previous = state.get_str(handler_input, state.TOPIC)
        history = state.get_list(handler_input, state.HISTORY)
        if previous and previous != reply.topic and reply.push_history:
            history = [*history, previous][-state.MAX_HISTORY :]
        state.put(handler_input, topic=reply.topic, history=history or None)
    state.put(handler_input, offer=reply.offer, last={"speech": said, "reprompt": reprompt})
    return builder.response

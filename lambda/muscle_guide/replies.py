"""Composing what the skill says: one ``Reply`` shape, turned into an ASK response in one place.

Handlers decide *what* to say (a topic, help, a goodbye); this module decides *how*: SSML escaping
and limits, the card, the reprompt, the session rules (one-shot requests end the session, open
sessions always carry a reprompt), and the session state that "repeat", "yes" and "go back" read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from . import speech, state
from .knowledge import KNOWLEDGE, Topic
from .phrases import phrases


@dataclass
class Reply:
    """What to say, as plain-text pieces (escaped later) or ready SSML fragments."""

    speech: list[str] = field(default_factory=list)
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None
    end_session: bool = False
    topic: str | None = None
    offer: str | None = None
    #: False when going back: the topic we return to comes off the history instead.
    push_history: bool = True


def say(text: str, locale: str | None) -> str:
    """Plain text to an SSML fragment, for use in ``Reply.speech``."""
    return speech.to_ssml(text, locale)


def card_footer(topic: Topic | None, locale: str) -> str:
    """The lines every card ends with: the disclaimer and, for topics, the sources."""
    lines = [speech.to_card(phrases(locale)["card_disclaimer"], locale)]
    if topic is not None:
        names = [KNOWLEDGE.sources[s].publisher for s in topic.sources if s in KNOWLEDGE.sources]
        if names:
            lines.append(f"{phrases(locale)['card_sources']}: {'; '.join(dict.fromkeys(names))}")
    return "\n".join(lines)


def next_offer(topic: Topic, handler_input: HandlerInput) -> Topic | None:
    """The natural next topic: the first related one not just talked about."""
    recent = {topic.id, *state.get_list(handler_input, state.HISTORY)[-1:]}
    related = [KNOWLEDGE.get(r) for r in topic.related]
    choices = [t for t in related if t is not None]
    fresh = [t for t in choices if t.id not in recent]
    return (fresh or choices or [None])[0]


def topic_reply(
    handler_input: HandlerInput, topic: Topic, detail: str = "brief", lead: list[str] | None = None
) -> Reply:
    """Answer ``topic``: the brief (or full) answer, then one offer of a next step.

    A one-shot request answers and ends; an open session offers the next topic and waits.
    """
    locale = state.locale(handler_input)
    text = topic.full if detail == "full" else topic.brief
    reply = Reply(
        speech=[*(lead or []), say(text, locale)],
        card_title=topic.title,
        card_text=f"{speech.to_card(topic.card, locale)}\n\n{card_footer(topic, locale)}",
        topic=topic.id,
    )
    if state.is_one_shot(handler_input):
        reply.speech.append(say(phrases(locale)["disclaimer_short"], locale))
        reply.end_session = True
        return reply
    offer = next_offer(topic, handler_input)
    if offer is not None:
        question = say(f"Would you like to hear about {offer.name}?", locale)
        reply.offer = offer.id
    else:
        question = say(phrases(locale)["anything_else"], locale)
    reply.speech.append(question)
    reply.reprompt = question
    return reply


def send(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a ``Reply`` into the ASK response, and remember what was said."""
    locale = state.locale(handler_input)
    builder = handler_input.response_builder
    spoken = speech.join(reply.speech)
    builder.speak(spoken)
    if reply.card_title:
        text = reply.card_text or card_footer(None, locale)
        builder.set_card(SimpleCard(title=reply.card_title, content=text[: speech.MAX_CARD_CHARS]))
    if reply.end_session or not state.has_session(handler_input):
        builder.set_should_end_session(True)
        reprompt = None
    else:
        reprompt = reply.reprompt or say(phrases(locale)["reprompt"], locale)
        builder.ask(reprompt)
    if reply.topic:
        previous = state.get_str(handler_input, state.TOPIC)
        history = state.get_list(handler_input, state.HISTORY)
        if previous and previous != reply.topic and reply.push_history:
            history = [*history, previous][-state.MAX_HISTORY :]
        state.put(handler_input, topic=reply.topic, history=history or None)
    state.put(handler_input, offer=reply.offer, last={"speech": spoken, "reprompt": reprompt})
    return builder.response

"""Which topic a request is about: a resolved slot id, a topic intent, or a free-text search.

This is the one path every knowledge-base answer takes, so adding a topic never needs a handler.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Slot

from .knowledge import KNOWLEDGE, OVERVIEW_TOPIC, Topic

Kind = Literal["answer", "unsure", "off_topic", "empty"]


class Match(NamedTuple):
    """What a question resolved to: an answer, a short list of guesses, or nothing medical."""

    kind: Kind
    topic: str | None = None
    candidates: tuple[str, ...] = ()
    score: float = 0.0


ASK_QUESTION_INTENT = "AskQuestionIntent"
TOPIC_INTENT = "TopicIntent"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@lru_cache(maxsize=256)
def topic_for_intent(intent_name: str) -> Topic | None:
    """The general topic an intent is named after: ``CausesIntent`` answers ``causes``.

    >>> topic_for_intent("HowMusclesWorkIntent").id
    'how_muscles_work'
    >>> topic_for_intent("AMAZON.HelpIntent") is None
    True
    """
    if not intent_name.endswith("Intent") or "." in intent_name:
        return None
    return KNOWLEDGE.get(_CAMEL.sub("_", intent_name[: -len("Intent")]).lower())


def resolved_id(slot: Slot | None) -> str | None:
    """The value id entity resolution matched for ``slot`` (ER_SUCCESS_MATCH), if any."""
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        code = getattr(getattr(authority.status, "code", None), "value", None)
        if code == "ER_SUCCESS_MATCH" and authority.values:
            value = authority.values[0].value
            if value is not None and isinstance(value.id, str):
                return value.id
    return None


def slot_text(request: IntentRequest) -> str:
    """Everything the person said into slots, joined, for search and for safety screening."""
    slots = (request.intent.slots or {}) if request.intent else {}
    values = [s.value for s in slots.values() if s is not None and isinstance(s.value, str)]
    return " ".join(v for v in values if v.strip())


def is_topic_request(intent_name: str) -> bool:
    return (
        intent_name in (ASK_QUESTION_INTENT, TOPIC_INTENT, "TopicNameIntent")
        or topic_for_intent(intent_name) is not None
    )


def _search(text: str) -> Match:
    from .retrieval import retriever  # the index and its code load on the first free question

    return retriever().match(text)


def resolve(handler_input: HandlerInput) -> Match:
    """Resolve an answerable intent request to a topic, a set of guesses, or nothing."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest):
        return Match("empty")
    intent_name = request.intent.name if request.intent else ""
    for slot in ((request.intent.slots or {}) if request.intent else {}).values():
        topic = KNOWLEDGE.get(resolved_id(slot))
        if topic is not None:
            return Match("answer", topic.id, (topic.id,), float("inf"))
    text = slot_text(request)
    topic = topic_for_intent(intent_name)
    if topic is not None:
        # A general question frame ("why ...", "should i ...") with free words: a topic those
        # words clearly name wins ("why does a l s ..."); otherwise the frame's own topic.
        if text:
            found = _search(text)
            if found.kind == "answer" and found.topic not in (None, OVERVIEW_TOPIC):
                return found
        return Match("answer", topic.id, (topic.id,), float("inf"))
    return _search(text)

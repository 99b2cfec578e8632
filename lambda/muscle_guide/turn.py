"""One request's context, worked out once: who is asking, in which locale, with what state.

Handlers and replies used to look these facts up again and again (the locale, the phrases, the
session, the memory). ``turn(handler_input)`` builds a ``Turn`` on first use in a request and keeps
it in the request attributes; everything after that reads plain attributes. Replies are built from
a turn and a topic; the turn's session goes back to Alexa once, in ``replies.send``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, is_new_session

from .locales import DEFAULT_LOCALE
from .phrases import phrase, phrases
from .session import Session, UserMemory
from .speech import to_ssml

#: Where the turn is kept in the request attributes.
TURN = "turn"


class Turn:
    """The facts of one request that every handler needs."""

    __slots__ = (
        "handler_input",
        "has_session",
        "locale",
        "memory",
        "memory_read",
        "one_shot",
        "request_type",
        "session",
        "words",
    )

    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        envelope = handler_input.request_envelope
        locale = get_locale(handler_input)
        self.locale: str = locale if isinstance(locale, str) and locale else DEFAULT_LOCALE
        #: The locale's phrases (``phrases.json``), by key.
        self.words: Mapping[str, str] = phrases(self.locale)
        self.request_type: str = str(get_request_type(handler_input))
        #: False for requests without a session (e.g. some skill events): nothing is kept.
        self.has_session: bool = envelope.session is not None
        #: "Alexa, ask muscle weakness guide ...": a new session opened by an intent, which
        #: answers and ends.
        self.one_shot: bool = self.request_type == "IntentRequest" and (
            not self.has_session or bool(is_new_session(handler_input))
        )
        raw: Any = handler_input.attributes_manager.session_attributes if self.has_session else {}
        self.session: Session = Session.read(raw)
        #: The user's memory as it stands in this request (defaults until read).
        self.memory: UserMemory = (
            self.session.memory.copy() if self.session.memory is not None else UserMemory()
        )
        #: What was read from the session or the store; None when nothing could be read, and
        #: then nothing is saved over what is stored.
        self.memory_read: UserMemory | None = self.session.memory

    def word(self, key: str, **fields: str) -> str:
        """The phrase ``key`` in this turn's locale, with ``{field}`` slots filled."""
        return phrase(self.locale, key, **fields) if fields else self.words[key]

    def say(self, key: str, **fields: str) -> str:
        """The phrase ``key`` as an SSML fragment, ready for ``Reply.speech``."""
        return to_ssml(self.word(key, **fields), self.locale)

    def intent_name(self) -> str | None:
        request = self.handler_input.request_envelope.request
        intent = getattr(request, "intent", None)
        name = getattr(intent, "name", None)
        return name if isinstance(name, str) else None


def turn(handler_input: HandlerInput) -> Turn:
    """This request's ``Turn``, built on first use and kept for the rest of the request."""
    request_attrs = handler_input.attributes_manager.request_attributes
    current = request_attrs.get(TURN)
    if not isinstance(current, Turn):
        current = Turn(handler_input)
        request_attrs[TURN] = current
    return current

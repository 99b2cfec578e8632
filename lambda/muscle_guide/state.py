"""Session attributes, read and written defensively.

Alexa echoes back whatever we stored, but a request may arrive with no session at all, or with
attributes of the wrong shape (an old build's, or a hostile client's). Every read here checks the
type and falls back to a safe default, so stale or odd state can never crash a handler.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput

TOPIC = "topic"
OFFER = "offer"
LAST = "last"
HISTORY = "history"
CANDIDATES = "candidates"
MAX_HISTORY = 10


def has_session(handler_input: HandlerInput) -> bool:
    return handler_input.request_envelope.session is not None


def attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes, or a throwaway dict when the request has no session."""
    if not has_session(handler_input):
        return {}
    attrs = handler_input.attributes_manager.session_attributes
    if not isinstance(attrs, dict):
        attrs = {}
        handler_input.attributes_manager.session_attributes = attrs
    return attrs


def get_str(handler_input: HandlerInput, key: str) -> str | None:
    value = attributes(handler_input).get(key)
    return value if isinstance(value, str) and value else None


def get_list(handler_input: HandlerInput, key: str) -> list[str]:
    value = attributes(handler_input).get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def get_dict(handler_input: HandlerInput, key: str) -> dict[str, Any]:
    value = attributes(handler_input).get(key)
    return value if isinstance(value, dict) else {}


def put(handler_input: HandlerInput, **values: Any) -> None:
    """Set (or, with None, remove) session attributes; a no-op without a session."""
    attrs = attributes(handler_input)
    for key, value in values.items():
        if value is None:
            attrs.pop(key, None)
        else:
            attrs[key] = value


def locale(handler_input: HandlerInput) -> str:
    value = getattr(handler_input.request_envelope.request, "locale", None)
    return value if isinstance(value, str) and value else "en-US"


def is_one_shot(handler_input: HandlerInput) -> bool:
    """True for "Alexa, ask muscle weakness guide ...": a new session opened by an intent."""
    session = handler_input.request_envelope.session
    request_type = handler_input.request_envelope.request.object_type
    return request_type == "IntentRequest" and (session is None or bool(session.new))

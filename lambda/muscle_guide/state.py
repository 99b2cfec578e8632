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
#: The kind of emergency answered in this session (its first-aid advice key), if any.
EMERGENCY = "emergency"
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
    request_type = getattr(handler_input.request_envelope.request, "object_type", None)
    return request_type == "IntentRequest" and (session is None or bool(session.new))


# --- per-user memory --------------------------------------------------------------------------
# The working copy of what we remember about the user lives in request attributes under MEMORY
# while a request is handled; interceptors load it (from the session, or the store at the start
# of a session) and write it back. Only these keys are ever stored.

MEMORY = "memory"
CHECK = "check"
#: The check question whose last answer was unsure (asked again once, then taken as yes).
CHECK_UNSURE = "check_unsure"
LENGTHS = ("brief", "full")
RATES = ("normal", "slow")


def clean_memory(raw: object) -> dict[str, Any]:
    """Keep only what we are allowed to remember, in the shapes we expect.

    >>> clean_memory({"last_topic": 3, "prefs": {"rate": "slow"}, "question": "secret"})
    {'disclaimer_heard': False, 'last_topic': None, 'prefs': {'length': 'brief', 'rate': 'slow'}}
    """
    raw = raw if isinstance(raw, dict) else {}
    prefs_raw = raw.get("prefs")
    prefs: dict[str, Any] = prefs_raw if isinstance(prefs_raw, dict) else {}
    last = raw.get("last_topic")
    return {
        "disclaimer_heard": raw.get("disclaimer_heard") is True,
        "last_topic": last if isinstance(last, str) and last else None,
        "prefs": {
            "length": prefs.get("length") if prefs.get("length") in LENGTHS else "brief",
            "rate": prefs.get("rate") if prefs.get("rate") in RATES else "normal",
        },
    }


def memory(handler_input: HandlerInput) -> dict[str, Any]:
    """This request's working copy of the user's memory (always well-formed)."""
    request_attrs = handler_input.attributes_manager.request_attributes
    current = request_attrs.get(MEMORY)
    if not isinstance(current, dict):
        current = clean_memory(attributes(handler_input).get(MEMORY))
        request_attrs[MEMORY] = current
    return current


def remember(handler_input: HandlerInput, **changes: Any) -> None:
    """Change the user's memory; the response interceptor saves it."""
    current = memory(handler_input)
    for key, value in changes.items():
        if key in ("length", "rate"):
            current["prefs"][key] = value
        else:
            current[key] = value


def preference(handler_input: HandlerInput, key: str) -> str:
    return str(memory(handler_input)["prefs"][key])

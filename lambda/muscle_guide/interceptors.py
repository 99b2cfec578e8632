"""Cross-cutting steps that run around every handler: memory, red-flag screening, logging.

Interceptors must never raise: an exception here would skip the handler, so each one catches its
own faults and degrades (no memory, no log line) rather than costing the person their answer.
"""

from __future__ import annotations

import time
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from . import state
from .knowledge import KNOWLEDGE
from .logs import get_logger
from .persistence import Memory
from .resolve import slot_text

log = get_logger(__name__)
RED_FLAG = "red_flag"
EMERGENCY_INTENT = "EmergencyIntent"
_LOADED = "memory_loaded"
_SPENT = "store_seconds"


class MemoryLoadInterceptor(AbstractRequestInterceptor):
    """At the start of a session, read the user's memory from the store into the session.

    An emergency answer does not wait for the store: when screening found a red flag, the load
    is skipped (and retried on the next turn). A load that fails or runs out of time leaves the
    memory marked as not loaded, so nothing is saved over what is stored.
    """

    def __init__(self, store: Memory) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput) -> None:
        try:
            attrs = state.attributes(handler_input)
            request_attrs = handler_input.attributes_manager.request_attributes
            if state.MEMORY in attrs and isinstance(attrs[state.MEMORY], dict):
                raw: dict[str, Any] | None = attrs[state.MEMORY]
            elif RED_FLAG in request_attrs:
                return  # the number comes first; memory can wait for the next turn
            else:
                started = time.monotonic()
                raw = self.store.load(handler_input.request_envelope)
                request_attrs[_SPENT] = time.monotonic() - started
                if raw is None:
                    return  # could not be read: answer with defaults, and save nothing
            loaded = state.clean_memory(raw)
            request_attrs[state.MEMORY] = loaded
            request_attrs[_LOADED] = {**loaded, "prefs": dict(loaded["prefs"])}  # a copy
        except Exception:
            log.exception("memory could not be loaded")


class MemorySaveInterceptor(AbstractResponseInterceptor):
    """After the answer, keep the memory in the session and save it if anything changed.

    Only memory that was read (from the store or the session) is kept or saved: a failed or
    skipped read never overwrites what is stored with defaults. The save gets what is left of
    the request's store budget.
    """

    def __init__(self, store: Memory) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        try:
            request_attrs = handler_input.attributes_manager.request_attributes
            before = request_attrs.get(_LOADED)
            if before is None:
                return
            current = state.memory(handler_input)  # kept well-formed by state.remember
            topic = KNOWLEDGE.get(state.get_str(handler_input, state.TOPIC))
            if topic is not None and topic.category != "safety":  # not offered back on launch
                current["last_topic"] = topic.id
            state.put(handler_input, memory=current)
            if current != before:
                spent = request_attrs.get(_SPENT, 0.0)
                budget = self.store.budget - (spent if isinstance(spent, float) else 0.0)
                self.store.save(handler_input.request_envelope, current, budget)
        except Exception:
            log.exception("memory could not be saved")


class RedFlagInterceptor(AbstractRequestInterceptor):
    """Screen what the person said for emergency warning signs before any handler runs."""

    def process(self, handler_input: HandlerInput) -> None:
        try:
            request = handler_input.request_envelope.request
            if not isinstance(request, IntentRequest) or request.intent is None:
                return
            from .safety import Finding, screen  # compiled on the first intent, not a launch

            found = screen(slot_text(request))
            if found is None and request.intent.name == EMERGENCY_INTENT:
                found = Finding("emergency_intent", "general")
            if found is not None:
                handler_input.attributes_manager.request_attributes[RED_FLAG] = found
        except Exception:
            log.exception("red-flag screening failed")

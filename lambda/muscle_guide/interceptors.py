"""Cross-cutting steps that run around every handler: memory, red-flag screening, logging.

Interceptors must never raise: an exception here would skip the handler, so each one catches its
own faults and degrades (no memory, no log line) rather than costing the person their answer.
"""

from __future__ import annotations

import time

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from .logs import get_logger
from .persistence import Memory
from .resolve import slot_text
from .session import UserMemory
from .turn import TURN, Turn, turn

log = get_logger(__name__)
RED_FLAG = "red_flag"
EMERGENCY_INTENT = "EmergencyIntent"
_SPENT = "store_seconds"


class MemoryLoadInterceptor(AbstractRequestInterceptor):
    """At the start of a session, read the user's memory from the store into the turn.

    Memory the session already carries is used as it is. An emergency answer does not wait for
    the store: when screening found a red flag, the load is skipped (and tried again on the next
    turn). A load that fails or runs out of time leaves the memory unread, so nothing is saved
    over what is stored.
    """

    def __init__(self, store: Memory) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput) -> None:
        try:
            current = turn(handler_input)
            request_attrs = handler_input.attributes_manager.request_attributes
            if current.memory_read is not None or RED_FLAG in request_attrs:
                return  # read earlier in the session; or the number comes first
            if not current.has_session or current.session.forgotten:
                return  # skill events need no memory; a forgotten user stays forgotten
            started = time.monotonic()
            raw = self.store.load(handler_input.request_envelope)
            request_attrs[_SPENT] = time.monotonic() - started
            if raw is None:
                return  # could not be read: answer with defaults, and save nothing
            current.memory = UserMemory.read(raw)
            current.memory_read = current.memory.copy()
        except Exception:
            log.exception("memory could not be loaded")


class MemorySaveInterceptor(AbstractResponseInterceptor):
    """After the answer, save the user's memory if this turn changed it.

    Only memory that was read (from the store or the session) is saved: a failed or skipped
    read never overwrites what is stored with defaults. The save gets what is left of the
    request's store budget.
    """

    def __init__(self, store: Memory) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        try:
            request_attrs = handler_input.attributes_manager.request_attributes
            current = request_attrs.get(TURN)
            if not isinstance(current, Turn) or current.memory_read is None:
                return
            if current.memory != current.memory_read:
                spent = request_attrs.get(_SPENT, 0.0)
                budget = self.store.budget - (spent if isinstance(spent, float) else 0.0)
                self.store.save(handler_input.request_envelope, current.memory.as_dict(), budget)
        except Exception:
            log.exception("memory could not be saved")


class RedFlagInterceptor(AbstractRequestInterceptor):
    """Screen what the person said for emergency warning signs before any handler runs."""

    def process(self, handler_input: HandlerInput) -> None:
        try:
            request = handler_input.request_envelope.request
            if not isinstance(request, IntentRequest) or request.intent is None:
                return
            from .replies import GENERAL_ADVICE
            from .safety import Finding, screen  # compiled on the first intent, not a launch

            found = screen(slot_text(request))
            if found is None and request.intent.name == EMERGENCY_INTENT:
                found = Finding("emergency_intent", GENERAL_ADVICE)
            if found is not None:
                handler_input.attributes_manager.request_attributes[RED_FLAG] = found
        except Exception:
            log.exception("red-flag screening failed")

"""Emergencies first: when screening saw a warning sign, nothing else is said before it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import state
from ..interceptors import RED_FLAG
from ..knowledge import KNOWLEDGE
from ..logs import count
from ..phrases import phrases
from ..replies import say, send, topic_reply


class EmergencyFirstHandler(AbstractRequestHandler):
    """Any request that named a red flag gets the emergency advice, with the local number."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return RED_FLAG in handler_input.attributes_manager.request_attributes

    def handle(self, handler_input: HandlerInput) -> Response:
        count(handler_input, "RedFlag")
        locale = state.locale(handler_input)
        sign = handler_input.attributes_manager.request_attributes[RED_FLAG]
        state.put(handler_input, check=None, candidates=None)
        lead = (
            [] if sign == "emergency_intent" else [say(phrases(locale)["emergency_lead"], locale)]
        )
        emergency = KNOWLEDGE.get("emergency")
        assert emergency is not None, "the knowledge base must have an emergency topic"
        return send(handler_input, topic_reply(handler_input, emergency, detail="brief", lead=lead))

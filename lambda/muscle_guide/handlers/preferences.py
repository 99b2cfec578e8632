"""Listener preferences: shorter or longer answers, slower or normal speech. They are remembered."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name
from ask_sdk_model import IntentRequest, Response

from .. import state
from ..phrases import phrases
from ..replies import Reply, say, send
from ..resolve import resolved_id

#: intent -> (slot, preference key, {value id: phrase key}, phrase asking which one)
_SETTINGS = {
    "AnswerLengthIntent": (
        "length",
        "length",
        {"brief": "shorter", "full": "longer"},
        "which_length",
    ),
    "SpeechRateIntent": ("rate", "rate", {"slow": "slower", "normal": "normal_rate"}, "which_rate"),
}


class PreferenceHandler(AbstractRequestHandler):
    """ "Give me shorter answers", "speak slower": change a preference and confirm it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in _SETTINGS)

    def handle(self, handler_input: HandlerInput) -> Response:
        locale = state.locale(handler_input)
        words = phrases(locale)
        slot_name, key, confirmations, which = _SETTINGS[str(get_intent_name(handler_input))]
        request = handler_input.request_envelope.request
        intent = request.intent if isinstance(request, IntentRequest) else None
        slots = (intent.slots if intent is not None else None) or {}
        value = resolved_id(slots.get(slot_name))
        question = say(words["anything_else"], locale)
        if value not in confirmations:
            ask = say(words[which], locale)
            return send(handler_input, Reply(speech=[ask], reprompt=ask))
        state.remember(handler_input, **{key: value})
        reply = Reply(
            speech=[say(words[confirmations[value]], locale), question], reprompt=question
        )
        return send(handler_input, reply)

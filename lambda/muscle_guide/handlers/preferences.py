"""Listener preferences: shorter or longer answers, slower or normal speech. They are remembered."""

from __future__ import annotations

from ask_sdk_model import IntentRequest

from ..replies import Reply
from ..resolve import resolved_id
from ..turn import Turn
from .base import TurnHandler

#: intent -> (slot, preference, {value id: phrase key}, phrase asking which one)
_SETTINGS = {
    "AnswerLengthIntent": (
        "length",
        "length",
        {"brief": "shorter", "full": "longer"},
        "which_length",
    ),
    "SpeechRateIntent": ("rate", "rate", {"slow": "slower", "normal": "normal_rate"}, "which_rate"),
}


class PreferenceHandler(TurnHandler):
    """ "Give me shorter answers", "speak slower": change a preference and confirm it."""

    intents = frozenset(_SETTINGS)

    def reply(self, turn: Turn) -> Reply:
        slot_name, key, confirmations, which = _SETTINGS[str(turn.intent_name())]
        request = turn.handler_input.request_envelope.request
        intent = request.intent if isinstance(request, IntentRequest) else None
        slots = (intent.slots if intent is not None else None) or {}
        value = resolved_id(slots.get(slot_name))
        if value is None or value not in confirmations:
            ask = turn.say(which)
            return Reply(speech=[ask], reprompt=ask)
        setattr(turn.memory, key, value)  # one of UserMemory's checked fields
        question = turn.say("anything_else")
        return Reply(speech=[turn.say(confirmations[value]), question], reprompt=question)

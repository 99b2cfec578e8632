"""Emergencies first: the number before anything else, and the session stays on safety after it.

When screening heard a present warning sign, the first sentence is the instruction with the local
number, then at most two short first-aid steps for that kind of emergency, then the disclaimer.
For the rest of the session, what a frightened person is likely to say next ("what number do I
call", "what do I do", "okay", "yes", "help", words we cannot place) gets the same instruction
again, never a topic menu or "I didn't catch that"; "stop" ends with the number once more.
"""

from __future__ import annotations

import re

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from .. import state
from ..interceptors import RED_FLAG
from ..logs import count
from ..replies import emergency_reply, send
from ..resolve import is_topic_request, resolve, slot_text

#: After an emergency answer these intents mean "and now what?", so they hear it again.
_FOLLOW_UP_INTENTS = {
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.HelpIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.MoreIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.PreviousIntent",
    "SymptomCheckIntent",
}
#: Free words that ask for the emergency steps again rather than for a topic (compiled by the
#: ``re`` module's cache on first use: a launch never needs it).
_FOLLOW_UP_WORDS = (
    r"\b(what|which) (number|num|no)\b|\bwho (do|should|shall) (i|we) (call|ring|phone)\b"
    r"|\bwhat (do|should|shall|can) (i|we) do\b|\bwhat (now|next|to do)\b|\bnow what\b"
    r"|\b(ok|okay|alright|all right|right|fine|got it|understood|yes|yeah|yep|no|help)\b"
    r"|\bambulance\b|\bemergency\b|\bhow do i (call|ring|phone)\b|\bnumber\b|\bcall\b"
)


def is_follow_up(handler_input: HandlerInput) -> bool:
    """True when, after an emergency answer, this turn should hear the emergency steps again."""
    if not is_request_type("IntentRequest")(handler_input):
        return False
    intent = str(get_intent_name(handler_input))
    if intent in _FOLLOW_UP_INTENTS:
        return True
    if not is_topic_request(intent):
        return False
    text = slot_text(handler_input.request_envelope.request).lower()  # type: ignore[arg-type]
    if re.search(_FOLLOW_UP_WORDS, text):
        return True
    return resolve(handler_input).kind != "answer"  # a clear new question is answered


class EmergencyFirstHandler(AbstractRequestHandler):
    """A present red flag, or a follow-up after one, gets the number and the steps first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if RED_FLAG in handler_input.attributes_manager.request_attributes:
            return True
        return state.get_str(handler_input, state.EMERGENCY) is not None and is_follow_up(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        found = handler_input.attributes_manager.request_attributes.get(RED_FLAG)
        count(handler_input, "RedFlag" if found is not None else "EmergencyFollowUp")
        advice = getattr(found, "advice", None) or state.get_str(handler_input, state.EMERGENCY)
        state.put(handler_input, check=None, candidates=None, offer=None)
        return send(handler_input, emergency_reply(handler_input, advice or "general"))

"""Emergencies first: the number before anything else, and the session stays on safety after it.

When screening heard a present warning sign, the first sentence is the instruction with the local
number, then at most two short first-aid steps for that kind of emergency, then the disclaimer.
For the rest of the session, what a frightened person is likely to say next ("what number do I
call", "what do I do", "okay", "yes", "help", words we cannot place) gets the same instruction
again, never a topic menu or "I didn't catch that"; "stop" ends with the number once more.
"""

from __future__ import annotations

import re

from ask_sdk_model import IntentRequest

from ..dialogue import is_closing
from ..interceptors import RED_FLAG
from ..logs import count
from ..replies import GENERAL_ADVICE, Reply, emergency_reply
from ..resolve import is_topic_request, resolve, slot_text
from ..turn import Turn
from .base import TurnHandler

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


def is_follow_up(turn: Turn) -> bool:
    """True when, after an emergency answer, this turn should hear the emergency steps again."""
    request = turn.handler_input.request_envelope.request
    if not isinstance(request, IntentRequest):
        return False
    intent = str(turn.intent_name())
    if intent in _FOLLOW_UP_INTENTS:
        return True
    if not is_topic_request(intent):
        return False
    text = slot_text(request)
    if is_closing(text):
        return False  # "okay, thanks": the goodbye, which repeats the number once more
    if re.search(_FOLLOW_UP_WORDS, text.lower()):
        return True
    return resolve(turn.handler_input).kind != "answer"  # a clear new question is answered


def red_flag_advice(turn: Turn) -> str | None:
    """The first-aid advice this turn calls for: a red flag heard now, or this session's."""
    found = turn.handler_input.attributes_manager.request_attributes.get(RED_FLAG)
    return getattr(found, "advice", None) or turn.session.emergency


class EmergencyFirstHandler(TurnHandler):
    """A present red flag, or a follow-up after one, gets the number and the steps first."""

    def accepts(self, turn: Turn) -> bool:
        if RED_FLAG in turn.handler_input.attributes_manager.request_attributes:
            return True
        return turn.session.emergency is not None and is_follow_up(turn)

    def reply(self, turn: Turn) -> Reply:
        heard = RED_FLAG in turn.handler_input.attributes_manager.request_attributes
        count(turn.handler_input, "RedFlag" if heard else "EmergencyFollowUp")
        turn.session.check = turn.session.check_unsure = None
        return emergency_reply(turn, red_flag_advice(turn) or GENERAL_ADVICE)

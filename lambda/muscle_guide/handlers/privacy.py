"""Forgetting a user: "forget me" (after a yes), and the skill being disabled.

Deleting happens in the handler, within the store's time budget, so what the person hears is
true: "done" only when the record is gone, an apology when the store could not be reached.
Afterwards nothing is kept in the session or stored again for the rest of that session.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..logs import get_logger
from ..persistence import Memory
from ..replies import Reply
from ..session import FORGET, UserMemory
from ..turn import Turn
from .base import TurnHandler

log = get_logger(__name__)
SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"


class ForgetMeHandler(TurnHandler):
    """ "Forget me", "delete my data": say what would go, and ask before deleting it."""

    intents = frozenset({"ForgetMeIntent"})

    def reply(self, turn: Turn) -> Reply:
        return Reply(
            speech=[turn.say("forget_ask")], reprompt=turn.say("forget_reprompt"), pending=FORGET
        )


class ForgetAnswerHandler(TurnHandler):
    """Yes or no to "shall I delete it?"; anything else drops the question (see Reply.pending)."""

    intents = frozenset({"AMAZON.YesIntent", "AMAZON.NoIntent"})

    def __init__(self, store: Memory) -> None:
        self.store = store

    def accepts(self, turn: Turn) -> bool:
        return turn.session.pending == FORGET and super().accepts(turn)

    def reply(self, turn: Turn) -> Reply:
        question = turn.say("anything_else")
        if turn.intent_name() == "AMAZON.NoIntent":
            return Reply(speech=[turn.say("forget_kept"), question], reprompt=question)
        if not self.store.delete(turn.handler_input.request_envelope):
            return Reply(speech=[turn.say("forget_failed"), question], reprompt=question)
        turn.memory, turn.memory_read = UserMemory(), None  # nothing saved over the deletion
        turn.session.memory, turn.session.forgotten = None, True
        return Reply(speech=[turn.say("forget_done"), question], reprompt=question)


class SkillDisabledHandler(AbstractRequestHandler):
    """The person disabled the skill: delete their record. Nothing can be said to them."""

    def __init__(self, store: Memory) -> None:
        self.store = store

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return getattr(request, "object_type", None) == SKILL_DISABLED

    def handle(self, handler_input: HandlerInput) -> Response:
        deleted = self.store.delete(handler_input.request_envelope)
        log.info("skill disabled", memory_deleted=deleted)
        return handler_input.response_builder.response

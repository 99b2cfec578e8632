"""The shape every handler shares: it looks at a ``Turn`` and returns a ``Reply``.

The ASK SDK hands handlers a ``HandlerInput``; this base class turns it into the request's
``Turn`` once and sends the reply, so a handler is two small functions of the turn and no handler
builds a response or writes session state itself.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..replies import Reply, send
from ..turn import Turn, turn


class TurnHandler(AbstractRequestHandler):
    """A request handler written against the turn: ``accepts`` and ``reply``."""

    #: Intent names this handler takes (the common case); override ``accepts`` for others.
    intents: frozenset[str] = frozenset()

    def accepts(self, turn: Turn) -> bool:
        return turn.request_type == "IntentRequest" and turn.intent_name() in self.intents

    def reply(self, turn: Turn) -> Reply:
        raise NotImplementedError

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.accepts(turn(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        current = turn(handler_input)
        return send(current, self.reply(current))

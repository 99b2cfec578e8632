"""The last line of defence: any exception still gets one spoken sentence and an open session."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import state
from ..logs import get_logger, log_request
from ..phrases import phrases
from ..speech import error_speech, to_ssml

log = get_logger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Apologise in one sentence, keep the session open with a reprompt, log the error."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled exception", exc=exception)
        log_request(handler_input, outcome="error")
        locale = state.locale(handler_input)
        words = phrases(locale)
        builder = handler_input.response_builder
        builder.speak(error_speech(locale))
        if state.has_session(handler_input):
            builder.ask(to_ssml(words["error_reprompt"], locale))
        else:
            builder.set_should_end_session(True)
        return builder.response

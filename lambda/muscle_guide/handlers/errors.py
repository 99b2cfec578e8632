"""The last line of defence: any exception still gets one spoken sentence and an open session."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import state
from ..interceptors import RED_FLAG
from ..logs import get_logger, log_request
from ..phrases import phrases
from ..replies import emergency_reply, send
from ..speech import error_speech, to_ssml

log = get_logger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Apologise in one sentence, keep the session open with a reprompt, log the error."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled exception", exc=exception)
        log_request(handler_input, outcome="error")
        emergency = _emergency(handler_input)
        if emergency is not None:
            return emergency
        locale = state.locale(handler_input)
        words = phrases(locale)
        builder = handler_input.response_builder
        builder.speak(error_speech(locale))
        if state.has_session(handler_input):
            builder.ask(to_ssml(words["error_reprompt"], locale))
        else:
            builder.set_should_end_session(True)
        return builder.response


def _emergency(handler_input: HandlerInput) -> Response | None:
    """If this turn was an emergency, its answer still comes first, whatever failed."""
    try:
        found = handler_input.attributes_manager.request_attributes.get(RED_FLAG)
        advice = getattr(found, "advice", None) or state.get_str(handler_input, state.EMERGENCY)
        if advice is None:
            return None
        return send(handler_input, emergency_reply(handler_input, advice))
    except Exception:  # the plain apology below still carries the safety line
        return None

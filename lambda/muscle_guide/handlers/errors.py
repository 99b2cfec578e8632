"""The last line of defence: any exception still gets one spoken sentence and an open session."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..locales import DEFAULT_LOCALE
from ..logs import get_logger, log_request
from ..phrases import phrases
from ..replies import emergency_reply, send
from ..speech import error_speech, to_ssml
from ..turn import turn
from .safety import red_flag_advice

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
        # Built from the envelope alone: whatever failed may have been the turn itself.
        request = handler_input.request_envelope.request
        locale = getattr(request, "locale", None)
        locale = locale if isinstance(locale, str) and locale else DEFAULT_LOCALE
        builder = handler_input.response_builder
        builder.speak(error_speech(locale))
        if handler_input.request_envelope.session is not None:
            _keep_checked_session(handler_input)
            builder.ask(to_ssml(phrases(locale)["error_reprompt"], locale))
        else:
            builder.set_should_end_session(True)
        return builder.response


def _emergency(handler_input: HandlerInput) -> Response | None:
    """If this turn was an emergency, its answer still comes first, whatever failed."""
    try:
        current = turn(handler_input)
        advice = red_flag_advice(current)
        if advice is None:
            return None
        return send(current, emergency_reply(current, advice))
    except Exception:  # the plain apology below still carries the safety line
        return None


def _keep_checked_session(handler_input: HandlerInput) -> None:
    """Send back the checked session, never the attributes exactly as the client sent them."""
    try:
        checked = turn(handler_input).session.attributes()
    except Exception:  # the turn itself failed: keep nothing rather than something unchecked
        checked = {}
    handler_input.attributes_manager.session_attributes = checked

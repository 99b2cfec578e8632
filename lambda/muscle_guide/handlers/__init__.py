"""Request handlers, in the order the dispatcher tries them (most specific first)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from .answer import TopicAnswerHandler
from .core import (
    FallbackHandler,
    HelpIntentHandler,
    LaunchRequestHandler,
    OtherRequestHandler,
    SessionEndedRequestHandler,
    StartOverHandler,
    StopCancelHandler,
)
from .errors import CatchAllExceptionHandler
from .navigation import (
    MoreIntentHandler,
    NoIntentHandler,
    PreviousIntentHandler,
    RepeatIntentHandler,
    YesIntentHandler,
)


def request_handlers() -> list[AbstractRequestHandler]:
    """Every request handler; the fallback for unknown intents and other requests comes last."""
    return [
        LaunchRequestHandler(),
        StopCancelHandler(),
        HelpIntentHandler(),
        StartOverHandler(),
        TopicAnswerHandler(),
        YesIntentHandler(),
        NoIntentHandler(),
        MoreIntentHandler(),
        RepeatIntentHandler(),
        PreviousIntentHandler(),
        SessionEndedRequestHandler(),
        FallbackHandler(),
        OtherRequestHandler(),
    ]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [CatchAllExceptionHandler()]

"""Request handlers, in the order the dispatcher tries them (most specific first).

Emergencies come first, then the symptom check (which owns yes and no while it runs), then the
rest; the fallback for unknown intents and the silent handler for other requests come last.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from ..persistence import Memory
from .answer import TopicAnswerHandler
from .check import SymptomCheckStartHandler, SymptomCheckStepHandler
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
    ChooseIntentHandler,
    MoreIntentHandler,
    NoIntentHandler,
    PreviousIntentHandler,
    RepeatIntentHandler,
    ThanksIntentHandler,
    YesIntentHandler,
)
from .preferences import PreferenceHandler
from .privacy import ForgetAnswerHandler, ForgetMeHandler, SkillDisabledHandler
from .safety import EmergencyFirstHandler


def request_handlers(store: Memory) -> list[AbstractRequestHandler]:
    """Every request handler, in dispatch order; ``store`` is where the user's memory lives."""
    return [
        EmergencyFirstHandler(),
        LaunchRequestHandler(),
        SymptomCheckStepHandler(),
        ForgetAnswerHandler(store),
        StopCancelHandler(),
        HelpIntentHandler(),
        StartOverHandler(),
        SymptomCheckStartHandler(),
        ForgetMeHandler(),
        PreferenceHandler(),
        TopicAnswerHandler(),
        ThanksIntentHandler(),
        ChooseIntentHandler(),
        YesIntentHandler(),
        NoIntentHandler(),
        MoreIntentHandler(),
        RepeatIntentHandler(),
        PreviousIntentHandler(),
        SkillDisabledHandler(store),
        SessionEndedRequestHandler(),
        FallbackHandler(),
        OtherRequestHandler(),
    ]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [CatchAllExceptionHandler()]

"""The baseline: a bare ASK SDK hello-world skill, launch and one intent, nothing else.

Every figure in ``make bench`` is a ratio against this skill measured in the same run, so what
is reported is the cost Muscle Weakness Guide adds over the ASK SDK itself.
"""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_slot_value, is_request_type
from ask_sdk_model import Response


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "Welcome to the hello world skill. Say hello."
        return handler_input.response_builder.speak(speech).ask(speech).response


class HelloIntentHandler(AbstractRequestHandler):
    """Answers any intent, reading the same slot our skill would read, with a fixed sentence."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        for name in ("question", "topic"):
            if handler_input.request_envelope.request.intent.slots and name in (
                handler_input.request_envelope.request.intent.slots
            ):
                get_slot_value(handler_input, name)
        return handler_input.response_builder.speak("Hello world.").response


builder = SkillBuilder()
builder.add_request_handler(LaunchHandler())
builder.add_request_handler(HelloIntentHandler())
skill = builder.create()
lambda_handler = builder.lambda_handler()

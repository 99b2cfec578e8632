"""Structured logs: one JSON line per request, and nothing a person said.

A line carries the request type, intent, topic, locale, latency and a salted hash of the user id,
enough to follow a conversation and to spot errors. The free text of questions, slot values and
raw user ids are never logged at the default level.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

_STARTED = "started_at"
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
log = logging.getLogger("muscle_guide.requests")


class JsonFormatter(logging.Formatter):
    """Log records as single-line JSON, with any ``extra=`` fields as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "INFO") -> None:
    """Send the skill's logs to stderr as JSON (Lambda forwards stderr to CloudWatch)."""
    root = logging.getLogger("muscle_guide")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    root.propagate = False


def user_hash(handler_input: HandlerInput) -> str | None:
    """A short, stable hash of the user id: enough to group a user's requests, not to find them."""
    try:
        user_id = handler_input.request_envelope.context.system.user.user_id
    except AttributeError:
        return None
    if not isinstance(user_id, str):
        return None
    return hashlib.sha256(f"muscle-guide:{user_id}".encode()).hexdigest()[:16]


def request_fields(handler_input: HandlerInput) -> dict[str, Any]:
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    topic = None
    if handler_input.request_envelope.session is not None:
        attributes = handler_input.attributes_manager.session_attributes
        topic = attributes.get("topic") if isinstance(attributes, dict) else None
    return {
        "request_type": getattr(request, "object_type", None),
        "intent": getattr(intent, "name", None),
        "topic": topic if isinstance(topic, str) else None,
        "locale": getattr(request, "locale", None),
        "user": user_hash(handler_input),
    }


def log_request(handler_input: HandlerInput, outcome: str = "ok") -> None:
    """Write the one line for this request (called on success and from the error handler)."""
    try:
        started = handler_input.attributes_manager.request_attributes.get(_STARTED)
        fields = request_fields(handler_input)
        if isinstance(started, float):
            fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        fields["outcome"] = outcome
        log.info("request", extra=fields)
    except Exception:  # logging must never cost an answer
        pass


class RequestTimer(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_STARTED] = time.perf_counter()


class RequestLogger(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        log_request(handler_input)

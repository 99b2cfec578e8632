"""Structured logs: one JSON line per request, and nothing a person said.

A line carries the request type, intent, topic, locale, latency and a keyed hash of the user id,
enough to follow a conversation and to spot errors. The free text of questions, slot values and
raw user ids are never logged at the default level.

Counts of what the skill could not answer (fallbacks, "which topic did you mean" menus,
off-topic refusals) and of red flags are written as CloudWatch Embedded Metric Format lines:
a handler calls ``count(handler_input, "Fallback")``, and the response logger writes one EMF
line for the request, holding names and counts only, never words. CloudWatch turns each into
a metric in the ``MuscleWeaknessGuide`` namespace, per locale.

Lines are written straight to stderr (Lambda forwards it to CloudWatch) by a logger of a few
lines, not the standard ``logging`` package: importing ``logging`` and what it pulls in costs
about two milliseconds of every cold start, and the skill needs only levelled JSON lines.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

try:  # the builtin module: hashlib would pull in OpenSSL bindings on the cold start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_threshold = LEVELS["INFO"]
_STARTED = "started_at"
_COUNTS = "metric_counts"

#: The CloudWatch namespace of the skill's own metrics.
NAMESPACE = "MuscleWeaknessGuide"
#: Every metric the skill counts. A name not listed here is refused, so a typo at a call site
#: fails the tests instead of quietly creating a new metric.
METRICS = frozenset(
    {"Fallback", "UnsureMenu", "OffTopic", "EmptyQuestion", "RedFlag", "EmergencyFollowUp"}
)


#: The key of the user-id hash in the logs: a per-deployment secret (``LOG_HASH_KEY``), so a
#: logged hash cannot be matched to a user id by anyone without it. Without one, each process
#: draws its own at random (lines still group by user within an instance).
_hash_key: bytes | None = None


def configure(level: str = "INFO", hash_key: bytes | None = None) -> None:
    """Set the lowest level written (``LOG_LEVEL``; unknown names mean INFO) and the hash key."""
    global _threshold, _hash_key
    _threshold = LEVELS.get(level.upper(), LEVELS["INFO"])
    _hash_key = hash_key[:64] if hash_key else None


def _key() -> bytes:
    global _hash_key
    if _hash_key is None:
        import os

        _hash_key = os.urandom(32)
    return _hash_key


class Logger:
    """Writes one JSON object per line to stderr, with any keyword arguments as fields.

    >>> Logger("demo").enabled("DEBUG")
    False
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def enabled(self, level: str) -> bool:
        return LEVELS[level] >= _threshold

    def write(
        self, level: str, message: str, exc: BaseException | None = None, **fields: Any
    ) -> None:
        if not self.enabled(level):
            return
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
            "level": level,
            "logger": self.name,
            "message": message,
            **fields,
        }
        if exc is not None:
            import traceback  # only when there is something to report

            entry["exception"] = "".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__)
            )
        for listener in _listeners:
            listener(entry)
        with contextlib.suppress(OSError, ValueError):  # a closed stderr must never cost an answer
            sys.stderr.write(json.dumps(entry, default=str) + "\n")

    def debug(self, message: str, **fields: Any) -> None:
        self.write("DEBUG", message, **fields)

    def info(self, message: str, **fields: Any) -> None:
        self.write("INFO", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.write("WARNING", message, **fields)

    def error(self, message: str, exc: BaseException | None = None, **fields: Any) -> None:
        self.write("ERROR", message, exc=exc, **fields)

    def exception(self, message: str, **fields: Any) -> None:
        """An error with the exception being handled right now."""
        self.write("ERROR", message, exc=sys.exc_info()[1], **fields)


def get_logger(name: str) -> Logger:
    return Logger(name)


#: Callbacks that see every entry written (``capture``); empty in production.
_listeners: list[Callable[[dict[str, Any]], None]] = []


@contextlib.contextmanager
def capture() -> Iterator[list[dict[str, Any]]]:
    """Collect every log entry written inside the block, for tests.

    The skill's logger writes straight to stderr rather than through ``logging``, so a test that
    listens to ``logging`` hears nothing; this hook is the one place that sees every line.

    >>> with capture() as entries:
    ...     get_logger("demo").warning("store slow", seconds=2)
    >>> entries[0]["message"], entries[0]["seconds"]
    ('store slow', 2)
    """
    entries: list[dict[str, Any]] = []
    _listeners.append(entries.append)
    try:
        yield entries
    finally:
        _listeners.remove(entries.append)


log = get_logger("muscle_guide.requests")


def user_hash(handler_input: HandlerInput) -> str | None:
    """A short keyed hash of the user id: enough to group a user's requests, not to find them."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    if not isinstance(user_id, str):
        return None
    return blake2b(user_id.encode(), digest_size=8, key=_key()).hexdigest()


def request_fields(handler_input: HandlerInput) -> dict[str, Any]:
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    # The topic as the turn's session holds it: checked against the knowledge base, never the
    # string a client sent (``turn`` is not imported: it would load the phrases for every log).
    current = handler_input.attributes_manager.request_attributes.get("turn")
    topic = getattr(getattr(current, "session", None), "topic", None)
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
        log.info("request", **fields)
    except Exception:  # logging must never cost an answer
        pass


def count(handler_input: HandlerInput, name: str, value: int = 1) -> None:
    """Add to one of this request's counts (``METRICS``); the response logger writes them.

    >>> from types import SimpleNamespace
    >>> turn = SimpleNamespace(attributes_manager=SimpleNamespace(request_attributes={}))
    >>> count(turn, "Fallback"); count(turn, "Fallback")
    >>> turn.attributes_manager.request_attributes[_COUNTS]
    {'Fallback': 2}
    """
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}: add it to logs.METRICS")
    try:
        attributes: dict[str, Any] = handler_input.attributes_manager.request_attributes
        counts: dict[str, int] = attributes.setdefault(_COUNTS, {})
        counts[name] = counts.get(name, 0) + value
    except Exception:  # counting must never cost an answer
        pass


def metric_line(counts: dict[str, int], locale: str | None, timestamp_ms: int) -> dict[str, Any]:
    """One CloudWatch Embedded Metric Format object for one request's counts.

    Two dimension sets: per locale, and all locales together. Only names and numbers go in.

    >>> line = metric_line({"Fallback": 1}, "en-GB", 0)
    >>> line["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    [['Locale'], []]
    >>> line["Fallback"], line["Locale"]
    (1, 'en-GB')
    """
    names = sorted(name for name in counts if name in METRICS)
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["Locale"], []],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in names],
                }
            ],
        },
        "Locale": locale if isinstance(locale, str) else "unknown",
        **{name: int(counts[name]) for name in names},
    }


def log_metrics(handler_input: HandlerInput) -> None:
    """Write this request's EMF line, when anything was counted (once per request).

    The line is an INFO line: ``LOG_LEVEL=WARNING`` (the offline chat) leaves it out.
    """
    try:
        attributes: dict[str, Any] = handler_input.attributes_manager.request_attributes
        counts: dict[str, int] | None = attributes.pop(_COUNTS, None)
        if not counts or not log.enabled("INFO"):
            return
        locale = getattr(handler_input.request_envelope.request, "locale", None)
        line = metric_line(counts, locale, int(time.time() * 1000))
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(json.dumps(line) + "\n")
    except Exception:  # metrics must never cost an answer
        pass


class RequestTimer(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_STARTED] = time.perf_counter()


class RequestLogger(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        log_request(handler_input)
        log_metrics(handler_input)

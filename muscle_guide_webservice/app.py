"""The skill as an HTTPS web service: the same skill, behind flask-ask-sdk's ``SkillAdapter``.

Alexa can call a skill at an HTTPS endpoint instead of Lambda, and that endpoint is open to the
whole internet, so this module adds what Lambda gives for free:

* Amazon's request checks (``verification``): signature and timestamp on by default, and, when
  ``SKILL_ID`` is set, the skill ID; each failure is a ``400``, as Amazon asks.
* A wall against malformed HTTP before the skill runs: wrong method, oversized body, a body
  not received within 5 s (``body``), bytes that are not UTF-8 JSON, JSON nested deeper than
  ``MAX_JSON_DEPTH``, JSON that is not an Alexa envelope. Each gets a 4xx with a JSON reason
  and one log line; a 500 means a bug on our side, never bad input.
* Rules for starting at all (``serving_problem``): verification on needs ``SKILL_ID``, and
  verification off is for loopback only.

The adapter is given our verifiers and told not to add its own (``ASK_SDK_VERIFY_*`` off): the
pinned ask-sdk-webservice-support's defaults are older and weaker, and 1.3's cannot be imported
here at all (README, "Web service"). ``create_app`` is the WSGI factory for any server
(``gunicorn 'muscle_guide_webservice.app:create_app()'``); ``run`` is what
``muscle-guide serve`` uses.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from contextvars import ContextVar
from typing import Any

from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier, VerificationException
from flask import Flask, Response, request
from flask_ask_sdk.skill_adapter import (
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from werkzeug.exceptions import BadRequest, HTTPException

from muscle_guide.config import Settings
from muscle_guide.logs import configure, get_logger
from muscle_guide.skill import Serializer, build_skill

from .body import BODY_DEADLINE_SECONDS, BodyDeadline
from .verification import (
    SignatureHeadersVerifier,
    SignatureVerifier,
    SkillIdVerifier,
    TimestampVerifier,
)

log = get_logger(__name__)

#: Alexa's requests are a few kilobytes; this leaves room for large screen events and no more.
MAX_BODY_BYTES = 128 * 1024
#: Alexa's envelopes nest about ten levels (slot resolutions, APL contexts); far deeper JSON is
#: not Alexa's and would only exercise recursion in the SDK's deserializer.
MAX_JSON_DEPTH = 64
#: Threads per gunicorn worker: a client that trickles its body holds one for at most
#: BODY_DEADLINE_SECONDS, so this many slow clients per worker are needed to delay anyone.
THREADS_PER_WORKER = 64
SKILL_ROUTE = "/"
HEALTH_ROUTE = "/healthz"
#: The key the adapter is stored under in ``app.extensions`` when no SKILL_ID is configured.
LOCAL_SKILL_KEY = "muscle-guide"
NO_VERIFY_WARNING = (
    "WARNING: request verification is OFF. Anyone who can reach this server can make the skill "
    "answer. Use --no-verify only on your own machine, for local testing; never expose it."
)
NO_SKILL_ID = (
    "request verification is on but no skill ID is set: set the SKILL_ID environment variable "
    "to your skill's ID (amzn1.ask.skill....), so requests for other skills are refused"
)
LOOPBACK_NAMES = frozenset({"localhost"})

#: A request already parsed by the envelope checks: (body text, envelope). The adapter's own
#: deserialize of the same body takes it instead of parsing the body a second time.
_PREPARED: ContextVar[tuple[str, RequestEnvelope] | None] = ContextVar("prepared", default=None)


class WebSerializer(Serializer):
    """The skill's serializer, plus a hand-off from the envelope checks to the adapter."""

    def prepare(self, text: str, event: dict[str, Any]) -> RequestEnvelope:
        """Build the envelope for ``text`` now and hand it to the next ``deserialize`` of it."""
        envelope = self.from_event(event)
        _PREPARED.set((text, envelope))
        return envelope

    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        prepared = _PREPARED.get()
        if prepared is not None:
            _PREPARED.set(None)
            if obj_type is RequestEnvelope and payload == prepared[0]:
                return prepared[1]
        return super().deserialize(payload, obj_type)


_SERIALIZER = WebSerializer()


def envelope_problem(body: bytes) -> str | None:
    """Why ``body`` is not an Alexa request envelope the skill can be given, or None if it is.

    >>> envelope_problem(b"not json")
    'body is not JSON'
    >>> envelope_problem(b'{"version": "1.0"}')
    'body is not an Alexa request envelope'
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    try:
        event = json.loads(text)
    except (ValueError, RecursionError):
        return "body is not JSON"
    if not isinstance(event, dict):
        return "body is not a JSON object"
    # Nesting needs brackets: a body with fewer than the limit (every real envelope) is
    # spared the walk.
    brackets = body.count(b"{") + body.count(b"[")
    if brackets > MAX_JSON_DEPTH and json_depth(event) > MAX_JSON_DEPTH:
        return f"body is nested deeper than {MAX_JSON_DEPTH} levels"
    inner = event.get("request")
    if not isinstance(event.get("version"), str) or not isinstance(inner, dict):
        return "body is not an Alexa request envelope"
    if not all(isinstance(inner.get(key), str) for key in ("type", "requestId", "timestamp")):
        return "request needs a type, a requestId and a timestamp"
    for part in ("session", "context"):
        if part in event and not isinstance(event[part], dict):
            return f"{part} is not an object"
    try:
        # Parsed once here; the adapter's own deserialize of this body then reuses it.
        envelope = _SERIALIZER.prepare(text, event)
    except Exception:
        return "body is not an Alexa request envelope"
    if getattr(envelope, "request", None) is None:
        return "body is not an Alexa request envelope"
    return None


def json_depth(value: object) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion.

    >>> json_depth({"a": [1, {"b": []}]})
    4
    >>> json_depth("flat")
    0
    """
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1) or ``localhost``.

    >>> [is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost")]
    [True, True, True, True, True]
    >>> [is_loopback(h) for h in ("0.0.0.0", "::", "", "192.168.1.2", "example.com")]
    [False, False, False, False, False]
    """
    name = host.strip().lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def serving_problem(verify: bool, skill_id: str | None, host: str | None = None) -> str | None:
    """Why the web service must not start like this, or None if it may.

    Verification on needs ``SKILL_ID`` (a signed request for someone else's skill is still
    signed by Alexa); verification off is allowed only on a loopback ``host``.

    >>> serving_problem(True, "amzn1.ask.skill.x", "0.0.0.0") is None
    True
    >>> print(serving_problem(False, None, "0.0.0.0"))
    --no-verify is for local testing only: listen on a loopback address (127.0.0.1, ::1 or \
localhost), not '0.0.0.0'
    """
    if verify and not skill_id:
        return NO_SKILL_ID
    if not verify and host is not None and not is_loopback(host):
        return (
            "--no-verify is for local testing only: listen on a loopback address "
            f"(127.0.0.1, ::1 or localhost), not {host!r}"
        )
    return None


class ServeConfigError(ValueError):
    """A configuration the web service refuses to start with (``serving_problem``)."""


class _OneLineRejections(logging.Filter):
    """flask-ask-sdk logs a failed verification as an ERROR with a traceback; a rejected request
    is the caller's fault, so it becomes one WARNING line with the reason and no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, VerificationException):
            record.msg, record.args = (
                "request rejected: 400 failed verification: %s",
                (_one_line(str(error)),),
            )
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _one_line(text: str) -> str:
    return " ".join(text.split())


VERIFICATION_FAILED = "Incoming request failed verification"


def _json_error(error: HTTPException) -> Response:
    """Every HTTP error as a small JSON body (keeping headers such as ``Allow`` on a 405)."""
    if error.description != VERIFICATION_FAILED:  # that one is logged by the adapter, filtered
        log_rejection(error.code or 0, str(error.description))
    response = error.get_response()
    response.set_data(json.dumps({"error": error.name, "message": error.description}))
    response.content_type = "application/json"
    return response


def create_app(
    settings: Settings | None = None,
    *,
    verify: bool = True,
    signature_verifier: SignatureVerifier | None = None,
    body_deadline: float = BODY_DEADLINE_SECONDS,
) -> Flask:
    """The skill's Flask app: POST / for Alexa, GET /healthz for load balancers.

    ``verify=False`` drops the signature and timestamp checks (local testing only; it logs a
    warning). ``signature_verifier`` replaces the production verifier, for tests with their own
    trust root. The skill ID check follows ``settings.skill_id`` either way, and verification on
    requires one (``ServeConfigError`` otherwise). ``body_deadline`` is the total time a client
    has to send its body (408 after it).
    """
    settings = settings or Settings.from_env()
    # The service's own process: its log level and user-hash key come from the environment, as
    # lambda_function's do.
    configure(settings.log_level, settings.log_hash_key)
    problem = serving_problem(verify, settings.skill_id)
    if problem:
        raise ServeConfigError(problem)
    skill = build_skill(settings)
    skill.serializer = _SERIALIZER  # so the adapter picks up what the envelope checks parsed
    # Cheapest first: headers and the certificate URL's form, the timestamp, the skill ID, and
    # only then the signature, which may download a certificate chain.
    verifiers: list[AbstractVerifier] = []
    if verify:
        verifiers += [SignatureHeadersVerifier(), TimestampVerifier()]
    else:
        log.warning(NO_VERIFY_WARNING)
    if settings.skill_id:
        verifiers.append(SkillIdVerifier(settings.skill_id))
    if verify:
        verifiers.append(signature_verifier or SignatureVerifier())

    app = Flask(__name__)
    if not any(isinstance(f, _OneLineRejections) for f in app.logger.filters):
        app.logger.addFilter(_OneLineRejections())
    app.config.update(
        {
            VERIFY_SIGNATURE_APP_CONFIG: False,  # ours replace the package's defaults
            VERIFY_TIMESTAMP_APP_CONFIG: False,
            "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        }
    )
    adapter = SkillAdapter(
        skill=skill, skill_id=settings.skill_id or LOCAL_SKILL_KEY, verifiers=verifiers, app=app
    )

    def invoke_skill() -> Any:
        problem = envelope_problem(request.get_data(cache=True))
        if problem:
            raise BadRequest(problem)
        return adapter.dispatch_request()

    def health() -> Response:
        # Only "ok": nothing here tells a prober whether verification is on.
        return Response("ok", mimetype="text/plain")

    app.add_url_rule(SKILL_ROUTE, "skill", invoke_skill, methods=["POST"])
    app.add_url_rule(HEALTH_ROUTE, "health", health, methods=["GET"])
    app.register_error_handler(HTTPException, _json_error)
    app.extensions["muscle_guide.verifiers"] = tuple(verifiers)
    app.extensions["muscle_guide.verify"] = verify
    app.extensions["muscle_guide.skill_id"] = settings.skill_id
    app.wsgi_app = BodyDeadline(  # type: ignore[method-assign]
        app.wsgi_app,
        deadline=body_deadline,
        max_bytes=MAX_BODY_BYTES,
        on_reject=log_rejection,
    )
    return app


def log_rejection(status: int, reason: str) -> None:
    """One line per rejected request: its status and why, never a traceback or the body."""
    logging.getLogger(__name__).warning("request rejected: %s %s", status, _one_line(reason))


def run(app: Flask, host: str = "127.0.0.1", port: int = 5000, workers: int = 2) -> None:
    """Serve ``app`` with gunicorn (threaded workers) until interrupted.

    gunicorn is the production WSGI server the README documents; running it here too means
    ``muscle-guide serve`` behaves like a deployment, not like Flask's development server.
    Each worker has ``THREADS_PER_WORKER`` threads (docs/decisions.md, "slow clients"). An app
    without verification is refused on any host that is not loopback (``ServeConfigError``).
    """
    from gunicorn.app.base import BaseApplication

    from .worker import WORKER_CLASS

    problem = serving_problem(
        app.extensions["muscle_guide.verify"], app.extensions["muscle_guide.skill_id"], host
    )
    if problem:
        raise ServeConfigError(problem)

    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": [bind],
                "workers": workers,
                "worker_class": WORKER_CLASS,  # gthread with a header deadline
                "threads": THREADS_PER_WORKER,
                "timeout": 30,
                "graceful_timeout": 5,
                "proc_name": "muscle-guide",
                # gunicorn's runtime control socket has one default path per user; several
                # servers (tests, a load run) would fight over it, and nothing here uses it.
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    Server().run()

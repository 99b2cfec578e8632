"""The skill as an HTTPS web service: the same skill, behind flask-ask-sdk's ``SkillAdapter``.

Alexa can call a skill at an HTTPS endpoint instead of Lambda, and that endpoint is open to the
whole internet, so this module adds what Lambda gives for free:

* Amazon's request checks (``verification``): signature and timestamp on by default, and, when
  ``SKILL_ID`` is set, the skill ID; each failure is a ``400``, as Amazon asks.
* A wall against malformed HTTP before the skill runs: wrong method, oversized body, bytes that
  are not UTF-8 JSON, JSON that is not an Alexa envelope. Each gets a 4xx with a JSON reason;
  a 500 means a bug on our side, never bad input.

The adapter is given our verifiers and told not to add its own (``ASK_SDK_VERIFY_*`` off): the
pinned ask-sdk-webservice-support's defaults are older and weaker, and 1.3's cannot be imported
here at all (README, "Web service"). ``create_app`` is the WSGI factory for any server
(``gunicorn 'muscle_guide_webservice.app:create_app()'``); ``run`` is what
``muscle-guide serve`` uses.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier
from flask import Flask, Response, jsonify, request
from flask_ask_sdk.skill_adapter import (
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from werkzeug.exceptions import BadRequest, HTTPException

from muscle_guide.config import Settings
from muscle_guide.logs import get_logger
from muscle_guide.skill import Serializer, build_skill

from .verification import SignatureVerifier, SkillIdVerifier, TimestampVerifier

log = get_logger(__name__)

#: Alexa's requests are a few kilobytes; this leaves room for large screen events and no more.
MAX_BODY_BYTES = 128 * 1024
SKILL_ROUTE = "/"
HEALTH_ROUTE = "/healthz"
#: The key the adapter is stored under in ``app.extensions`` when no SKILL_ID is configured.
LOCAL_SKILL_KEY = "muscle-guide"
NO_VERIFY_WARNING = (
    "WARNING: request verification is OFF. Anyone who can reach this server can make the skill "
    "answer. Use --no-verify only on your own machine, for local testing; never expose it."
)

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


def _json_error(error: HTTPException) -> Response:
    """Every HTTP error as a small JSON body (keeping headers such as ``Allow`` on a 405)."""
    response = error.get_response()
    response.set_data(json.dumps({"error": error.name, "message": error.description}))
    response.content_type = "application/json"
    return response


def create_app(
    settings: Settings | None = None,
    *,
    verify: bool = True,
    signature_verifier: SignatureVerifier | None = None,
) -> Flask:
    """The skill's Flask app: POST / for Alexa, GET /healthz for load balancers.

    ``verify=False`` drops the signature and timestamp checks (local testing only; it logs a
    warning). ``signature_verifier`` replaces the production verifier, for tests with their own
    trust root. The skill ID check follows ``settings.skill_id`` either way.
    """
    settings = settings or Settings.from_env()
    skill = build_skill(settings)
    skill.serializer = _SERIALIZER  # so the adapter picks up what the envelope checks parsed
    verifiers: list[AbstractVerifier] = []
    if verify:
        verifiers += [signature_verifier or SignatureVerifier(), TimestampVerifier()]
    else:
        log.warning(NO_VERIFY_WARNING)
    if settings.skill_id:
        verifiers.append(SkillIdVerifier(settings.skill_id))

    app = Flask(__name__)
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
        return jsonify(status="ok", verify=verify)

    app.add_url_rule(SKILL_ROUTE, "skill", invoke_skill, methods=["POST"])
    app.add_url_rule(HEALTH_ROUTE, "health", health, methods=["GET"])
    app.register_error_handler(HTTPException, _json_error)
    app.extensions["muscle_guide.verifiers"] = tuple(verifiers)
    return app


def run(app: Flask, host: str = "127.0.0.1", port: int = 5000, workers: int = 2) -> None:
    """Serve ``app`` with gunicorn (threaded workers) until interrupted.

    gunicorn is the production WSGI server the README documents; running it here too means
    ``muscle-guide serve`` behaves like a deployment, not like Flask's development server.
    """
    from gunicorn.app.base import BaseApplication

    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": [bind],
                "workers": workers,
                "worker_class": "gthread",
                "threads": 4,
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

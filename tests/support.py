"""Test helpers: run real Alexa envelopes through the real Lambda handler and read the result."""

from __future__ import annotations

import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

from lambda_function import lambda_handler
from muscle_guide.speech import MAX_SPEECH_CHARS, plain
from muscle_guide_simulator import envelopes

ROOT = Path(__file__).resolve().parents[1]


def load_script(name: str) -> ModuleType:
    """Import scripts/<name>.py, which is not a package (the build, deploy and ASK CLI programs)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ALLOWED_TAGS = {"speak", "say-as", "prosody", "break", "p", "s", "emphasis", "sub", "lang"}


def assert_valid_ssml(ssml: str) -> None:
    """Well-formed XML rooted at <speak>, only tags Alexa supports, and under Alexa's limit."""
    assert len(ssml) <= MAX_SPEECH_CHARS, f"speech is {len(ssml)} characters"
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    for element in root.iter():
        assert element.tag in ALLOWED_TAGS, f"unsupported SSML tag <{element.tag}>"


def assert_valid_response(envelope: dict[str, Any]) -> None:
    """A response Alexa would accept: valid SSML and a reprompt whenever the session stays open."""
    assert envelope.get("version") == "1.0"
    body = envelope["response"]
    if "outputSpeech" in body:
        assert body["outputSpeech"]["type"] == "SSML"
        assert_valid_ssml(body["outputSpeech"]["ssml"])
    if body.get("shouldEndSession") is False:
        reprompt = body["reprompt"]["outputSpeech"]["ssml"]
        assert_valid_ssml(reprompt)
        assert plain(reprompt)
    json.dumps(envelope)


def said(envelope: dict[str, Any]) -> str:
    """What the person hears, as plain text."""
    return plain((envelope.get("response", {}).get("outputSpeech") or {}).get("ssml"))


def reprompt_of(envelope: dict[str, Any]) -> str:
    body = envelope.get("response", {})
    return plain(((body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml"))


def topic_of(envelope: dict[str, Any]) -> str | None:
    return (envelope.get("sessionAttributes") or {}).get("topic")


def ends(envelope: dict[str, Any]) -> bool:
    return envelope["response"].get("shouldEndSession") is not False


def run(request: dict[str, Any], session: dict[str, Any] | None = None, **context: Any) -> dict:
    """Send one request in a (by default new) session through lambda_handler and validate it."""
    session = envelopes.new_session() if session is None else session
    response = lambda_handler(
        envelopes.envelope(request, session, envelopes.context(**context)), None
    )
    assert_valid_response(response)
    return response


def in_session(request: dict[str, Any], attributes: dict[str, Any] | None = None) -> dict:
    """Send a request in an ongoing (not new) session with the given attributes."""
    session = envelopes.new_session(attributes=attributes)
    session["new"] = False
    return run(request, session)

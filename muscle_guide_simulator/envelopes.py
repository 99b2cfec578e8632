"""Alexa request envelopes built the way the Alexa service sends them.

The simulator, the tests and the sample events all use these builders, so every request the skill
sees locally has the shape of a real one (session, context, locale, timestamps, resolutions).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
TEST_USER_ID = "amzn1.ask.account.LOCALTESTUSER"
TEST_DEVICE_ID = "amzn1.ask.device.LOCALTESTDEVICE"

JSON = dict[str, Any]


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_session(
    skill_id: str = TEST_SKILL_ID, user_id: str = TEST_USER_ID, attributes: JSON | None = None
) -> JSON:
    """A fresh session object, as Alexa sends with the first request of a conversation."""
    return {
        "new": True,
        "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
        "application": {"applicationId": skill_id},
        "user": {"userId": user_id},
        "attributes": dict(attributes or {}),
    }


def context(
    skill_id: str = TEST_SKILL_ID, user_id: str = TEST_USER_ID, screen: bool = False
) -> JSON:
    """The ``context`` block: which skill, which user, and what the device can show."""
    interfaces: JSON = {}
    if screen:
        interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
    ctx: JSON = {
        "System": {
            "application": {"applicationId": skill_id},
            "user": {"userId": user_id},
            "device": {"deviceId": TEST_DEVICE_ID, "supportedInterfaces": interfaces},
            "apiEndpoint": "https://api.amazonalexa.com",
        }
    }
    if screen:
        ctx["Viewport"] = {"shape": "RECTANGLE", "pixelWidth": 1280, "pixelHeight": 800, "dpi": 160}
    return ctx


def envelope(request: JSON, session: JSON | None, ctx: JSON | None = None) -> JSON:
    """Wrap a request in the envelope Alexa posts to the skill."""
    event: JSON = {"version": "1.0", "context": ctx or context(), "request": request}
    if session is not None:
        event["session"] = session
    return event


def _request(kind: str, locale: str, **fields: Any) -> JSON:
    return {
        "type": kind,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": _timestamp(),
        "locale": locale,
        **fields,
    }


def launch_request(locale: str = "en-US") -> JSON:
    """The request Alexa sends for "open muscle weakness guide"."""
    return _request("LaunchRequest", locale, shouldLinkResultBeReturned=False)


def session_ended_request(
    locale: str = "en-US", reason: str = "USER_INITIATED", error: JSON | None = None
) -> JSON:
    """The request Alexa sends when a session closes without the skill ending it."""
    fields: JSON = {"reason": reason}
    if error:
        fields["error"] = error
    return _request("SessionEndedRequest", locale, **fields)


def skill_disabled_request(user_id: str = TEST_USER_ID) -> JSON:
    """The skill event Alexa sends when the person disables the skill (no session, no locale)."""
    now = _timestamp()
    return {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": now,
        "eventCreationTime": now,
        "eventPublishingTime": now,
        "body": {"userId": user_id, "userInformationPersistenceStatus": "NOT_PERSISTED"},
    }


def slot(name: str, value: str | None, resolved_id: str | None = None, authority: str = "") -> JSON:
    """A slot as Alexa fills it, with entity resolution when the slot has a custom type.

    ``resolved_id`` set means ER_SUCCESS_MATCH to that value id; ``authority`` without an id means
    the value was heard but matched nothing (ER_SUCCESS_NO_MATCH).
    """
    filled: JSON = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return filled
    filled["value"] = value
    filled["source"] = "USER"
    if authority:
        status: JSON = {"code": "ER_SUCCESS_MATCH" if resolved_id else "ER_SUCCESS_NO_MATCH"}
        resolution: JSON = {
            "authority": f"amzn1.er-authority.echo-sdk.{TEST_SKILL_ID}.{authority}",
            "status": status,
        }
        if resolved_id:
            resolution["values"] = [{"value": {"name": value, "id": resolved_id}}]
        filled["resolutions"] = {"resolutionsPerAuthority": [resolution]}
    return filled


def intent_request(name: str, slots: list[JSON] | None = None, locale: str = "en-US") -> JSON:
    """An IntentRequest for ``name`` with the given filled slots."""
    intent: JSON = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {s["name"]: s for s in slots}
    return _request("IntentRequest", locale, dialogState="COMPLETED", intent=intent)

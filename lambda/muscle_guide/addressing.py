"""Is a request addressed to this skill? One rule, for the Lambda handler and the web service.

An envelope names the skill twice: ``context.System.application`` (always) and
``session.application`` (when there is a session). Both must name this skill; a request that
matches in one place and names another skill in the other is refused, not answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def is_for(skill_id: str, context_id: object, session_id: object) -> bool:
    """True when the context names ``skill_id`` and the session, if it names one, does too.

    >>> is_for("amzn1.ask.skill.a", "amzn1.ask.skill.a", None)
    True
    >>> is_for("amzn1.ask.skill.a", "amzn1.ask.skill.a", "amzn1.ask.skill.b")
    False
    >>> is_for("amzn1.ask.skill.a", None, "amzn1.ask.skill.a")
    False
    """
    return context_id == skill_id and session_id in (None, skill_id)


def _at(event: Mapping[str, Any], *path: str) -> object:
    node: object = event
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def event_is_for(skill_id: str, event: object) -> bool:
    """``is_for`` on a Lambda event, the decoded JSON of an envelope."""
    if not isinstance(event, Mapping):
        return False
    return is_for(
        skill_id,
        _at(event, "context", "System", "application", "applicationId"),
        _at(event, "session", "application", "applicationId"),
    )


def envelope_is_for(skill_id: str, envelope: object) -> bool:
    """``is_for`` on a deserialized ``RequestEnvelope`` (the web service's verifiers get one)."""
    system = getattr(getattr(envelope, "context", None), "system", None)
    session = getattr(envelope, "session", None)
    return is_for(
        skill_id,
        getattr(getattr(system, "application", None), "application_id", None),
        getattr(getattr(session, "application", None), "application_id", None),
    )

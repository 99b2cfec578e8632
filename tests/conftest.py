"""Fixtures shared by the test modules (helpers live in ``support.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from muscle_guide_simulator.simulator import Conversation
from support import assert_valid_response


@pytest.fixture
def chat():
    """A conversation factory: ``talk = chat("en-GB"); talk("open muscle weakness guide")``."""

    def start(locale: str = "en-US", screen: bool = False):
        conversation = Conversation(locale=locale, screen=screen)

        def talk(utterance: str) -> dict[str, Any]:
            response = conversation.say(utterance)
            assert_valid_response(response)
            return response

        talk.conversation = conversation  # type: ignore[attr-defined]
        return talk

    return start


@pytest.fixture
def json_logs(capsys):
    """The skill's JSON log lines written to stderr so far (each call reads the new ones)."""
    import json as _json

    def read() -> list[dict[str, Any]]:
        lines = capsys.readouterr().err.splitlines()
        return [_json.loads(line) for line in lines if line.startswith("{")]

    return read

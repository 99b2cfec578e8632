"""Fixtures shared by the test modules (helpers live in ``support.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from muscle_guide.simulator import Conversation
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

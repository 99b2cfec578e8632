"""Memory behind the real web service: two gunicorn workers share one SQLite file.

``muscle-guide serve --workers 2`` on 127.0.0.1 with the store in a temporary folder; a few
hundred people at once each ask for slower speech, then open a new session, and every one of
them must be remembered, whichever worker answered which request.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from muscle_guide_simulator.simulator import Conversation
from served import Served
from support import assert_valid_response, said

USERS = 240
SLOW = '<prosody rate="90%">'


def over_http(served: Served):
    """A Conversation handler that posts each event to the server, as Alexa would."""

    def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        status, _, body = served.request(
            "POST", "/", json.dumps(event).encode(), {"Content-Type": "application/json"}
        )
        assert status == 200, body[:300]
        return json.loads(body)

    return handler


@pytest.mark.slow
def test_two_workers_remember_every_user_of_a_few_hundred_at_once(tmp_path: Path):
    state = tmp_path / "state.db"
    served = Served(
        "--workers", "2", "--no-verify",
        env={"MUSCLE_GUIDE_STATE_FILE": str(state), "LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    try:
        handler = over_http(served)
        start = threading.Barrier(USERS)

        def first_session(number: int) -> str:
            conversation = Conversation(handler=handler, user_id=f"amzn1.ask.account.U{number:04d}")
            start.wait(timeout=60)  # everyone at once
            assert_valid_response(conversation.say("open muscle weakness guide"))
            response = conversation.say("speak slower")
            assert_valid_response(response)
            assert SLOW in response["response"]["outputSpeech"]["ssml"]
            conversation.say("stop")
            return conversation.user_id

        def second_session(user_id: str) -> bool:
            conversation = Conversation(handler=handler, user_id=user_id)
            response = conversation.say("open muscle weakness guide")
            assert "Welcome back" in said(response), said(response)
            return SLOW in response["response"]["outputSpeech"]["ssml"]

        with ThreadPoolExecutor(max_workers=USERS) as pool:
            users = list(pool.map(first_session, range(USERS)))
        with ThreadPoolExecutor(max_workers=64) as pool:
            remembered = list(pool.map(second_session, users))
    finally:
        served.stop()

    forgotten = [user for user, ok in zip(users, remembered, strict=True) if not ok]
    assert forgotten == [], f"{len(forgotten)} of {USERS} forgotten"
    with sqlite3.connect(state) as connection:
        stored = dict(connection.execute("SELECT id, attributes FROM memory").fetchall())
    assert len(stored) == USERS
    assert all(json.loads(value)["prefs"]["rate"] == "slow" for value in stored.values())
    assert sum("Booting worker" in line for line in served.log) >= 2  # two processes served
    faults = [line for line in served.log if "persistence" in line]
    assert faults == [], faults[:3]

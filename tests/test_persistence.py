"""Memory across sessions: a real DynamoDB-compatible server, and stores that fail.

The SQLite file store has its own module, ``test_sqlite_store.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from muscle_guide.config import Settings
from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.skill import SkillRunner, build_skill
from muscle_guide_simulator.simulator import Conversation
from muscle_guide_tools.load import HungStore
from support import assert_valid_response, said, topic_of

TABLE = "muscle-guide-test"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoServer:
    """A moto_server process on loopback, speaking the DynamoDB API."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("moto_server", path=str(BIN)) or "moto_server"
        self.process = subprocess.Popen(
            [exe, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def create_table(self) -> None:
        import boto3

        client = boto3.client("dynamodb", endpoint_url=self.endpoint)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

    def item(self, user_id: str) -> dict:
        import boto3

        table = boto3.resource("dynamodb", endpoint_url=self.endpoint).Table(TABLE)
        return table.get_item(Key={"id": user_id}).get("Item", {})


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def dynamodb(aws_env: None) -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    server.create_table()
    yield server
    server.stop()


def skill_with_table(endpoint: str) -> SkillRunner:
    settings = Settings(persistence_table=TABLE, dynamodb_endpoint=endpoint)
    return SkillRunner(build_skill(settings))


def talk(conversation: Conversation, utterance: str) -> dict:
    response = conversation.say(utterance)
    assert_valid_response(response)
    return response


def test_memory_carries_across_two_sessions_in_dynamodb(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    first = Conversation(handler=runner, user_id="amzn1.ask.account.ALICE")
    welcome = said(talk(first, "open muscle weakness guide"))
    assert "I share general information, not medical advice" in welcome
    talk(first, "what is lou gehrig's disease")
    talk(first, "speak slower")
    talk(first, "stop")

    stored = dynamodb.item("amzn1.ask.account.ALICE")["attributes"]
    assert stored["last_topic"] == "als"
    assert stored["disclaimer_heard"] is True
    assert stored["prefs"]["rate"] == "slow"
    assert "lou gehrig" not in json.dumps(stored)  # never the words of a question

    second = Conversation(handler=skill_with_table(dynamodb.endpoint), user_id=first.user_id)
    response = talk(second, "open muscle weakness guide")
    text = said(response)
    assert "Welcome back" in text
    assert "Remember, this is general information, not medical advice" in text
    assert "Last time we talked about A L S" in text
    assert '<prosody rate="90%">' in response["response"]["outputSpeech"]["ssml"]
    assert topic_of(talk(second, "yes")) == "als"


def test_users_do_not_share_memory(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    alice = Conversation(handler=runner, user_id="amzn1.ask.account.ALICE")
    talk(alice, "open muscle weakness guide")
    talk(alice, "what is polio")
    bob = Conversation(handler=runner, user_id="amzn1.ask.account.BOB")
    assert "Last time" not in said(talk(bob, "open muscle weakness guide"))


def test_store_stopped_mid_conversation_loses_nothing(dynamodb: MotoServer, json_logs):
    runner = skill_with_table(dynamodb.endpoint)
    conversation = Conversation(handler=runner, user_id="amzn1.ask.account.CAROL")
    talk(conversation, "open muscle weakness guide")
    assert topic_of(talk(conversation, "what is polio")) == "polio"
    dynamodb.stop()
    started = time.monotonic()
    response = talk(conversation, "tell me more")
    assert topic_of(response) == "polio"
    polio = KNOWLEDGE.get("polio")
    assert said(response).startswith(f"{polio.spoken_heading()}: {polio.full[:40]}")
    response = talk(conversation, "yes")
    assert topic_of(response) not in (None, "polio")
    assert topic_of(talk(conversation, "go back")) == "polio"
    assert time.monotonic() - started < 20
    faults = [r for r in json_logs() if "persistence" in r["message"]]
    assert len(faults) == 1, faults
    assert faults[0]["level"] == "WARNING"


def test_store_down_from_the_start_still_answers(aws_env: None):
    runner = skill_with_table(f"http://127.0.0.1:{free_port()}")
    conversation = Conversation(handler=runner)
    assert "Welcome" in said(talk(conversation, "open muscle weakness guide"))
    assert topic_of(talk(conversation, "what causes muscle weakness")) == "causes"


#: A hung store: the load tool's loopback server that accepts and never answers.
SilentServer = HungStore


@pytest.fixture
def hung_store(aws_env: None) -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def timed(runner: SkillRunner, conversation: Conversation, utterance: str) -> tuple[dict, float]:
    conversation.handler = runner
    started = time.monotonic()
    response = talk(conversation, utterance)
    return response, time.monotonic() - started


def test_a_hung_store_never_delays_an_emergency_or_a_launch(hung_store: SilentServer):
    runner = skill_with_table(hung_store.endpoint)
    emergency, seconds = timed(
        runner, Conversation(handler=runner), "ask muscle weakness guide my dad can't lift his arm"
    )
    assert said(emergency).startswith("Call 911 now."), said(emergency)
    assert seconds < 0.3, seconds  # the emergency answer does not wait for the store at all
    launch, seconds = timed(runner, Conversation(handler=runner), "open muscle weakness guide")
    assert "Welcome to Muscle Weakness Guide" in said(launch)
    assert seconds < 2, seconds
    assert hung_store.accepted >= 1  # the guard was really exercised: the store was asked


def test_the_store_budget_bounds_load_and_save_together(hung_store: SilentServer):
    runner = skill_with_table(hung_store.endpoint)
    conversation = Conversation(handler=runner)
    for utterance in ("open muscle weakness guide", "what is polio", "speak slower", "stop"):
        response, seconds = timed(runner, conversation, utterance)
        assert said(response)
        assert seconds < 0.5 + 0.3, (utterance, seconds)


class FlakyAdapter(AbstractPersistenceAdapter):
    """A store whose first read fails and whose writes succeed: the case that lost memory."""

    def __init__(self) -> None:
        self.stored = {"disclaimer_heard": True, "last_topic": "als", "prefs": {"rate": "slow"}}
        self.reads = 0
        self.writes: list[dict] = []

    def get_attributes(self, request_envelope) -> dict:
        self.reads += 1
        if self.reads == 1:
            raise OSError("connection reset")
        return self.stored

    def save_attributes(self, request_envelope, attributes: dict) -> None:
        self.writes.append(attributes)
        self.stored = attributes

    def delete_attributes(self, request_envelope) -> None:
        self.stored = {}


def test_a_failed_read_never_overwrites_what_is_stored():
    adapter = FlakyAdapter()
    skill = build_skill(Settings(state_file=os.devnull), adapter=adapter)  # type: ignore[arg-type]
    conversation = Conversation(handler=SkillRunner(skill))
    talk(conversation, "open muscle weakness guide")  # the read fails: defaults, nothing saved
    talk(conversation, "what is polio")  # the next turn reads again, and succeeds
    assert adapter.reads == 2
    assert all(write["prefs"]["rate"] == "slow" for write in adapter.writes)
    assert adapter.stored["disclaimer_heard"] is True


# --- forgetting: "forget me" and the skill being disabled ------------------------------------


def remembered(runner: SkillRunner, user_id: str) -> bool:
    """Does a new session of this user start as a returning user's?"""
    conversation = Conversation(handler=runner, user_id=user_id)
    return "Welcome back" in said(talk(conversation, "open muscle weakness guide"))


def disable(runner: SkillRunner, user_id: str) -> dict:
    from muscle_guide_simulator import envelopes as ev

    event = ev.envelope(ev.skill_disabled_request(user_id), None, ev.context(user_id=user_id))
    return runner(event, None)


def test_disabling_the_skill_deletes_the_dynamodb_item(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    user = "amzn1.ask.account.DAVE"
    conversation = Conversation(handler=runner, user_id=user)
    talk(conversation, "open muscle weakness guide")
    talk(conversation, "speak slower")
    assert dynamodb.item(user)  # stored
    response = disable(runner, user)
    assert "outputSpeech" not in response.get("response", {})
    assert dynamodb.item(user) == {}
    assert not remembered(runner, user)


def test_disabling_the_skill_deletes_the_local_record(tmp_path):
    runner = SkillRunner(build_skill(Settings(state_file=str(tmp_path / "state"))))
    user = "amzn1.ask.account.ERIN"
    talk(Conversation(handler=runner, user_id=user), "open muscle weakness guide")
    other = "amzn1.ask.account.FRANK"
    talk(Conversation(handler=runner, user_id=other), "open muscle weakness guide")
    assert remembered(runner, user)
    disable(runner, user)
    assert not remembered(runner, user)
    assert remembered(runner, other)  # only that user's record goes


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_forget_me_asks_first_then_deletes_everything(dynamodb: MotoServer, locale):
    runner = skill_with_table(dynamodb.endpoint)
    user = f"amzn1.ask.account.GRACE{locale[-2:]}"
    conversation = Conversation(handler=runner, user_id=user, locale=locale)
    talk(conversation, "open muscle weakness guide")
    talk(conversation, "speak slower")
    talk(conversation, "what is polio")
    asked = talk(conversation, "forget me")
    assert "Shall I delete it?" in said(asked)
    assert dynamodb.item(user)  # nothing deleted before the yes
    done = talk(conversation, "yes")
    assert "I've deleted what I remembered about you" in said(done)
    assert "prosody" not in done["response"]["outputSpeech"]["ssml"]  # defaults from now on
    assert "memory" not in done["sessionAttributes"]
    talk(conversation, "what is a l s")  # the rest of the session saves nothing over it
    assert dynamodb.item(user) == {}
    assert not remembered(runner, user)


def test_no_to_forget_me_keeps_everything_and_another_question_drops_it(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    user = "amzn1.ask.account.HEIDI"
    conversation = Conversation(handler=runner, user_id=user)
    talk(conversation, "open muscle weakness guide")
    talk(conversation, "speak slower")
    stored = dynamodb.item(user)
    talk(conversation, "delete my data")
    assert "kept everything" in said(talk(conversation, "no"))
    talk(conversation, "forget me")
    talk(conversation, "what is polio")  # a new question: the pending yes/no is dropped
    assert topic_of(talk(conversation, "yes")) not in (None, "polio")  # plays the offer
    assert dynamodb.item(user)["attributes"]["prefs"] == stored["attributes"]["prefs"]


def test_forget_me_with_the_store_down_says_so_honestly(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    conversation = Conversation(handler=runner, user_id="amzn1.ask.account.IVAN")
    talk(conversation, "open muscle weakness guide")
    talk(conversation, "forget me")
    dynamodb.stop()
    response = talk(conversation, "yes")
    assert "couldn't delete it just now" in said(response)
    assert "deleted what I remembered" not in said(response)


# --------------------------------------------------------------------------- expiry and deletion

YEAR = 365 * 24 * 3600


def test_every_save_writes_a_ttl_a_year_ahead(dynamodb: MotoServer):
    runner = skill_with_table(dynamodb.endpoint)
    conversation = Conversation(handler=runner, user_id="amzn1.ask.account.DAVE")
    before = time.time()
    talk(conversation, "open muscle weakness guide")
    talk(conversation, "what is polio")
    item = dynamodb.item("amzn1.ask.account.DAVE")
    assert set(item) == {"id", "attributes", "ttl"}
    first = int(item["ttl"])
    assert before + YEAR - 5 <= first <= time.time() + YEAR + 5
    time.sleep(1.1)
    talk(conversation, "speak slower")  # a later save refreshes it
    item = dynamodb.item("amzn1.ask.account.DAVE")
    assert int(item["ttl"]) > first
    assert item["attributes"]["prefs"]["rate"] == "slow"


def test_memory_delete_removes_the_item(dynamodb: MotoServer):
    from muscle_guide.persistence import Memory, build_adapter
    from muscle_guide.skill import Serializer
    from muscle_guide_simulator import envelopes as ev

    talk(Conversation(handler=skill_with_table(dynamodb.endpoint)), "open muscle weakness guide")
    talk(
        Conversation(handler=skill_with_table(dynamodb.endpoint), user_id="amzn1.ask.account.EVE"),
        "open muscle weakness guide",
    )
    assert dynamodb.item(ev.TEST_USER_ID)
    memory = Memory(
        build_adapter(Settings(persistence_table=TABLE, dynamodb_endpoint=dynamodb.endpoint))
    )
    event = ev.envelope(ev.launch_request(), ev.new_session(), ev.context())
    assert memory.delete(Serializer().from_event(event)) is True
    assert dynamodb.item(ev.TEST_USER_ID) == {}
    assert dynamodb.item("amzn1.ask.account.EVE")  # only that person's record
    assert memory.load(Serializer().from_event(event)) == {}


def test_memory_delete_on_a_hung_store_gives_up_within_the_budget(hung_store):
    from muscle_guide.persistence import Memory, build_adapter
    from muscle_guide.skill import Serializer
    from muscle_guide_simulator import envelopes as ev

    adapter = build_adapter(
        Settings(persistence_table=TABLE, dynamodb_endpoint=hung_store.endpoint)
    )
    memory = Memory(adapter)
    event = Serializer().from_event(
        ev.envelope(ev.launch_request(), ev.new_session(), ev.context())
    )
    started = time.monotonic()
    assert memory.delete(event, budget=0.3) is False
    assert time.monotonic() - started < 0.5
    assert hung_store.accepted >= 1


class FirstConnectionHung:
    """A loopback proxy in front of moto_server whose first connection is never answered.

    So the skill's first read of the store times out, and every later call reaches the real
    server: one failed read, then reads and writes that work.
    """

    def __init__(self, upstream_port: int) -> None:
        import threading

        self.upstream = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections == 1:
                self.held.append(conn)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            for source, sink in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_failed_dynamodb_read_then_a_write_keeps_the_stored_prefs(dynamodb: MotoServer):
    user = "amzn1.ask.account.FRANK"
    first = Conversation(handler=skill_with_table(dynamodb.endpoint), user_id=user)
    talk(first, "open muscle weakness guide")
    talk(first, "speak slower")
    talk(first, "stop")
    assert dynamodb.item(user)["attributes"]["prefs"]["rate"] == "slow"

    proxy = FirstConnectionHung(dynamodb.port)
    try:
        second = Conversation(handler=skill_with_table(proxy.endpoint), user_id=user)
        launch = talk(second, "open muscle weakness guide")  # the read times out
        assert "Welcome" in said(launch)
        assert '<prosody rate="90%">' not in launch["response"]["outputSpeech"]["ssml"]
        assert topic_of(talk(second, "what is polio")) == "polio"  # read again, then saved
    finally:
        proxy.close()
    assert proxy.connections >= 2  # the second turn really reached the store
    item = dynamodb.item(user)
    assert item["attributes"]["last_topic"] == "polio"  # the write happened...
    assert item["attributes"]["prefs"]["rate"] == "slow"  # ...and kept what was stored
    assert item["attributes"]["disclaimer_heard"] is True

"""The local store: a real SQLite file, shared by threads and processes, that mends itself."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from muscle_guide.config import Settings
from muscle_guide.persistence import Memory, build_adapter
from muscle_guide.skill import SkillRunner, build_skill
from muscle_guide.sqlite_store import SqliteAdapter
from muscle_guide_simulator import envelopes as ev
from muscle_guide_simulator.simulator import Conversation
from support import assert_valid_response, said, topic_of

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def envelope_for(user_id: str):
    """A request envelope model for ``user_id``, as the SDK hands it to an adapter."""
    from muscle_guide.skill import Serializer

    event = ev.envelope(
        ev.launch_request(), ev.new_session(user_id=user_id), ev.context(user_id=user_id)
    )
    return Serializer().from_event(event)


def rows(path: Path) -> dict[str, tuple[dict, int]]:
    with sqlite3.connect(path) as connection:
        found = connection.execute("SELECT id, attributes, updated_at FROM memory").fetchall()
    return {key: (json.loads(value), updated) for key, value, updated in found}


def skill_on(path: Path) -> SkillRunner:
    return SkillRunner(build_skill(Settings(state_file=str(path))))


def test_one_row_per_user_in_wal_mode(tmp_path: Path):
    path = tmp_path / "state.db"
    store = SqliteAdapter(path)
    store.save_attributes(envelope_for("amzn1.ask.account.A"), {"prefs": {"rate": "slow"}})
    store.save_attributes(envelope_for("amzn1.ask.account.B"), {"last_topic": "als"})
    store.save_attributes(envelope_for("amzn1.ask.account.A"), {"prefs": {"rate": "normal"}})
    stored = rows(path)
    assert set(stored) == {"amzn1.ask.account.A", "amzn1.ask.account.B"}
    assert stored["amzn1.ask.account.A"][0] == {"prefs": {"rate": "normal"}}
    assert stored["amzn1.ask.account.A"][1] > 1_700_000_000  # epoch seconds
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.get_attributes(envelope_for("amzn1.ask.account.B")) == {"last_topic": "als"}
    assert store.get_attributes(envelope_for("amzn1.ask.account.NEW")) == {}


def test_delete_removes_the_users_row_only(tmp_path: Path):
    path = tmp_path / "state.db"
    memory = Memory(SqliteAdapter(path))
    alice, bob = envelope_for("amzn1.ask.account.ALICE"), envelope_for("amzn1.ask.account.BOB")
    assert memory.save(alice, {"last_topic": "als"})
    assert memory.save(bob, {"last_topic": "polio"})
    assert memory.delete(alice) is True
    assert set(rows(path)) == {"amzn1.ask.account.BOB"}
    assert memory.load(alice) == {}
    assert memory.delete(alice) is True  # deleting what is not there is not a fault


def test_delete_on_a_broken_store_reports_false_and_never_raises(tmp_path: Path, json_logs):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    memory = Memory(SqliteAdapter(blocker / "state.db"))
    assert memory.delete(envelope_for("amzn1.ask.account.A")) is False
    assert memory.delete(envelope_for("amzn1.ask.account.A")) is False
    faults = [r for r in json_logs() if "persistence" in r["message"]]
    assert len(faults) == 1, faults  # the outage is logged once


def test_chat_remembers_across_two_runs(tmp_path: Path):
    state = tmp_path / "state.db"
    env = {**os.environ, "MUSCLE_GUIDE_STATE_FILE": str(state)}
    exe = shutil.which("muscle-guide", path=str(BIN)) or "muscle-guide"

    def chat(script: str) -> list[dict]:
        result = subprocess.run(
            [exe, "chat", "--json"], input=script, capture_output=True, text=True, env=env,
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    first = chat("open muscle weakness guide\nwhat is multiple sclerosis\nstop\n")
    assert "I share general information" in said(first[0])
    stored = rows(state)
    assert stored["amzn1.ask.account.LOCALTESTUSER"][0]["last_topic"] == "multiple_sclerosis"
    assert "what is multiple sclerosis" not in json.dumps(stored)

    second = chat("open muscle weakness guide\nyes\n")
    assert "Last time we talked about" in said(second[0])
    assert topic_of(second[1]) == "multiple_sclerosis"


LEGACY = {
    "amzn1.ask.account.OLD": {
        "disclaimer_heard": True,
        "last_topic": "als",
        "prefs": {"rate": "slow"},
    },
    "amzn1.ask.account.FORGOTTEN": {},  # what the JSON store's delete left behind
}


def test_a_json_file_at_the_path_is_imported_once_and_kept_aside(tmp_path: Path):
    path = tmp_path / "state.json"  # an old MUSCLE_GUIDE_STATE_FILE setting
    path.write_text(json.dumps(LEGACY))
    conversation = Conversation(handler=skill_on(path), user_id="amzn1.ask.account.OLD")
    response = conversation.say("open muscle weakness guide")
    assert "Last time we talked about A L S" in said(response)
    assert '<prosody rate="90%">' in response["response"]["outputSpeech"]["ssml"]
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert set(rows(path)) == {"amzn1.ask.account.OLD"}
    kept = list(tmp_path.glob("state.json.imported-*"))
    assert len(kept) == 1 and json.loads(kept[0].read_text()) == LEGACY

    conversation.say("what is polio")
    conversation.say("stop")
    SqliteAdapter(path).prepare()  # a second start imports nothing again
    assert rows(path)["amzn1.ask.account.OLD"][0]["last_topic"] == "polio"
    assert len(list(tmp_path.glob("state.json.imported-*"))) == 1


def test_the_old_state_json_beside_the_database_is_imported_once(tmp_path: Path):
    (tmp_path / "state.json").write_text(json.dumps(LEGACY))
    path = tmp_path / "state.db"
    store = SqliteAdapter(path)
    assert store.get_attributes(envelope_for("amzn1.ask.account.OLD"))["last_topic"] == "als"
    assert not (tmp_path / "state.json").exists()
    assert len(list(tmp_path.glob("state.json.imported-*"))) == 1
    store.save_attributes(envelope_for("amzn1.ask.account.OLD"), {"last_topic": "polio"})
    (tmp_path / "state.json").write_text(json.dumps(LEGACY))  # put back by hand, say
    SqliteAdapter(path).prepare()
    assert rows(path)["amzn1.ask.account.OLD"][0] == {"last_topic": "polio"}  # newer row kept


def test_a_corrupt_database_is_moved_aside_with_one_log_line(tmp_path: Path, json_logs):
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database at all" * 200)
    runner = skill_on(path)
    for _ in range(3):
        conversation = Conversation(handler=runner)
        assert "Welcome" in said(conversation.say("open muscle weakness guide"))
        assert_valid_response(conversation.say("speak slower"))
    lines = json_logs()
    assert [r["level"] for r in lines if r["level"] != "INFO"] == ["WARNING"], lines
    assert "corrupt" in next(r for r in lines if r["level"] == "WARNING")["message"]
    moved = list(tmp_path.glob("state.db.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].read_bytes().startswith(b"this is not a database")
    assert rows(path)[ev.TEST_USER_ID][0]["prefs"]["rate"] == "slow"  # the fresh one works


def test_a_database_corrupted_while_in_use_is_replaced(tmp_path: Path, json_logs):
    path = tmp_path / "state.db"
    memory = Memory(SqliteAdapter(path))
    user = envelope_for("amzn1.ask.account.A")
    assert memory.save(user, {"last_topic": "als"})
    assert memory.load(user) == {"last_topic": "als"}  # a pooled connection is now open
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as handle:  # scribble over the header and the first pages
        handle.write(b"\xff" * 4096 * 2)
    assert memory.load(user) == {}  # answered: a new user, not a fault
    assert memory.save(user, {"last_topic": "polio"})
    assert memory.load(user) == {"last_topic": "polio"}
    warnings = [r for r in json_logs() if r["level"] == "WARNING"]
    assert len(warnings) == 1 and "corrupt" in warnings[0]["message"], warnings
    moved = sorted(p.name for p in tmp_path.glob("state.db.corrupt-*"))
    assert len(moved) == 2 and moved[1] == moved[0] + "-wal", moved  # with its WAL


def test_many_threads_share_one_store_without_losing_a_write(tmp_path: Path):
    memory = Memory(SqliteAdapter(tmp_path / "state.db"), budget=5.0)
    failures: list[str] = []
    start = threading.Barrier(16)

    def user_thread(number: int) -> None:
        start.wait()
        for turn in range(20):
            user = envelope_for(f"amzn1.ask.account.U{number:02d}-{turn:02d}")
            if not memory.save(user, {"last_topic": "als", "turn": turn}):
                failures.append(f"save {number} {turn}")
            elif memory.load(user) != {"last_topic": "als", "turn": turn}:
                failures.append(f"load {number} {turn}")

    threads = [threading.Thread(target=user_thread, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(rows(tmp_path / "state.db")) == 16 * 20
    # Connections are lent, not opened per call: a handful for 640 calls on 16 threads.
    assert len(memory.adapter._pool) <= 16 + 1  # type: ignore[union-attr]


def test_a_forked_child_opens_its_own_connections(tmp_path: Path):
    path = tmp_path / "state.db"
    store = SqliteAdapter(path)
    store.save_attributes(envelope_for("amzn1.ask.account.PARENT"), {"last_topic": "als"})
    inherited = [connection for connection, _ in store._pool]
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        code = 1
        try:
            store.save_attributes(envelope_for("amzn1.ask.account.CHILD"), {"last_topic": "polio"})
            fresh = [connection for connection, _ in store._pool]
            code = 0 if fresh and not set(map(id, fresh)) & set(map(id, inherited)) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert set(rows(path)) == {"amzn1.ask.account.PARENT", "amzn1.ask.account.CHILD"}
    assert store.get_attributes(envelope_for("amzn1.ask.account.CHILD")) == {"last_topic": "polio"}


def test_the_default_store_is_state_db_and_dev_null_turns_memory_off(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    default = build_adapter(Settings())
    assert isinstance(default, SqliteAdapter)
    assert default.path == Path("~/.muscle-guide/state.db").expanduser()
    assert build_adapter(Settings(state_file=os.devnull)) is None
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "muscle-guide")
    assert build_adapter(Settings(state_file="/tmp/state.db")) is None  # never in Lambda


def test_lambda_cold_start_never_imports_sqlite3(tmp_path: Path):
    script = (
        "import json, sys\n"
        "from lambda_function import lambda_handler\n"
        f"event = json.load(open({str(ROOT / 'events' / 'launch.json')!r}))\n"
        "assert lambda_handler(event, None)['response']['outputSpeech']\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite3', '_sqlite3')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUSCLE_GUIDE", "PYTHON"))}
    env.update(AWS_LAMBDA_FUNCTION_NAME="muscle-guide-test", PYTHONPATH=str(ROOT / "lambda"))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

"""Where per-user memory is kept, and a facade that never lets a failing store hurt a conversation.

In AWS the store is DynamoDB through the ASK SDK's ``DynamoDbAdapter`` (``PERSISTENCE_TABLE``,
optionally ``DYNAMODB_ENDPOINT`` for a local DynamoDB-compatible server), whose items expire a
year after the last save (``dynamodb_store``). On a laptop or behind the web service it is a
SQLite file (``MUSCLE_GUIDE_STATE_FILE``, default ``~/.muscle-guide/state.db``; ``sqlite_store``),
so ``muscle-guide chat`` remembers between runs. Inside Lambda there is never a file store.
Either way ``Memory`` catches every failure: the person still gets their answer, and the fault is
logged once rather than on every request. Each store module is imported only when it is built,
so neither boto3 nor sqlite3 is on the cold start of a function without them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from .config import Settings
from .logs import get_logger

log = get_logger(__name__)
DEFAULT_STATE_FILE = "~/.muscle-guide/state.db"
#: Seconds the store may take in one request, load and save together. Alexa waits 8 s for an
#: answer and the function times out at 7 s; a store that accepts connections and never answers
#: must cost a person no more than this, and an emergency answer does not wait for it at all.
STORE_BUDGET = 0.5
#: botocore's own connect and read timeouts, each a share of the budget, with no retries: a
#: request the budget gave up on should not go on retrying in the background.
STORE_TIMEOUT = 0.25


def user_key(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id, the only identifier we keep, and only as the key.

    The SDK's own partition key generator reads it; an empty or missing id is refused too (the
    generator would hand back None), so no two users can ever share a record.
    """
    from ask_sdk_dynamodb.partition_keygen import user_id_partition_keygen  # no boto3 in it

    user_id = user_id_partition_keygen(request_envelope)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException("request has no user id")
    return user_id


def build_adapter(settings: Settings) -> AbstractPersistenceAdapter | None:
    """DynamoDB when a table is configured; nothing inside Lambda; a SQLite file otherwise.

    ``MUSCLE_GUIDE_STATE_FILE=/dev/null`` turns memory off (the tests do).

    >>> build_adapter(Settings(state_file="/tmp/x.db")).path.name
    'x.db'
    """
    if settings.persistence_table:
        from .dynamodb_store import dynamodb_adapter

        return dynamodb_adapter(settings.persistence_table, settings.dynamodb_endpoint)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return None  # Lambda's disk is read-only but /tmp, and /tmp is not memory.
    path = settings.state_file or DEFAULT_STATE_FILE
    if str(path) == os.devnull:
        return None
    from .sqlite_store import SqliteAdapter

    return SqliteAdapter(path)


class StoreTimeout(PersistenceException):
    """The store did not answer within this request's budget."""


def _within(seconds: float, call: Callable[[], Any], bounded: bool = False) -> Any:
    """Run ``call`` in a helper thread and stop waiting for it after ``seconds``.

    botocore's timeouts bound each socket operation, not the whole call (credential look-ups,
    DNS, a trickling server), so the budget is enforced here, around it. The helper thread is a
    daemon: a call still stuck when we stop waiting cannot keep the process alive.

    A ``bounded`` call bounds its own time and runs right here: the SQLite store reads and
    writes one row of a local file, its only wait is for another writer's lock, which its busy
    timeout bounds, and a helper thread would cost more than the call (about 0.15 ms, p99
    0.5 ms, against 0.03 ms for a read, on the development machine).
    """
    if seconds <= 0:
        raise StoreTimeout("no time left in this request's store budget")
    if bounded:
        return call()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed back to the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=target, name="store-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise StoreTimeout(f"store did not answer within {seconds:.2f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Memory:
    """Load and save a user's memory within a time budget, never raising; log each outage once.

    ``load`` returns None when the memory could not be read, so the caller can tell "nothing
    stored" from "could not ask", and never save defaults over memory it failed to read.
    """

    def __init__(self, adapter: AbstractPersistenceAdapter | None, budget: float = STORE_BUDGET):
        self.adapter = adapter
        self.budget = budget
        self._bounded = bool(getattr(adapter, "bounds_its_own_time", False))
        self._failing = False

    def _fault(self, action: str, error: Exception) -> None:
        if not self._failing:
            log.warning(
                f"persistence {action} failed; answering without memory",
                error=f"{type(error).__name__}: {error}"[:300],
            )
        self._failing = True

    def load(
        self, request_envelope: RequestEnvelope, budget: float | None = None
    ) -> dict[str, Any] | None:
        """The stored attributes ({} for a new user), or None if the store could not answer."""
        adapter = self.adapter
        if adapter is None:
            return {}
        try:
            data = _within(
                self.budget if budget is None else budget,
                lambda: adapter.get_attributes(request_envelope),
                self._bounded,
            )
        except Exception as error:  # any store fault: answer without memory
            self._fault("load", error)
            return None
        self._failing = False
        return data if isinstance(data, dict) else {}

    def save(
        self,
        request_envelope: RequestEnvelope,
        attributes: dict[str, Any],
        budget: float | None = None,
    ) -> bool:
        """Store ``attributes`` for this user; False if the store failed or ran out of time."""
        adapter = self.adapter
        if adapter is None:
            return False
        return self._run(
            "save", lambda: adapter.save_attributes(request_envelope, attributes), budget
        )

    def delete(self, request_envelope: RequestEnvelope, budget: float | None = None) -> bool:
        """Forget this user: delete their record. False if the store failed or ran out of time.

        With no store configured there is nothing to delete, and that counts as done.

        >>> Memory(None).delete(None)  # type: ignore[arg-type]
        True
        """
        adapter = self.adapter
        if adapter is None:
            return True
        return self._run("delete", lambda: adapter.delete_attributes(request_envelope), budget)

    def _run(self, action: str, call: Callable[[], Any], budget: float | None) -> bool:
        try:
            _within(self.budget if budget is None else budget, call, self._bounded)
        except Exception as error:  # any store fault: the answer still goes out
            self._fault(action, error)
            return False
        self._failing = False
        return True

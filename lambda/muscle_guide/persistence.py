"""Where per-user memory is kept, and a facade that never lets a failing store hurt a conversation.

In AWS the store is DynamoDB through the ASK SDK's ``DynamoDbAdapter`` (``PERSISTENCE_TABLE``,
optionally ``DYNAMODB_ENDPOINT`` for a local DynamoDB-compatible server). On a laptop it is a JSON
file (``MUSCLE_GUIDE_STATE_FILE``, default ``~/.muscle-guide/state.json``), so ``muscle-guide chat``
remembers between runs. Either way ``Memory`` catches every failure: the person still gets their
answer, and the fault is logged once rather than on every request.
"""

from __future__ import annotations

import json
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
DEFAULT_STATE_FILE = "~/.muscle-guide/state.json"
#: Seconds the store may take in one request, load and save together. Alexa waits 8 s for an
#: answer and the function times out at 7 s; a store that accepts connections and never answers
#: must cost a person no more than this, and an emergency answer does not wait for it at all.
STORE_BUDGET = 0.5
#: botocore's own connect and read timeouts, each a share of the budget, with no retries: a
#: request the budget gave up on should not go on retrying in the background.
STORE_TIMEOUT = 0.25


def user_key(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id, the only identifier we keep, and only as the key."""
    system = getattr(request_envelope.context, "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException("request has no user id")
    return user_id


class FileAdapter(AbstractPersistenceAdapter):
    """Persistent attributes in one JSON file, keyed by user id, written atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from pathlib import Path  # local runs only; Lambda never builds a file store

        self.path = Path(path).expanduser()
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise PersistenceException(f"cannot read {self.path}: {error}") from error
        return data if isinstance(data, dict) else {}

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        value = self._read().get(user_key(request_envelope), {})
        return value if isinstance(value, dict) else {}

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        import tempfile  # only local runs write files; keep it off the Lambda cold start

        key = user_key(request_envelope)
        with self._lock:
            data = self._read()
            data[key] = attributes
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, indent=1, sort_keys=True)
                os.replace(temp, self.path)
            except OSError as error:
                raise PersistenceException(f"cannot write {self.path}: {error}") from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.save_attributes(request_envelope, {})


def dynamodb_adapter(table: str, endpoint: str | None = None) -> AbstractPersistenceAdapter:
    """The ASK SDK's DynamoDB adapter, with short timeouts so a sick store fails fast.

    boto3 is imported here, not at module level: only deployments with a table pay for it.
    """
    import boto3
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    from botocore.config import Config

    config = Config(
        connect_timeout=STORE_TIMEOUT,
        read_timeout=STORE_TIMEOUT,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, config=config)
    return DynamoDbAdapter(
        table_name=table,
        partition_key_name="id",
        attribute_name="attributes",
        create_table=False,
        partition_keygen=user_key,
        dynamodb_resource=resource,
    )


def build_adapter(settings: Settings) -> AbstractPersistenceAdapter | None:
    """DynamoDB when a table is configured; a local file otherwise; nothing inside Lambda.

    >>> build_adapter(Settings(state_file="/tmp/x.json")).path.name
    'x.json'
    """
    if settings.persistence_table:
        return dynamodb_adapter(settings.persistence_table, settings.dynamodb_endpoint)
    if settings.state_file is not None:
        if str(settings.state_file) == os.devnull:
            return None
        return FileAdapter(settings.state_file)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return None  # Lambda's disk is read-only but /tmp, and /tmp is not memory.
    return FileAdapter(DEFAULT_STATE_FILE)


class StoreTimeout(PersistenceException):
    """The store did not answer within this request's budget."""


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """Run ``call`` in a helper thread and stop waiting for it after ``seconds``.

    botocore's timeouts bound each socket operation, not the whole call (credential look-ups,
    DNS, a trickling server), so the budget is enforced here, around it. The helper thread is a
    daemon: a call still stuck when we stop waiting cannot keep the process alive.
    """
    if seconds <= 0:
        raise StoreTimeout("no time left in this request's store budget")
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
        adapter = self.adapter
        if adapter is None:
            return False
        try:
            _within(
                self.budget if budget is None else budget,
                lambda: adapter.save_attributes(request_envelope, attributes),
            )
        except Exception as error:  # any store fault: the answer still goes out
            self._fault("save", error)
            return False
        self._failing = False
        return True

    def delete(self, request_envelope: RequestEnvelope, budget: float | None = None) -> bool:
        """Delete the user's record; True when it is gone (or there is no store at all)."""
        adapter = self.adapter
        if adapter is None:
            return True
        try:
            _within(
                self.budget if budget is None else budget,
                lambda: adapter.delete_attributes(request_envelope),
            )
        except Exception as error:  # any store fault: say so, never crash
            self._fault("delete", error)
            return False
        self._failing = False
        return True

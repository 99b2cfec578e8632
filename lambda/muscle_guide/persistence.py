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
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from .config import Settings
from .logs import get_logger

log = get_logger(__name__)
DEFAULT_STATE_FILE = "~/.muscle-guide/state.json"
#: Seconds a store may take before we give up and answer without it.
STORE_TIMEOUT = 1.5


def user_key(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id, the only identifier we keep, and only as the key."""
    try:
        user_id = request_envelope.context.system.user.user_id
    except AttributeError as error:
        raise PersistenceException("request has no user id") from error
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

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict) -> None:
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
        retries={"max_attempts": 2, "mode": "standard"},
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


class Memory:
    """Load and save a user's memory without ever raising; log each outage once."""

    def __init__(self, adapter: AbstractPersistenceAdapter | None) -> None:
        self.adapter = adapter
        self._failing = False

    def _fault(self, action: str, error: Exception) -> None:
        if not self._failing:
            log.warning(
                f"persistence {action} failed; answering without memory",
                error=f"{type(error).__name__}: {error}"[:300],
            )
        self._failing = True

    def load(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        if self.adapter is None:
            return {}
        try:
            data = self.adapter.get_attributes(request_envelope)
        except Exception as error:  # any store fault: answer without memory
            self._fault("load", error)
            return {}
        self._failing = False
        return data if isinstance(data, dict) else {}

    def save(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> bool:
        if self.adapter is None:
            return False
        try:
            self.adapter.save_attributes(request_envelope, attributes)
        except Exception as error:  # any store fault: the answer still goes out
            self._fault("save", error)
            return False
        self._failing = False
        return True

"""Per-user memory in a local SQLite file, for laptops and the web service (never Lambda).

One row per Alexa user id: ``memory(id TEXT PRIMARY KEY, attributes TEXT, updated_at INTEGER)``,
the attributes as JSON and ``updated_at`` in epoch seconds. A request reads or writes one row by
its key, so its cost does not grow with the number of users.

* Processes and threads: the file is in WAL mode (readers never wait for the writer) with a busy
  timeout, and every statement runs in autocommit, so gunicorn's workers can share it. Each
  connection is used by one thread at a time: they are lent from a small pool, and a process
  that was forked never uses its parent's.
* Time: a call's only wait is for another writer's lock, bounded by the busy timeout (a share of
  the request's store budget), so ``Memory`` runs it inline, without a helper thread.
* An old JSON store (``state.json``, what this module replaced), either at the configured path
  itself or beside it, is imported once and moved aside as ``<name>.imported-<time>``.
* A corrupt database is moved aside as ``<name>.corrupt-<time>`` with one log line, and a fresh
  one takes its place; the request that found it goes on as for a new user.

This module is imported only when a file store is built: ``sqlite3`` stays off Lambda's cold start.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from .logs import get_logger
from .persistence import STORE_TIMEOUT, user_key

log = get_logger(__name__)
T = TypeVar("T")

#: The JSON store this one replaced, looked for beside the database.
LEGACY_NAME = "state.json"
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Waiting for another writer: a share of the request's store budget, as for DynamoDB. It
#: bounds setting up too (schema, a one-time import): a setup that finds the file busy fails
#: this request's read, and the next request tries again.
BUSY_TIMEOUT = STORE_TIMEOUT
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS memory ("
    "id TEXT PRIMARY KEY, attributes TEXT NOT NULL, updated_at INTEGER NOT NULL)"
)


def is_corruption(error: BaseException) -> bool:
    """Whether SQLite says the file is not a database, or a damaged one."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _CORRUPT_CODES
    text = str(error).lower()
    return "not a database" in text or "malformed" in text


def aside(path: Path, label: str) -> Path:
    """A free name beside ``path`` to move it to: ``state.db.corrupt-20261201T230000``."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    candidate = path.with_name(f"{path.name}.{label}-{stamp}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{label}-{stamp}-{number}")
    return candidate


def read_legacy(path: Path) -> dict[str, dict[str, Any]] | None:
    """The users of an old JSON store, or None if ``path`` does not hold one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
            if not head or head == SQLITE_MAGIC:
                return None
            data = json.loads(head + handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): v for k, v in data.items() if isinstance(v, dict) and v}


class SqliteAdapter(AbstractPersistenceAdapter):
    """Persistent attributes in one SQLite file, one row per user id.

    >>> import tempfile, os
    >>> store = SqliteAdapter(os.path.join(tempfile.mkdtemp(), "state.db"))
    >>> store.path.name
    'state.db'
    """

    #: ``Memory`` runs its calls inline rather than on a helper thread (``persistence._within``).
    bounds_its_own_time = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._setup = threading.Lock()
        self._pool: list[tuple[sqlite3.Connection, int]] = []  # (connection, the file's inode)
        self._pid = os.getpid()
        self._inherited: list[Any] = []  # a parent's connections: never used, never closed
        self._ready_in = 0  # the process id the schema was last checked in

    # --- connections --------------------------------------------------------------------

    def _open(self, timeout: float) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Lend one connection to this thread for one call; open one if none is free.

        A pooled connection to a file that has since been moved aside (another process found
        it corrupt) is closed and replaced: one ``stat`` per call tells.
        """
        inode = os.stat(self.path).st_ino
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections are not ours
                self._inherited.append(self._pool)
                self._pool, self._pid = [], os.getpid()
            lent = self._pool.pop() if self._pool else None
        if lent is not None and lent[1] != inode:
            lent[0].close()
            lent = None
        connection = lent[0] if lent is not None else self._open(BUSY_TIMEOUT)
        healthy = False
        try:
            yield connection
            healthy = True
        finally:
            if healthy:
                with self._lock:
                    self._pool.append((connection, inode))
            else:
                connection.close()

    def _close_pool(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, []
        for connection, _ in pool:
            connection.close()

    # --- setting up: schema, a legacy JSON store, a corrupt file ------------------------

    def prepare(self) -> None:
        """Create the schema, import an old JSON store once, replace a corrupt file.

        Runs before the first call in each process (safe to run in several at once); calling
        it again does nothing.
        """
        if self._ready_in == os.getpid():
            return
        with self._setup:
            if self._ready_in == os.getpid():
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            legacy_here = read_legacy(self.path)
            if legacy_here is not None:
                self._replace_json_file(legacy_here)
            try:
                self._create_and_import()
            except sqlite3.DatabaseError as error:
                if not is_corruption(error):
                    raise
                self._recover(error)
                self._create_and_import()
            self._ready_in = os.getpid()

    def _create_and_import(self) -> None:
        connection = self._open(BUSY_TIMEOUT)
        try:
            connection.execute(SCHEMA)
            legacy = self.path.with_name(LEGACY_NAME)
            if legacy != self.path and legacy.exists():
                users = read_legacy(legacy)
                if users is not None:
                    self._insert(connection, users)
                    self._move_aside(legacy, "imported")
                    log.info("imported the old JSON memory store", users=len(users))
        finally:
            connection.close()

    @staticmethod
    def _insert(connection: sqlite3.Connection, users: dict[str, dict[str, Any]]) -> None:
        """Add users not already stored (a row already here is newer than the old file)."""
        now = int(time.time())
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany(
                "INSERT OR IGNORE INTO memory (id, attributes, updated_at) VALUES (?, ?, ?)",
                [(key, json.dumps(value, sort_keys=True), now) for key, value in users.items()],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _replace_json_file(self, users: dict[str, dict[str, Any]]) -> None:
        """The configured path holds an old JSON store: a database takes its place.

        The database is built beside it and renamed over it, after the JSON file has been linked
        to its new name, so at every moment the path holds either the old file or the new one.
        """
        temp = self.path.with_name(f".{self.path.name}.import-{os.getpid()}")  # under _setup
        temp.unlink(missing_ok=True)
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            connection.execute(SCHEMA)
            self._insert(connection, users)
        finally:
            connection.close()
        try:
            saved = aside(self.path, "imported")
            try:
                os.link(self.path, saved)
            except OSError:
                import shutil

                shutil.copy2(self.path, saved)
            os.replace(temp, self.path)
        except FileNotFoundError:  # another process got there first
            temp.unlink(missing_ok=True)
            return
        log.info("imported the old JSON memory store", users=len(users))

    def _move_aside(self, path: Path, label: str) -> None:
        with suppress(FileNotFoundError):  # another process moved it first
            os.rename(path, aside(path, label))

    def _recover(self, error: BaseException) -> None:
        """Move a corrupt database (and its WAL) aside, once, however many processes see it."""
        self._close_pool()
        with self._setup_lock():
            if self._is_sound():  # another process already replaced it
                return
            moved = aside(self.path, "corrupt")
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if suffix == "-wal" and side.exists():
                    os.rename(side, moved.with_name(moved.name + suffix))
                else:
                    side.unlink(missing_ok=True)
            if self.path.exists():
                os.rename(self.path, moved)
            log.warning(
                "memory store was corrupt: moved aside, starting afresh",
                moved_to=moved.name,
                error=f"{type(error).__name__}: {error}"[:200],
            )

    def _is_sound(self) -> bool:
        """Whether the file at the path now is a sound database (or is not there at all)."""
        if not self.path.exists():
            return True
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
            try:
                verdict = connection.execute("PRAGMA quick_check").fetchone()
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            return False
        return bool(verdict) and verdict[0] == "ok"

    @contextmanager
    def _setup_lock(self) -> Iterator[None]:
        """An exclusive lock between processes on ``<name>.lock`` (where fcntl exists)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            yield
            return
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- the adapter --------------------------------------------------------------------

    def _call(self, action: str, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        """Run one statement on a lent connection.

        A corrupt file is replaced, and a file deleted under us recreated, and the statement
        runs once more; any other fault is the caller's (``Memory`` answers without memory).
        """
        for attempt in (1, 2):
            try:
                self.prepare()
                with self._connection() as connection:
                    rows: list[Any] = connection.execute(statement, parameters).fetchall()
                    return rows
            except sqlite3.Error as error:
                if attempt == 1 and is_corruption(error):
                    self._recover(error)
                    self._ready_in = 0
                    continue
                raise PersistenceException(f"cannot {action} {self.path}: {error}") from error
            except FileNotFoundError as error:
                if attempt == 1:
                    self._ready_in = 0
                    continue
                raise PersistenceException(f"cannot {action} {self.path}: {error}") from error
            except OSError as error:
                raise PersistenceException(f"cannot {action} {self.path}: {error}") from error
        raise PersistenceException(f"cannot {action} {self.path}")  # pragma: no cover

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        rows = self._call(
            "read", "SELECT attributes FROM memory WHERE id = ?", (user_key(request_envelope),)
        )
        if not rows:
            return {}
        try:
            value = json.loads(rows[0][0])
        except (TypeError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self._call(
            "write",
            "INSERT INTO memory (id, attributes, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET attributes = excluded.attributes, "
            "updated_at = excluded.updated_at",
            (user_key(request_envelope), json.dumps(attributes, sort_keys=True), int(time.time())),
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._call("delete", "DELETE FROM memory WHERE id = ?", (user_key(request_envelope),))

"""The gunicorn worker ``muscle-guide serve`` runs: gthread, plus a deadline for request headers.

gunicorn's gthread worker already keeps a connection that has sent nothing out of its thread
pool (it waits in the poller). Once a client has sent a first byte, though, a thread reads the
request line and headers with blocking reads and no overall limit, so a client trickling a
header line every few seconds would hold that thread for as long as it liked. This worker arms
the body deadline's watchdog (``body.WATCHDOG``) when a thread takes a connection and cancels it
once the headers are parsed: a client that has not sent them within ``HEADER_DEADLINE_SECONDS``
has its socket's read side shut and its connection closed. The body then has its own deadline
(``body.BodyDeadline``, a 408).

It relies on gthread's internals: ``handle`` (one request on a connection) calls
``handle_request`` once the request is parsed, and a new connection first waits for data
(``wait_for_data``, ``_DEFER``). True of the gunicorn pinned in requirements-dev.txt (27.0.1),
and checked by ``tests/test_webservice.py``.
"""

from __future__ import annotations

import threading
from typing import Any

from gunicorn.workers import gthread

from .body import BODY_DEADLINE_SECONDS, WATCHDOG, shut_reading

HEADER_DEADLINE_SECONDS = BODY_DEADLINE_SECONDS
#: The worker class, as gunicorn's ``worker_class`` setting names it.
WORKER_CLASS = f"{__name__}.HeaderDeadlineWorker"


class HeaderDeadlineWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gthread, with at most ``HEADER_DEADLINE_SECONDS`` for a request's line and headers,
    counted from the first byte (gthread's own wait for it comes first, as before)."""

    _pending = threading.local()

    def handle(self, conn: Any) -> Any:
        if not conn.initialized and not conn.wait_for_data(gthread.DEFAULT_WORKER_DATA_TIMEOUT):
            return gthread._DEFER  # nothing sent yet: back to the poller, as gthread does
        entry = WATCHDOG.arm(HEADER_DEADLINE_SECONDS, lambda: shut_reading(conn.sock))
        self._pending.entry = entry
        try:
            return super().handle(conn)
        finally:
            WATCHDOG.cancel(entry)

    def handle_request(self, req: Any, conn: Any) -> Any:
        entry = getattr(self._pending, "entry", None)
        if entry is not None:
            WATCHDOG.cancel(entry)  # headers are in; the body has its own deadline
        return super().handle_request(req, conn)

"""Request bodies read under ONE total deadline, so a client that trickles bytes cannot hold a
worker thread.

A socket timeout bounds each ``recv``, not the whole body: a client sending a byte every second
would keep a thread for as long as it likes. ``BodyDeadline`` is WSGI middleware in front of the
Flask app that reads the whole body before the app sees it, with a watchdog armed for
``deadline`` seconds: when it fires, the read side of the client's socket is shut down, the
blocked read returns at once, and the client gets ``408 Request Timeout`` on a connection that
is then closed. One watchdog thread per process serves every request (a heap of deadlines), so
a request costs a heap push, not a thread.

The socket comes from the server's WSGI environ (``gunicorn.socket`` under gunicorn,
``werkzeug.socket`` under werkzeug's server); a server that gives none still gets the body read,
just without the deadline.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

#: Alexa sends a few kilobytes at once; five seconds is far more than any honest client needs.
BODY_DEADLINE_SECONDS = 5.0
_CHUNK = 64 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Watchdog:
    """Runs an action when its deadline passes, unless cancelled first; one thread for all.

    >>> fired = threading.Event()
    >>> entry = Watchdog().arm(0.01, fired.set)
    >>> fired.wait(2)
    True
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list[Any]] = []
        self._order = itertools.count()
        self._pid = 0

    def arm(self, seconds: float, action: Callable[[], None]) -> list[Any]:
        """Run ``action`` in ``seconds`` unless ``cancel`` is given the returned entry first."""
        entry: list[Any] = [time.monotonic() + seconds, next(self._order), action]
        with self._cond:
            if self._pid != os.getpid():  # first use, or a forked worker: start our own thread
                self._pid = os.getpid()
                self._heap = []
                threading.Thread(target=self._run, name="body-deadline", daemon=True).start()
            heapq.heappush(self._heap, entry)
            if self._heap[0] is entry:  # only an earlier deadline needs the thread woken
                self._cond.notify()
        return entry

    def cancel(self, entry: list[Any]) -> None:
        with self._cond:
            entry[2] = None  # left in the heap; dropped when it comes up

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][2] is None:
                    if self._heap:
                        heapq.heappop(self._heap)
                    else:
                        self._cond.wait()
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                action = heapq.heappop(self._heap)[2]
            if action is not None:
                with contextlib.suppress(Exception):
                    action()


WATCHDOG = Watchdog()


def shut_reading(sock: Any) -> None:
    # socket.socket's own shutdown, also for an SSL socket (whose override drops its TLS state).
    with contextlib.suppress(OSError, TypeError):
        socket.socket.shutdown(sock, socket.SHUT_RD)


def _content_length(environ: dict[str, Any]) -> int | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _reply(
    start_response: StartResponse, status: str, message: str, close: bool
) -> Iterable[bytes]:
    body = json.dumps({"error": status.split(" ", 1)[1], "message": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if close:
        headers.append(("Connection", "close"))
    start_response(status, headers)
    return [body]


class BodyDeadline:
    """WSGI middleware: the whole body within ``deadline`` seconds, or a 408 and a closed
    connection. A declared length over ``max_bytes`` is left to the app (its 413, unread)."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        deadline: float = BODY_DEADLINE_SECONDS,
        max_bytes: int,
        on_reject: Callable[[int, str], None] | None = None,
        watchdog: Watchdog = WATCHDOG,
    ) -> None:
        self.app, self.deadline, self.max_bytes = app, deadline, max_bytes
        self._on_reject = on_reject or (lambda status, reason: None)
        self._watchdog = watchdog

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = _content_length(environ)
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if (not length and not chunked) or (length is not None and length > self.max_bytes):
            return self.app(environ, start_response)
        wanted = length if length is not None else self.max_bytes + 1
        sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            if sock is not None:
                shut_reading(sock)

        entry = self._watchdog.arm(self.deadline, expire)
        parts: list[bytes] = []
        got = 0
        try:
            stream = environ["wsgi.input"]
            while got < wanted:
                chunk = stream.read(min(_CHUNK, wanted - got))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
        except Exception:  # a reset, a broken chunked encoding, or the watchdog's shutdown
            pass
        finally:
            self._watchdog.cancel(entry)
        complete = got == length if length is not None else got <= self.max_bytes
        if timed_out.is_set() and not complete:
            reason = f"request body not received within {self.deadline:g} s"
            self._on_reject(408, reason)
            return _reply(start_response, "408 Request Timeout", reason, close=True)
        if length is None and got > self.max_bytes:
            reason = f"request body is over {self.max_bytes} bytes"
            self._on_reject(413, reason)
            return _reply(start_response, "413 Request Entity Too Large", reason, close=True)
        if not complete:
            reason = "request body ended before its Content-Length"
            self._on_reject(400, reason)
            return _reply(start_response, "400 Bad Request", reason, close=True)
        body = b"".join(parts)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input_terminated"] = True
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

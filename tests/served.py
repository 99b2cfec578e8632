"""``muscle-guide serve`` as a subprocess, for tests that need the real command and server.

The port is read from gunicorn's own "Listening at" log line (the command is started with
``--port 0``), so parallel runs never race for a port.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = shutil.which("muscle-guide", path=str(Path(sys.executable).parent)) or "muscle-guide"


def http_request(
    port: int, method: str, path: str = "/", body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection to 127.0.0.1:``port``: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


class Served:
    """A ``muscle-guide serve`` subprocess; its port is read from gunicorn's own log line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [EXE, "serve", "--port", "0", "--workers", "1", *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self.port = 0
        self._listening = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._listening.wait(timeout=60) or not self.port:
            self.stop()
            raise AssertionError("muscle-guide serve did not start:\n" + "".join(self.log))
        self._wait_until_healthy()

    def _read_log(self) -> None:
        """Keep the server's stderr drained (a full pipe would block it) and spot its port."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found and not self.port:
                self.port = int(found.group(1))
                self._listening.set()
        self._listening.set()  # the process ended: stop waiting

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if http_request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("muscle-guide serve never became healthy:\n" + "".join(self.log))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def request(
        self, method: str, path: str = "/", body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        return http_request(self.port, method, path, body, headers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

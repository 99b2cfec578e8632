"""The web service over real HTTP: malformed requests get a 4xx (never a 500) and it keeps serving.

Most tests talk to ``create_app`` served by a threaded server on 127.0.0.1 (a free port) with
verification on, trusting the local test root from ``signing.py``. The last ones run the real
``muscle-guide serve`` command under gunicorn, as a developer or a deployment would.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from muscle_guide.config import Settings
from muscle_guide_simulator import envelopes as ev
from muscle_guide_tools.signing import LocalPKI, body_of, shared_pki
from muscle_guide_webservice.app import MAX_BODY_BYTES, create_app
from muscle_guide_webservice.verification import CERT_URL_HEADER, SIGNATURE_HEADER
from served import Served
from support import assert_valid_response, said, topic_of

ROOT = Path(__file__).resolve().parents[1]
EXE = shutil.which("muscle-guide", path=str(Path(sys.executable).parent)) or "muscle-guide"


class Client:
    """A tiny HTTP client for one server: a fresh connection per request, as Alexa's may be."""

    def __init__(self, host: str, port: int, pki: LocalPKI | None = None) -> None:
        self.host, self.port, self.pki = host, port, pki

    def request(
        self, method: str, path: str = "/", body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            return reply.status, dict(reply.getheaders()), reply.read()
        finally:
            connection.close()

    def signed(self, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST an envelope signed by the test PKI; the status and the decoded reply."""
        assert self.pki is not None
        body = body_of(event)
        status, _, data = self.request("POST", "/", body, self.pki.headers(body))
        return status, json.loads(data)


@pytest.fixture(scope="module")
def pki() -> LocalPKI:
    return shared_pki()


@pytest.fixture(scope="module")
def server(pki) -> Iterator[Client]:
    """The app with verification on, served by a threaded server on a free loopback port."""
    app = create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=pki.verifier(), body_deadline=1.0
    )
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Client("127.0.0.1", httpd.server_port, pki)
    httpd.shutdown()
    thread.join(timeout=10)


def new_session_event(request: dict[str, Any]) -> dict[str, Any]:
    return ev.envelope(request, ev.new_session())


def assert_still_serving(server: Client) -> None:
    status, envelope = server.signed(new_session_event(ev.intent_request("TreatmentIntent")))
    assert status == 200
    assert_valid_response(envelope)
    assert topic_of(envelope) == "treatment"


def error_of(body: bytes) -> str:
    return json.loads(body)["message"]


# --- what works --------------------------------------------------------------------------------


def test_signed_conversation_over_http_keeps_its_session(server):
    status, opened = server.signed(new_session_event(ev.launch_request()))
    assert status == 200
    assert_valid_response(opened)
    assert "Muscle Weakness Guide" in said(opened)
    session = ev.new_session(attributes=opened.get("sessionAttributes"))
    session["new"] = False
    status, answer = server.signed(ev.envelope(ev.intent_request("CausesIntent"), session))
    assert status == 200
    assert topic_of(answer) == "causes"
    assert answer["response"]["shouldEndSession"] is False


def test_health_check_answers_only_ok(server):
    status, _, body = server.request("GET", "/healthz")
    assert status == 200
    assert body == b"ok"  # nothing about whether verification is on


# --- malformed HTTP: 4xx, never 500, and the server keeps serving -----------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(server, method):
    status, headers, body = server.request(method, "/")
    assert status == 405
    assert "POST" in headers.get("Allow", "")
    assert error_of(body)
    assert_still_serving(server)


def test_unknown_path_is_404(server):
    status, _, body = server.request("POST", "/admin", b"{}")
    assert status == 404
    assert error_of(body)


SIGNED_LOOKING = {
    CERT_URL_HEADER: "https://s3.amazonaws.com/echo.api/x.pem",
    SIGNATURE_HEADER: "QQ==",
}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"not json at all", "not JSON"),
        (b"{'single': 'quotes'}", "not JSON"),
        (b'{"version": "1.0", "request": ', "not JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[" * 60_000 + b"]" * 60_000, "not JSON"),
        (b'["an", "array"]', "not a JSON object"),
        (b"42", "not a JSON object"),
        (b"null", "not a JSON object"),
        (b'{"hello": "world"}', "not an Alexa request envelope"),
        (b'{"version": "1.0", "request": "LaunchRequest"}', "not an Alexa request envelope"),
        (b'{"version": "1.0", "request": {}}', "needs a type"),
        (b'{"version": "1.0", "request": {"type": 7, "requestId": "r", "timestamp": "t"}}', "type"),
        (
            b'{"version": "1.0", "session": "s", "request": '
            b'{"type": "LaunchRequest", "requestId": "r", "timestamp": "2026-01-01T00:00:00Z"}}',
            "session is not an object",
        ),
        (
            b'{"version": "1.0", "context": [], "request": '
            b'{"type": "LaunchRequest", "requestId": "r", "timestamp": "2026-01-01T00:00:00Z"}}',
            "context is not an object",
        ),
        (
            b'{"version": "1.0", "request": '
            b'{"type": "LaunchRequest", "requestId": "r", "timestamp": "not a date"}}',
            "not an Alexa request envelope",
        ),
    ],
)
def test_bodies_that_are_not_alexa_envelopes_are_400(server, body, reason):
    for headers in ({"Content-Type": "application/json"}, SIGNED_LOOKING):
        status, _, reply = server.request("POST", "/", body, headers)
        assert status == 400, reply
        assert reason in error_of(reply)
    assert_still_serving(server)


def test_oversized_body_is_413(server):
    event = new_session_event(ev.intent_request("CausesIntent"))
    event["session"]["attributes"] = {"padding": "x" * MAX_BODY_BYTES}
    body = body_of(event)
    status, _, reply = server.request("POST", "/", body, server.pki.headers(body))
    assert status == 413
    assert error_of(reply)
    assert_still_serving(server)


def test_body_just_under_the_limit_is_answered(server):
    event = new_session_event(ev.intent_request("CausesIntent"))
    event["session"]["attributes"] = {"padding": ""}
    room = MAX_BODY_BYTES - len(body_of(event)) - 16
    event["session"]["attributes"]["padding"] = "x" * room
    status, envelope = server.signed(event)
    assert status == 200
    assert topic_of(envelope) == "causes"


def test_lying_content_length_is_rejected_not_crashed(server):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.putrequest("POST", "/")
    connection.putheader("Content-Length", str(MAX_BODY_BYTES * 100))
    connection.endheaders()
    connection.send(b'{"version": "1.0"}')
    status = connection.getresponse().status
    connection.close()
    assert status == 413
    assert_still_serving(server)


@pytest.mark.parametrize("depth", [900, 100])
def test_json_nested_deep_in_session_attributes_is_400_not_500(server, depth):
    event = new_session_event(ev.intent_request("CausesIntent"))
    nested: Any = "bottom"
    for _ in range(depth):
        nested = {"n": nested} if depth % 2 else [nested]
    event["session"]["attributes"] = {"deep": nested}
    body = body_of(event)
    status, _, reply = server.request("POST", "/", body, server.pki.headers(body))
    assert status == 400, reply
    assert "nested deeper" in error_of(reply)
    assert_still_serving(server)


def test_alexa_shaped_nesting_is_answered(server):
    event = new_session_event(ev.intent_request("CausesIntent"))
    nested: Any = "bottom"
    for _ in range(40):
        nested = {"n": nested}
    event["session"]["attributes"] = {"deep": nested}
    status, envelope = server.signed(event)
    assert status == 200
    assert topic_of(envelope) == "causes"


def trickle(host: str, port: int, declared: int = 4000) -> socket.socket:
    """A connection that has sent its headers and a first byte of a ``declared``-byte body."""
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {declared}\r\n\r\n{{".encode()
    )
    return sock


def test_body_not_complete_within_the_deadline_is_408_and_the_connection_closed(server):
    sock = trickle(server.host, server.port)
    started = time.monotonic()
    reply = b""
    try:
        while time.monotonic() - started < 3:  # a byte every 0.1 s: always sending, never done
            try:
                sock.sendall(b" ")
            except OSError:
                break
            sock.settimeout(0.1)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                break
            reply += data
        sock.settimeout(2)
        while data := sock.recv(65536):
            reply += data
    except OSError:
        pass
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b"Connection: close" in reply
    assert 0.9 < elapsed < 2.5  # the test server's deadline is 1 s, for the whole body
    assert_still_serving(server)


def test_well_formed_but_unsigned_envelope_is_400(server):
    body = body_of(new_session_event(ev.launch_request()))
    status, _, reply = server.request("POST", "/", body, {"Content-Type": "application/json"})
    assert status == 400
    assert "verification" in error_of(reply)


def test_many_bad_requests_in_a_row_do_not_wear_the_server_down(server):
    for index in range(50):
        status, _, _ = server.request("POST", "/", f"junk {index}".encode())
        assert status == 400
    assert_still_serving(server)


# --- the real command: muscle-guide serve under gunicorn ---------------------------------------


@pytest.fixture
def served(request):
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        started.append(Served(*args, env=env))
        return started[-1]

    yield start
    for instance in started:
        instance.stop()


@pytest.mark.slow
def test_serve_starts_with_verification_on_and_refuses_unsigned_requests(served):
    service = served(env={"SKILL_ID": ev.TEST_SKILL_ID})
    _, _, body = service.request("GET", "/healthz")
    assert body == b"ok"
    event = body_of(new_session_event(ev.launch_request()))
    # Nothing here is signed by Amazon, and no test may reach the internet: only requests that
    # fail before any certificate download are sent to the production verifier.
    assert service.request("POST", "/", event, {"Content-Type": "application/json"})[0] == 400
    bad_url = {CERT_URL_HEADER: "http://s3.amazonaws.com/echo.api/c.pem", SIGNATURE_HEADER: "QQ=="}
    assert service.request("POST", "/", event, bad_url)[0] == 400
    assert service.request("POST", "/", b"nonsense")[0] == 400
    assert service.request("GET", "/")[0] == 405
    assert "verification is OFF" not in "".join(service.log)


@pytest.mark.slow
def test_rejected_request_logs_one_line_without_traceback(served):
    service = served(env={"SKILL_ID": ev.TEST_SKILL_ID})
    event = body_of(new_session_event(ev.launch_request()))
    before = len(service.log)
    assert service.request("POST", "/", event, {"Content-Type": "application/json"})[0] == 400
    time.sleep(0.5)  # the log line is written by the server process; let the reader catch up
    lines = service.log[before:]
    rejected = [line for line in lines if "request rejected" in line]
    assert len(rejected) == 1, lines
    assert "missing the SignatureCertChainUrl" in rejected[0]
    assert not any("Traceback" in line for line in lines), lines


def serve_exit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``muscle-guide serve`` that must refuse to start: it has 30 s to exit on its own."""
    environment = {key: value for key, value in os.environ.items() if key != "SKILL_ID"}
    environment.update(env or {})
    try:
        return subprocess.run(
            [EXE, "serve", "--port", "0", "--workers", "1", *args],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except subprocess.TimeoutExpired as running:
        raise AssertionError(f"serve started instead of refusing: {running.stderr!r}") from None


@pytest.mark.slow
def test_serve_refuses_to_start_verified_without_a_skill_id():
    result = serve_exit()
    assert result.returncode == 2, result.stderr
    assert "SKILL_ID" in result.stderr
    assert "Listening at" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_serve_refuses_no_verify_on_a_host_that_is_not_loopback(host):
    result = serve_exit("--no-verify", "--host", host, env={"SKILL_ID": ev.TEST_SKILL_ID})
    assert result.returncode == 2, result.stderr
    assert "loopback" in result.stderr
    assert "Listening at" not in result.stderr


SLOW_CLIENTS = 24
SLOW_HEADER_CLIENTS = 8


@pytest.mark.slow
def test_slow_clients_trickling_bodies_do_not_stall_normal_requests(served):
    """Two dozen connections trickle a body, and a few more their headers, under gunicorn (one
    worker, as Served starts it) while a normal client's requests must each be answered within
    2 s; then the body deadline (5 s) ends a body trickler with a 408, and the header deadline
    (5 s) closes a header trickler."""
    service = served("--no-verify")
    slow = [trickle("127.0.0.1", service.port) for _ in range(SLOW_CLIENTS)]
    headers_only = []
    for _ in range(SLOW_HEADER_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", service.port), timeout=10)
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        headers_only.append(sock)
    stop = threading.Event()

    def keep_trickling() -> None:
        while not stop.wait(0.2):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")
            for sock in headers_only:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    feeder = threading.Thread(target=keep_trickling, daemon=True)
    feeder.start()
    started = time.monotonic()
    event = body_of(new_session_event(ev.intent_request("DiagnosisIntent")))
    latencies = []
    try:
        time.sleep(0.5)  # let every trickler reach a worker thread
        for _ in range(10):
            sent = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=2)
            try:
                connection.request("POST", "/", body=event)
                reply = connection.getresponse()
                assert reply.status == 200
                reply.read()
            finally:
                connection.close()
            latencies.append(time.monotonic() - sent)
        stop.set()
        feeder.join(timeout=2)
        # The tricklers stop sending; the first must be cut off by the 5 s body deadline.
        slow[0].settimeout(max(0.5, 6.5 - (time.monotonic() - started)))
        first = slow[0].recv(4096)
        headers_only[0].settimeout(max(0.5, 6.5 - (time.monotonic() - started)))
        try:
            cut_off = headers_only[0].recv(4096) == b""
        except ConnectionResetError:
            cut_off = True
    finally:
        stop.set()
        for sock in slow + headers_only:
            sock.close()
    print(f"normal requests beside {SLOW_CLIENTS} slow clients: max {max(latencies):.3f} s")
    assert max(latencies) < 2.0
    assert first.startswith(b"HTTP/1.1 408"), first
    assert cut_off


@pytest.mark.slow
def test_serve_no_verify_warns_loudly_and_answers(served):
    service = served("--no-verify")
    assert "verification is OFF" in "".join(service.log)
    event = body_of(new_session_event(ev.intent_request("DiagnosisIntent")))
    status, _, body = service.request("POST", "/", event)
    assert status == 200
    envelope = json.loads(body)
    assert_valid_response(envelope)
    assert topic_of(envelope) == "diagnosis"
    # gunicorn, like the test server, refuses an oversized body and keeps serving.
    status, _, _ = service.request("POST", "/", b"x" * (MAX_BODY_BYTES + 1))
    assert status == 413
    assert service.request("POST", "/", event)[0] == 200


@pytest.mark.slow
def test_serve_with_skill_id_refuses_other_skills(served):
    service = served("--no-verify", env={"SKILL_ID": ev.TEST_SKILL_ID})
    other = "amzn1.ask.skill.22222222-2222-2222-2222-222222222222"
    stranger = ev.envelope(
        ev.launch_request(), ev.new_session(skill_id=other), ev.context(skill_id=other)
    )
    status, _, body = service.request("POST", "/", body_of(stranger))
    assert status == 400
    status, _, body = service.request("POST", "/", body_of(new_session_event(ev.launch_request())))
    assert status == 200
    assert "Muscle Weakness Guide" in said(json.loads(body))


def test_chunked_body_over_the_limit_is_413_and_a_small_one_is_read(server):
    def chunked(payload: bytes) -> int:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        pieces = [payload[i : i + 8192] for i in range(0, len(payload), 8192)]
        try:
            connection.request(
                "POST", "/", body=iter(pieces), headers={"Transfer-Encoding": "chunked"},
                encode_chunked=True,
            )  # fmt: skip
            return connection.getresponse().status
        finally:
            connection.close()

    assert chunked(b"x" * (MAX_BODY_BYTES + 1)) == 413
    assert chunked(b"not json") == 400  # read in full, then refused for what it is
    assert_still_serving(server)

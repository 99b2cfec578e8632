"""A bounded load test of the web service, on loopback only: ``make load``.

It starts the service under gunicorn (the production WSGI server the README documents) with
request verification ON, trusting a throwaway test CA (``signing.signed_app``), then sends a fixed
number of signed Alexa requests (a mix of launches, topic questions, free questions and
follow-ups) over keep-alive connections from a small asyncio client, and reports requests per
second, latency percentiles and the error count. It exits non-zero if any request failed.

Then the fault scenarios, each on a fresh server, each reporting requests, errors and p99:

* ``store-hung``: the service's DynamoDB (``DYNAMODB_ENDPOINT``) is a loopback socket that
  accepts connections and never answers;
* ``store-down``: ``DYNAMODB_ENDPOINT`` is a closed loopback port;
* ``slow-clients``: connections that send their headers and then trickle the body a byte at a
  time, held open beside the normal clients for the whole run.

A scenario passes when the normal clients see no error and no answer takes longer than 2 s.

Everything is bounded: the request count, the concurrency, a per-request timeout, and a
wall-clock limit after which a run stops and counts what never finished as errors. Traffic goes
only to 127.0.0.1.

    python -m muscle_guide_tools.load --requests 5000 --concurrency 16 [--scenario all]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muscle_guide_simulator import envelopes as ev
from muscle_guide_tools.signing import PKI_DIR_ENV, LocalPKI, body_of

HERE = Path(__file__).resolve().parent


def request_mix() -> list[dict[str, Any]]:
    """What people say most: openings, the general topics, named conditions, free questions."""
    topic = [
        ev.slot("topic", "a l s", "als", "TOPIC"),
        ev.slot("topic", "low potassium", "hypokalemia", "TOPIC"),
        ev.slot("topic", "m s", "multiple_sclerosis", "TOPIC"),
        ev.slot("topic", "polio", "polio", "TOPIC"),
    ]
    questions = [
        "can low potassium make you weak",
        "why are my legs weak after the flu",
        "what is an e m g test",
        "is muscle weakness a sign of a stroke",
        "how do doctors find the cause of weakness",
    ]
    requests = [
        ev.launch_request(),
        ev.intent_request("CausesIntent"),
        ev.intent_request("DiagnosisIntent"),
        ev.intent_request("TreatmentIntent"),
        ev.intent_request("WhenToSeeDoctorIntent"),
        ev.intent_request("AMAZON.HelpIntent"),
        ev.intent_request("AMAZON.YesIntent"),
        ev.intent_request("AMAZON.StopIntent"),
        *(ev.intent_request("TopicIntent", [slot]) for slot in topic),
        *(ev.intent_request("AskQuestionIntent", [ev.slot("question", q)]) for q in questions),
    ]
    events = []
    for index, request in enumerate(requests):
        session = ev.new_session(attributes={"topic": "causes", "offer": "when_to_see_doctor"})
        session["new"] = index % 3 == 0
        events.append(ev.envelope(request, session))
    return events


@dataclass
class Results:
    """One latency per answered request; one reason per failed request (answered or not)."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unanswered: int = 0

    def error(self, reason: str) -> None:
        self.errors.append(reason)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


def check(status: int, body: bytes) -> str | None:
    """Why a reply is wrong, or None: 200 and a response envelope that says something."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        envelope = json.loads(body)
        speech = envelope["response"]["outputSpeech"]["ssml"]
    except (ValueError, KeyError, TypeError):
        return f"not a spoken response envelope: {body[:200]!r}"
    return None if speech.startswith("<speak>") else "speech is not SSML"


async def client(
    port: int,
    signed: list[tuple[bytes, dict[str, str]]],
    next_index: list[int],
    total: int,
    results: Results,
    timeout: float | None = None,
) -> None:
    """One keep-alive connection sending requests until ``total`` have been taken.

    With a ``timeout``, a request not answered in that many seconds counts as an error and the
    connection is dropped.
    """
    reader = writer = None
    while next_index[0] < total:
        index = next_index[0]
        next_index[0] += 1
        body, headers = signed[index % len(signed)]
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        payload = (
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
            f"{head}\r\n"
        ).encode() + body
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            writer.write(payload)
            await writer.drain()
            status, reply_headers, reply = await asyncio.wait_for(read_response(reader), timeout)
        except (
            OSError,
            ConnectionError,
            asyncio.IncompleteReadError,
            ValueError,
            TimeoutError,
        ) as error:
            results.error(f"{type(error).__name__}: {error}")
            results.unanswered += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        results.latencies.append(time.perf_counter() - started)
        problem = check(status, reply)
        if problem:
            results.error(problem)
        if reply_headers.get("connection", "").lower() == "close":
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(
    port: int,
    signed: list[tuple[bytes, dict[str, str]]],
    total: int,
    concurrency: int,
    results: Results,
    timeout: float | None = None,
) -> None:
    next_index = [0]
    await asyncio.gather(
        *(client(port, signed, next_index, total, results, timeout) for _ in range(concurrency))
    )


def start_server(
    pki_dir: Path, workers: int, env_extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int, list[str]]:
    """gunicorn on 127.0.0.1 with a free port, as ``muscle-guide serve`` runs it: the same worker
    class (gthread with a header deadline) and threads, so slow clients meet the real defences."""
    from muscle_guide_webservice.app import THREADS_PER_WORKER
    from muscle_guide_webservice.worker import WORKER_CLASS

    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        str(workers),
        "--worker-class",
        WORKER_CLASS,
        "--threads",
        str(THREADS_PER_WORKER),
        "--no-control-socket",
        "muscle_guide_tools.signing:signed_app()",
    ]
    env = {
        **os.environ,
        PKI_DIR_ENV: str(pki_dir),
        "LOG_LEVEL": "WARNING",
        "MUSCLE_GUIDE_STATE_FILE": os.devnull,
    }
    env.pop("SKILL_ID", None)
    env.update(env_extra or {})
    server = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log: list[str] = []
    found = threading.Event()
    port = [0]

    def drain() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            log.append(line)
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if match and not port[0]:
                port[0] = int(match.group(1))
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    if not found.wait(60) or not port[0]:
        server.kill()
        raise SystemExit("gunicorn did not start:\n" + "".join(log))
    return server, port[0], log


def stop_server(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def unsigned_status(port: int, body: bytes) -> int:
    """The status of one unsigned request: proof that the server under load really verifies."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- fault scenarios -------------------------------------------------------------------------

#: No answer may take longer than this, whatever the store or the other clients do.
ANSWER_LIMIT = 2.0
#: A normal client gives up on a request after this long (it then counts as an error).
REQUEST_TIMEOUT = 5.0
#: A fault scenario stops after this long, whatever is still waiting.
FAULT_TIME_LIMIT = 45.0
SCENARIOS = ("normal", "store-hung", "store-down", "slow-clients")


class HungStore:
    """A loopback TCP server that accepts every connection and never answers: a hung DynamoDB."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        #: Connections taken so far: a test can tell the store was really asked.
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)  # never read from, never written to
            del self.held[:-512]  # bounded: the oldest are dropped (and closed)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): a store that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def store_env(endpoint: str) -> dict[str, str]:
    """The service on a DynamoDB table at ``endpoint``, with dummy keys so nothing else is asked."""
    return {
        "PERSISTENCE_TABLE": "muscle-guide-load",
        "DYNAMODB_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": "load-test",
        "AWS_SECRET_ACCESS_KEY": "load-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass
class SlowOutcome:
    opened: int = 0
    bytes_sent: int = 0
    cut_off: int = 0  # the server closed the connection or answered before the body was done


async def slow_client(
    port: int, body: bytes, headers: dict[str, str], stop: asyncio.Event, outcome: SlowOutcome
) -> None:
    """Send the headers, then trickle the body a byte every 0.2 s until ``stop`` (or cut off)."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        outcome.cut_off += 1
        return
    outcome.opened += 1
    try:
        writer.write(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
            f"{head}\r\n".encode()
        )
        for index in range(len(body) - 1):  # never the last byte
            writer.write(body[index : index + 1])
            await writer.drain()
            outcome.bytes_sent += 1
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
                return  # the normal clients are done
            except TimeoutError:
                pass
            if reader.at_eof():
                outcome.cut_off += 1
                return
    except OSError:
        outcome.cut_off += 1
    finally:
        writer.close()


async def run_with_slow_clients(
    port: int,
    signed: list[tuple[bytes, dict[str, str]]],
    total: int,
    concurrency: int,
    slow: int,
    results: Results,
    outcome: SlowOutcome,
) -> None:
    stop = asyncio.Event()
    trickling = [
        asyncio.create_task(slow_client(port, *signed[n % len(signed)], stop, outcome))
        for n in range(slow)
    ]
    await asyncio.sleep(0.5)  # let them take their places first
    try:
        await run_load(port, signed, total, concurrency, results, REQUEST_TIMEOUT)
    finally:
        stop.set()
        await asyncio.gather(*trickling, return_exceptions=True)


@dataclass
class Report:
    name: str
    requests: int
    results: Results
    elapsed: float
    note: str = ""

    @property
    def errors(self) -> int:
        """Every request that did not get a good answer: failed, timed out, cut off, never sent."""
        results = self.results
        never_answered = self.requests - len(results.latencies) - results.unanswered
        return len(results.errors) + never_answered

    @property
    def slowest(self) -> float:
        return max(self.results.latencies, default=0.0)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.slowest <= ANSWER_LIMIT


def signed_mix(pki: LocalPKI) -> tuple[list[bytes], list[tuple[bytes, dict[str, str]]]]:
    """The mix, freshly timestamped and signed (Alexa's timestamps are good for 150 s)."""
    bodies = [body_of(event) for event in request_mix()]
    return bodies, [(body, pki.headers(body)) for body in bodies]


def run_scenario(
    name: str, pki: LocalPKI, folder: Path, args: argparse.Namespace
) -> tuple[Report | None, list[str]]:
    """Start a server for ``name``, load it, stop it; (None, log) if the server misbehaved."""
    hung = HungStore() if name == "store-hung" else None
    env: dict[str, str] = {}
    if hung is not None:
        env = store_env(hung.endpoint)
    elif name == "store-down":
        env = store_env(f"http://127.0.0.1:{closed_port()}")
    requests = args.requests if name == "normal" else args.fault_requests
    note = ""
    server, port, server_log = start_server(folder, args.workers, env)
    try:
        bodies, signed = signed_mix(pki)
        warm = Results()
        asyncio.run(run_load(port, signed, len(signed), 1, warm, REQUEST_TIMEOUT))
        if warm.errors:
            print(f"{name}: warm-up failed:", *warm.errors[:5], sep="\n  ", file=sys.stderr)
            return None, server_log
        if name == "normal":
            refused = unsigned_status(port, bodies[0])
            if refused != 400:
                print(f"verification is not on: unsigned request got {refused}", file=sys.stderr)
                return None, server_log
            note = "unsigned request refused with 400 (verification really on)"
        results = Results()
        slow = SlowOutcome()
        if name == "slow-clients":
            load = run_with_slow_clients(
                port, signed, requests, args.concurrency, args.slow_clients, results, slow
            )
        else:
            load = run_load(port, signed, requests, args.concurrency, results, REQUEST_TIMEOUT)
        limit = args.time_limit if name == "normal" else min(args.time_limit, FAULT_TIME_LIMIT)
        started = time.perf_counter()
        try:
            asyncio.run(asyncio.wait_for(load, limit))
        except TimeoutError:
            results.error(f"time limit of {limit:.0f} s reached")
        elapsed = time.perf_counter() - started
        if name == "slow-clients":
            note = (
                f"{slow.opened} slow clients trickled {slow.bytes_sent} bytes; "
                f"{slow.cut_off} cut off by the server"
            )
        if hung is not None:
            note = f"the hung store accepted {hung.accepted} connections and answered none"
    finally:
        stop_server(server)
        if hung is not None:
            hung.close()
    return Report(name, requests, results, elapsed, note), server_log


def print_report(report: Report, concurrency: int, server_log: list[str]) -> None:
    results = report.results
    done = len(results.latencies)
    verdict = "ok" if report.ok else "FAILED"
    print(f"scenario {report.name}: {verdict}")
    print(f"  requests     {done} of {report.requests} at {concurrency} concurrent connections")
    if report.note:
        print(f"  note         {report.note}")
    print(f"  duration     {report.elapsed:.2f} s")
    if done:
        ms = [latency * 1000 for latency in results.latencies]
        print(f"  throughput   {done / report.elapsed:.0f} requests/s")
        print(
            f"  latency ms   p50 {percentile(ms, 0.50):.1f}  p90 {percentile(ms, 0.90):.1f}  "
            f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
        )
    print(f"  errors       {report.errors}")
    if report.slowest > ANSWER_LIMIT:
        print(f"  slowest      {report.slowest:.2f} s: over the {ANSWER_LIMIT:.0f} s limit")
    for reason in results.errors[:10]:
        print(f"    {reason}")
    if not report.ok:
        print("  server log (last lines):", *server_log[-20:], sep="\n    ")


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--requests", type=int, default=5000, help="requests in the normal run")
    options.add_argument(
        "--fault-requests", type=int, default=400, help="requests in each fault scenario"
    )
    options.add_argument("--concurrency", type=int, default=16, help="connections at once (8-32)")
    options.add_argument("--slow-clients", type=int, default=8, help="trickling connections")
    options.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options.add_argument("--time-limit", type=float, default=120.0, help="stop a run after (s)")
    options.add_argument(
        "--scenario",
        default="all",
        choices=[*SCENARIOS, "faults", "all"],
        help="one scenario, the three fault scenarios, or all four",
    )
    args = options.parse_args(argv)
    if (
        not 1 <= args.requests <= 100_000
        or not 1 <= args.fault_requests <= 10_000
        or not 1 <= args.concurrency <= 64
        or not 0 <= args.slow_clients <= 64
    ):
        options.error("keep it bounded: 1-100000 requests, 1-64 connections, 0-64 slow clients")
    chosen = {"all": SCENARIOS, "faults": SCENARIOS[1:]}.get(args.scenario, (args.scenario,))

    pki = LocalPKI.create()
    reports: list[Report] = []
    from muscle_guide_webservice.app import THREADS_PER_WORKER

    print(
        f"muscle-guide load test: gunicorn, {args.workers} workers x {THREADS_PER_WORKER} threads "
        "(the serve worker, with header and body deadlines), verification on"
    )
    with tempfile.TemporaryDirectory(prefix="muscle-guide-load-") as folder:
        pki.save(Path(folder))
        for name in chosen:
            report, server_log = run_scenario(name, pki, Path(folder), args)
            if report is None:
                print("  server log (last lines):", *server_log[-20:], sep="\n    ")
                return 1
            print_report(report, args.concurrency, server_log)
            reports.append(report)

    print("\nscenario       requests  errors  p99 ms    max ms    verdict")
    for report in reports:
        ms = [latency * 1000 for latency in report.results.latencies] or [0.0]
        print(
            f"{report.name:<14} {len(report.results.latencies):>8}  {report.errors:>6}  "
            f"{percentile(ms, 0.99):>8.1f}  {max(ms):>8.1f}  {'ok' if report.ok else 'FAILED'}"
        )
    failed = [report.name for report in reports if not report.ok]
    if failed:
        print(f"failed: {', '.join(failed)} (errors, or an answer over {ANSWER_LIMIT:.0f} s)")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())

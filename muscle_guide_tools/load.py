"""A bounded load test of the web service, on loopback only: ``make load``.

It starts the service under gunicorn (the production WSGI server the README documents) with
request verification ON, trusting a throwaway test CA (``signing.signed_app``), then sends a fixed
number of signed Alexa requests (a mix of launches, topic questions, free questions and
follow-ups) over keep-alive connections from a small asyncio client, and reports requests per
second, latency percentiles and the error count. It exits non-zero if any request failed.

Everything is bounded: the request count, the concurrency, and a wall-clock limit after which the
run stops and counts what never finished as errors. Traffic goes only to 127.0.0.1.

    python muscle_guide_tools/load.py --requests 5000 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import signal
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
) -> None:
    """One keep-alive connection sending requests until ``total`` have been taken."""
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
            status, reply_headers, reply = await read_response(reader)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
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
) -> None:
    next_index = [0]
    await asyncio.gather(
        *(client(port, signed, next_index, total, results) for _ in range(concurrency))
    )


def start_server(pki_dir: Path, workers: int) -> tuple[subprocess.Popen[str], int, list[str]]:
    """gunicorn on 127.0.0.1 with a free port, as the README's production command runs it."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
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


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--requests", type=int, default=5000, help="how many requests in all")
    options.add_argument("--concurrency", type=int, default=16, help="connections at once (8-32)")
    options.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options.add_argument("--time-limit", type=float, default=120.0, help="stop after this long (s)")
    args = options.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 64:
        options.error("keep it bounded: 1-100000 requests, 1-64 connections")

    pki = LocalPKI.create()
    with tempfile.TemporaryDirectory(prefix="muscle-guide-load-") as folder:
        pki.save(Path(folder))
        bodies = [body_of(event) for event in request_mix()]
        signed = [(body, pki.headers(body)) for body in bodies]
        server, port, server_log = start_server(Path(folder), args.workers)
        try:
            warm = Results()
            asyncio.run(run_load(port, signed, len(signed), 1, warm))
            if warm.errors:
                print("warm-up failed:", *warm.errors[:5], sep="\n  ", file=sys.stderr)
                return 1
            refused = unsigned_status(port, bodies[0])
            if refused != 400:
                print(f"verification is not on: unsigned request got {refused}", file=sys.stderr)
                return 1
            results = Results()
            started = time.perf_counter()
            try:
                asyncio.run(
                    asyncio.wait_for(
                        run_load(port, signed, args.requests, args.concurrency, results),
                        args.time_limit,
                    )
                )
            except TimeoutError:
                results.error(f"time limit of {args.time_limit:.0f} s reached")
            elapsed = time.perf_counter() - started
        finally:
            stop_server(server)

    done = len(results.latencies)
    never_sent = args.requests - done - results.unanswered
    errors = len(results.errors) + never_sent
    print(f"muscle-guide load test: gunicorn, {args.workers} workers x 4 threads, verification on")
    print(f"  requests     {done} of {args.requests} at {args.concurrency} concurrent connections")
    print("  unsigned     refused with 400 (verification really on)")
    print(f"  duration     {elapsed:.2f} s")
    if done:
        ms = [latency * 1000 for latency in results.latencies]
        print(f"  throughput   {done / elapsed:.0f} requests/s")
        print(
            f"  latency ms   p50 {percentile(ms, 0.50):.1f}  p90 {percentile(ms, 0.90):.1f}  "
            f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
        )
    print(f"  errors       {errors}")
    for reason in results.errors[:10]:
        print(f"    {reason}")
    if errors:
        print("  server log (last lines):", *server_log[-20:], sep="\n    ")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

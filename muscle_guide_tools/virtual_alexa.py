"""Strict routing: spoken words through Bespoken's virtual-alexa to ``muscle-guide serve``.

virtual-alexa (npm, locked in ``tests/virtual_alexa/package-lock.json``) matches words against
the generated interaction model the strict way: a sample's literal words must all be there, a
custom slot must hold one of its listed values or synonyms, and ``AMAZON.SearchQuery`` takes
whatever is left after a carrier phrase. Words that match no sample are not understood at all.
Real Alexa generalises beyond its samples, and the project's simulator sends anything unmatched
to the free question; this is the floor under both: what the samples alone route.

    with served() as url:
        routes = route_questions(install(), url, "en-GB", ["what is polio"])
    routes[0]  # Route(intent='TopicIntent', topic='polio', matched=True)

Each question is the first words of a new session (as "Alexa, ask muscle weakness guide ..."),
sent with the driver's ``hear`` step: virtual-alexa's own matcher without its rule that any
utterance containing "ask", "open", "launch", "talk to" or "tell" is a launch phrase, which
would otherwise turn every "tell me about ..." into a launch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from muscle_guide_simulator import envelopes
from muscle_guide_tools import ROOT

VA_DIR = ROOT / "tests" / "virtual_alexa"
DRIVER = VA_DIR / "driver.js"
MODEL_DIR = ROOT / "skill-package" / "interactionModels" / "custom"


class Unavailable(Exception):
    """virtual-alexa cannot run here (no Node.js or npm, or the install failed)."""


class Route(NamedTuple):
    """Where virtual-alexa sent one utterance, and the topic the skill answered with."""

    intent: str | None
    topic: str | None
    matched: bool


def _lock_digest() -> str:
    return hashlib.sha256((VA_DIR / "package-lock.json").read_bytes()).hexdigest()


def install() -> str:
    """The path of ``node``, with virtual-alexa installed exactly as locked (``npm ci``)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise Unavailable("virtual-alexa needs Node.js and npm on PATH")
    stamp = VA_DIR / "node_modules" / ".muscle-guide-lock"
    if not stamp.exists() or stamp.read_text() != _lock_digest():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=VA_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise Unavailable(f"npm ci failed:\n{result.stdout}\n{result.stderr}")
        stamp.write_text(_lock_digest())
    return node


def run(
    node: str,
    url: str,
    locale: str,
    conversations: list[list[dict[str, Any]]],
    model_dir: Path = MODEL_DIR,
) -> list[list[dict[str, Any]]]:
    """Every conversation through one driver process: each step's request and response."""
    model = model_dir / f"{locale}.json"
    result = subprocess.run(
        [node, str(DRIVER), url, str(model), envelopes.TEST_SKILL_ID, locale],
        input=json.dumps(conversations),
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"virtual-alexa driver failed:\n{result.stderr}")
    runs: list[list[dict[str, Any]]] = json.loads(result.stdout)
    return runs


def route_questions(
    node: str, url: str, locale: str, questions: list[str], model_dir: Path = MODEL_DIR
) -> list[Route]:
    """Each question as the first words of a new session; where it went and what was answered.

    ``model_dir`` holds the interaction models virtual-alexa matches with (another build's, to
    compare); the skill behind ``url`` is always this checkout's.
    """
    runs = run(node, url, locale, [[{"hear": question}] for question in questions], model_dir)
    routes = []
    for (turn,) in runs:
        if turn.get("unmatched"):
            routes.append(Route(None, None, matched=False))
            continue
        if "error" in turn:
            raise RuntimeError(f"{turn['step']}: {turn['error']}")
        request = (turn.get("request") or {}).get("request") or {}
        intent = (request.get("intent") or {}).get("name")
        topic = ((turn.get("response") or {}).get("sessionAttributes") or {}).get("topic")
        routes.append(Route(intent, topic if isinstance(topic, str) else None, matched=True))
    return routes


@contextmanager
def served() -> Iterator[str]:
    """``muscle-guide serve --no-verify`` on a free loopback port, for the driver; its URL."""
    exe = shutil.which("muscle-guide", path=str(Path(sys.executable).parent)) or "muscle-guide"
    process = subprocess.Popen(
        [exe, "serve", "--port", "0", "--workers", "1", "--no-verify"],
        cwd=ROOT,
        env={**os.environ, "SKILL_ID": envelopes.TEST_SKILL_ID, "LOG_LEVEL": "WARNING"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    port: list[int] = []
    listening = threading.Event()

    def drain() -> None:  # keep stderr empty (a full pipe blocks the server) and find the port
        assert process.stderr is not None
        for line in process.stderr:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found and not port:
                port.append(int(found.group(1)))
                listening.set()
        listening.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        if not listening.wait(timeout=60) or not port:
            raise RuntimeError("muscle-guide serve did not start")
        yield f"http://127.0.0.1:{port[0]}/"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

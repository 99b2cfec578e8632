"""``make bench``: what Muscle Weakness Guide costs over a bare ASK SDK skill, side by side.

Every figure is taken for our skill and for the baseline (``baseline/hello_skill.py``, a bare ASK
SDK hello world) in the same run, alternating between the two so machine noise hits both alike,
and reported as a ratio. Budgets (issue "Benchmarks") are checked at the end; the exit status is
1 when one is missed, so a regression shows.

    python benchmarks/run.py [--runs 15] [--quick] [--skip-web] [--skip-artifact]

Results go to the terminal as a table and to ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
BASELINE = HERE / "baseline"
EVENTS = ROOT / "events"
ARTIFACT = ROOT / "build" / "skill.zip"
RESULTS = HERE / "results.json"
sys.path[:0] = [str(ROOT / "lambda"), str(BASELINE)]

BUDGETS = {
    "cold_start": 1.10,  # ratio, at most
    "cold_question_2x": 1.10,  # ratio, at most: a one-shot question, knowledge base twice the size
    "warm_p99": 1.25,  # ratio, at most
    "store_p99": 1.50,  # ratio against no store, at most
    "peak_memory": 1.15,  # ratio, at most
    "throughput": 0.90,  # ratio, at least
    "artifact_bytes": 3.5 * 1024 * 1024,  # absolute, below
    "retrieval_p99_ms": 0.5,  # absolute, below
}

#: What the child process runs: import the skill, answer one request, report its peak memory.
#: Peak memory is VmHWM from /proc, the high-water mark of this process image: getrusage's
#: ru_maxrss would report the forking parent's size, which Linux carries across exec.
COLD_CHILD = """
import json, sys
sys.path[:0] = {paths!r}
from {module} import lambda_handler
event = json.load(open({event!r}))
response = lambda_handler(event, None)
assert response["response"]["outputSpeech"]["ssml"], response
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def lambda_like_env(**extra: str) -> dict[str, str]:
    """The environment of a Lambda function with no table: production log level, no file store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUSCLE_GUIDE", "PYTHON"))}
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="muscle-guide-bench",
        LOG_LEVEL="INFO",
        PYTHONHASHSEED="0",
    )
    env.update(extra)
    return env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_summary(ours: list[float], base: list[float]) -> dict[str, Any]:
    """p50 and p99 of two interleaved latency samples (ms), and their ratios."""
    p50, p99 = percentile(ours, 0.50), percentile(ours, 0.99)
    base_p50, base_p99 = percentile(base, 0.50), percentile(base, 0.99)
    return {
        "ours_p50_ms": p50,
        "ours_p99_ms": p99,
        "base_p50_ms": base_p50,
        "base_p99_ms": base_p99,
        "p50_ratio": ratio(p50, base_p50),
        "p99_ratio": ratio(p99, base_p99),
        "requests": len(ours),
    }


def ratio(ours: float, base: float) -> float:
    return ours / base if base else float("inf")


# --- cold start and peak memory --------------------------------------------------------------


def cold_runs(
    python: str,
    paths: list[str],
    runs: int,
    event: Path,
    env: dict[str, str],
    flags: tuple[str, ...] = (),
    variants: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Median wall time and peak memory of fresh processes, ours and baseline alternating.

    With ``variants`` (label -> import paths of a build of ours), every variant runs in the
    same rounds as the baseline, one process each per round, and each gets its own ratio
    against that one baseline: the machine's drift between separate measurements (the bare
    SDK's own cold start has moved by a sixth between lines of one run) cannot make one
    variant look cheaper than another.
    """
    kinds = {"base": ("hello_skill", paths)}
    for label, variant_paths in (variants or {"ours": paths}).items():
        kinds[label] = ("lambda_function", variant_paths)
    times: dict[str, list[float]] = {k: [] for k in kinds}
    memory: dict[str, list[int]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind, (module, kind_paths) in kinds.items():
            code = COLD_CHILD.format(paths=kind_paths, module=module, event=str(event))
            started = time.perf_counter()
            done = subprocess.run(
                [python, "-I", *flags, "-c", code],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(f"{kind} cold start failed:\n{done.stderr[-2000:]}")
            times[kind].append(elapsed * 1000)
            memory[kind].append(int(done.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(v) for k, v in times.items()}
    mem = {k: statistics.median(v) / 1024 for k, v in memory.items()}

    def summary(kind: str) -> dict[str, Any]:
        return {
            "ours_ms": med[kind],
            "base_ms": med["base"],
            "ratio": ratio(med[kind], med["base"]),
            "ours_peak_mb": mem[kind],
            "base_peak_mb": mem["base"],
            "memory_ratio": ratio(mem[kind], mem["base"]),
            "runs": runs,
        }

    if variants is None:
        return summary("ours")
    return {label: summary(label) for label in variants}


def precompile(python: str, *folders: Path) -> None:
    subprocess.run(
        [python, "-m", "compileall", "-q", *map(str, folders)], check=True, capture_output=True
    )


def find_python313() -> str | None:
    """Python 3.13, the Lambda runtime's version, for running the artifact as Lambda would."""
    candidates = sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))
    candidates += [Path(p) for p in [shutil.which("python3.13")] if p]
    for candidate in candidates:
        check = subprocess.run([str(candidate), "--version"], capture_output=True, check=False)
        if check.returncode == 0:  # a pyenv shim for a version not selected fails here
            return str(candidate)
    return None


@contextmanager
def unpacked_artifact(precompiled: bool) -> Iterator[Path]:
    """The Lambda zip unpacked, with the baseline beside it; without .pyc files if asked."""
    with tempfile.TemporaryDirectory(prefix="bench-artifact-") as temp:
        folder = Path(temp)
        with zipfile.ZipFile(ARTIFACT) as archive:
            archive.extractall(folder)
        shutil.copy(BASELINE / "hello_skill.py", folder / "hello_skill.py")
        if not precompiled:
            for cache in folder.rglob("__pycache__"):
                shutil.rmtree(cache)
        yield folder


# --- warm latency and retrieval --------------------------------------------------------------


def request_mix() -> list[dict[str, Any]]:
    """A realistic spread: launches, free questions, condition slots, follow-ups, help."""
    from muscle_guide_simulator import envelopes as ev

    def in_session(request: dict[str, Any], attributes: dict[str, Any] | None = None) -> dict:
        session = ev.new_session(attributes=attributes)
        session["new"] = False
        return ev.envelope(request, session)

    questions = [
        "can low potassium make you weak",
        "why do my legs feel weak after the gym",
        "what is an e m g test",
        "how do doctors find the cause of weakness",
        "is physiotherapy good for m s",
    ]
    topics = [("a l s", "als"), ("slipped disc", "herniated_disc"), ("polio", "polio")]
    mix = [ev.envelope(ev.launch_request(), ev.new_session())]
    mix += [
        in_session(ev.intent_request("AskQuestionIntent", [ev.slot("question", q)]))
        for q in questions
    ]
    mix += [
        in_session(ev.intent_request("TopicIntent", [ev.slot("topic", said, ident, "TOPIC")]))
        for said, ident in topics
    ]
    mix += [
        in_session(ev.intent_request("CausesIntent")),
        in_session(
            ev.intent_request("AMAZON.YesIntent"), {"topic": "als", "offer": "physical_therapy"}
        ),
        in_session(ev.intent_request("AMAZON.MoreIntent"), {"topic": "polio"}),
        in_session(ev.intent_request("AMAZON.HelpIntent")),
    ]
    return mix


def as_baseline(event: dict[str, Any]) -> dict[str, Any]:
    """The same envelope for the hello-world skill: same slots and size, its own intent name."""
    copy = json.loads(json.dumps(event))
    if copy["request"]["type"] == "IntentRequest":
        copy["request"]["intent"]["name"] = "HelloIntent"
    return copy


def warm_latency(iterations: int) -> dict[str, Any]:
    """Per-request latency in one warm process, ours and baseline interleaved request by request."""
    os.environ.update(lambda_like_env())
    import hello_skill

    from lambda_function import lambda_handler
    from muscle_guide import logs

    # Production logging (INFO, a JSON line per request) stays on; the lines go to /dev/null, as
    # what is timed is the skill, not a terminal.
    logs.configure("INFO")
    real_stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115
    mix = request_mix()
    pairs = [(event, as_baseline(event)) for event in mix]
    for event, base in pairs:  # warm both up: first calls import lazily
        lambda_handler(json.loads(json.dumps(event)), None)
        hello_skill.lambda_handler(base, None)
    ours: list[float] = []
    base_times: list[float] = []
    clock = time.perf_counter
    for _ in range(iterations):
        for event, base in pairs:
            started = clock()
            lambda_handler(event, None)
            ours.append((clock() - started) * 1000)
            started = clock()
            hello_skill.lambda_handler(base, None)
            base_times.append((clock() - started) * 1000)
    sys.stderr.close()
    sys.stderr = real_stderr
    return latency_summary(ours, base_times)


def store_latency(iterations: int, users: int = 200) -> dict[str, Any]:
    """Warm per-request latency with the SQLite store against no store, interleaved.

    The same skill twice in one process: one on a fresh SQLite file in a temporary folder, one
    with memory off (``/dev/null``). Each request of the mix comes from one of ``users`` people in
    turn, so rows are read and written across a table of realistic size; every request reads its
    user's row and the ones that change something (a new topic, the disclaimer) write it.
    """
    from muscle_guide.config import Settings
    from muscle_guide.skill import SkillRunner, build_skill

    real_stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115
    saved_lambda = os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # a file store is built
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
            with_store = SkillRunner(build_skill(Settings(state_file=f"{folder}/state.db")))
            without = SkillRunner(build_skill(Settings(state_file=os.devnull)))
            events = []
            for number, event in enumerate(request_mix() * (users // len(request_mix()) + 1)):
                user = f"amzn1.ask.account.BENCH{number % users:04d}"
                copy = json.loads(json.dumps(event))
                copy["session"]["user"]["userId"] = user
                copy["context"]["System"]["user"]["userId"] = user
                events.append(copy)
            for event in events:  # warm both up, and give every user a row
                with_store(json.loads(json.dumps(event)))
                without(json.loads(json.dumps(event)))
            ours: list[float] = []
            base: list[float] = []
            clock = time.perf_counter
            for _ in range(iterations):
                for event in events:
                    started = clock()
                    with_store(event)
                    ours.append((clock() - started) * 1000)
                    started = clock()
                    without(event)
                    base.append((clock() - started) * 1000)
    finally:
        if saved_lambda is not None:
            os.environ["AWS_LAMBDA_FUNCTION_NAME"] = saved_lambda
        sys.stderr.close()
        sys.stderr = real_stderr
    return {**latency_summary(ours, base), "users": users}


def retrieval_latency(iterations: int) -> dict[str, Any]:
    """The search alone, for the labelled questions, after the index is loaded."""
    from muscle_guide.retrieval import retriever
    from muscle_guide_tools import evaluate

    index = retriever()
    questions = [q for q, _ in evaluate.load()[0]]
    times: list[float] = []
    for _ in range(iterations):
        for question in questions:
            started = time.perf_counter()
            index.match(question)
            times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": percentile(times, 0.50),
        "p99_ms": percentile(times, 0.99),
        "queries": len(times),
    }


# --- cost against the size of the knowledge base ---------------------------------------------

#: Words that make a copied topic's aliases its own (aliases are lower-case words and spaces).
_COPY_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")


@contextmanager
def scaled_tree(factor: int) -> Iterator[Path]:
    """A copy of ``lambda/`` whose knowledge base holds ``factor`` copies of every topic.

    Each copy gets its own ids and aliases (the original ones plus a code word), its related
    ids point within the copy, its own example questions (the original ones plus the code word),
    and the search index is rebuilt for it, so retrieval, the index load and the first question
    all pay for a knowledge base that size.
    """
    with tempfile.TemporaryDirectory(prefix=f"kb{factor}x-") as tmp:
        tree = Path(tmp) / "lambda"
        shutil.copytree(ROOT / "lambda", tree, ignore=shutil.ignore_patterns("__pycache__"))
        path = tree / "muscle_guide" / "data" / "knowledge_base.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        originals = list(data["topics"])
        for copy in range(1, factor):
            word = _COPY_WORDS[(copy - 1) % len(_COPY_WORDS)] + ("" if copy <= 7 else f" {copy}")
            for topic in originals:
                clone = dict(topic)
                clone["id"] = f"{topic['id']}_{copy}"
                clone["aliases"] = [f"{alias} {word}" for alias in topic["aliases"]]
                clone["related"] = [f"{r}_{copy}" for r in topic["related"]]
                data["topics"].append(clone)
        path.write_text(json.dumps(data), encoding="utf-8")
        examples_path = tree / "muscle_guide" / "data" / "examples.json"
        examples = json.loads(examples_path.read_text(encoding="utf-8"))
        for copy in range(1, factor):
            word = _COPY_WORDS[(copy - 1) % len(_COPY_WORDS)] + ("" if copy <= 7 else f" {copy}")
            for topic in originals:
                asked = examples.get(topic["id"], [])
                examples[f"{topic['id']}_{copy}"] = [f"{question} {word}" for question in asked]
        examples_path.write_text(json.dumps(examples), encoding="utf-8")
        subprocess.run([sys.executable, "-I", "-c", _REINDEX.format(tree=str(tree))], check=True)
        yield tree


_REINDEX = """
import sys
sys.path.insert(0, {tree!r})
from muscle_guide import retrieval
retrieval.save()
"""

_RETRIEVAL_CHILD = """
import json, sys, time
sys.path[:0] = [{tree!r}, {root!r}]
from muscle_guide.retrieval import retriever
from muscle_guide_tools import evaluate
index = retriever()
questions = [q for q, _ in evaluate.load()[0]]
times = []
for _ in range({iterations}):
    for question in questions:
        started = time.perf_counter()
        index.match(question)
        times.append((time.perf_counter() - started) * 1000)
times.sort()
print(json.dumps({{"p50_ms": times[len(times) // 2], "p99_ms": times[int(len(times) * 0.99)]}}))
"""


def scaling(factors: tuple[int, ...], runs: int, iterations: int) -> dict[str, Any]:
    """First-question cold start and retrieval p99 with the knowledge base 1x, 2x, 4x as big.

    All sizes and the baseline are started in the same rounds (``cold_runs``' variants), so
    the ratios of the sizes differ only by what the knowledge base costs.
    """
    out: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        trees = {f"{factor}x": stack.enter_context(scaled_tree(factor)) for factor in factors}
        for tree in trees.values():
            precompile(sys.executable, tree)
        cold = cold_runs(
            sys.executable,
            [str(BASELINE)],
            runs,
            EVENTS / "one_shot_causes.json",
            lambda_like_env(),
            variants={label: [str(tree), str(BASELINE)] for label, tree in trees.items()},
        )
        for label, tree in trees.items():
            code = _RETRIEVAL_CHILD.format(tree=str(tree), root=str(ROOT), iterations=iterations)
            done = subprocess.run(
                [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
            )
            retrieval = json.loads(done.stdout.strip().splitlines()[-1])
            knowledge = tree / "muscle_guide" / "data" / "knowledge_base.json"
            topics = len(json.loads(knowledge.read_text())["topics"])
            out[label] = {"topics": topics, "cold_question": cold[label], "retrieval": retrieval}
    return out


# --- web service throughput ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app: str, chdir: Path, workers: int) -> Iterator[int]:
    """A gunicorn server on loopback for the length of the block."""
    port = free_port()
    exe = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    env = lambda_like_env(PYTHONPATH=os.pathsep.join([str(ROOT / "lambda"), str(BASELINE)]))
    env.pop("AWS_LAMBDA_FUNCTION_NAME")  # a web service is not a Lambda function
    env["MUSCLE_GUIDE_STATE_FILE"] = os.devnull
    env["LOG_LEVEL"] = "WARNING"
    process = subprocess.Popen(
        [
            exe,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(chdir),
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start: {app}")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def load(port: int, bodies: list[bytes], total: int, concurrency: int) -> dict[str, Any]:
    """Send ``total`` POSTs over ``concurrency`` keep-alive connections; bounded in time too."""
    counter = iter(range(total))
    lock = threading.Lock()
    errors = 0
    latencies: list[float] = []
    deadline = time.monotonic() + 120

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            body = bodies[index % len(bodies)]
            started = time.perf_counter()
            try:
                connection.request("POST", "/", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                errors += 0 if ok else 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors + (total - len(latencies)),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
    }


def web_throughput(total: int, concurrency: int, workers: int, rounds: int) -> dict[str, Any]:
    """Requests per second under the same bounded load, same server and workers, both skills."""
    mix = request_mix()
    ours_bodies = [json.dumps(event).encode() for event in mix]
    base_bodies = [json.dumps(as_baseline(event)).encode() for event in mix]
    apps = {
        "ours": ("muscle_guide_webservice.app:create_app(verify=False)", ROOT, ours_bodies),
        "base": ("hello_web:app", BASELINE, base_bodies),
    }
    results: dict[str, list[dict[str, Any]]] = {"ours": [], "base": []}
    for _ in range(rounds):
        for kind, (app, chdir, bodies) in apps.items():
            with gunicorn(app, chdir, workers) as port:
                load(port, bodies, min(200, total), concurrency)  # warm every worker
                results[kind].append(load(port, bodies, total, concurrency))
    best = {kind: max(runs, key=lambda r: r["rps"]) for kind, runs in results.items()}
    return {
        "ours_rps": best["ours"]["rps"],
        "base_rps": best["base"]["rps"],
        "ratio": ratio(best["ours"]["rps"], best["base"]["rps"]),
        "ours_p99_ms": best["ours"]["p99_ms"],
        "base_p99_ms": best["base"]["p99_ms"],
        "errors": sum(r["errors"] for runs in results.values() for r in runs),
        "requests_per_run": total,
        "concurrency": concurrency,
        "workers": workers,
        "rounds": rounds,
    }


# --- report ----------------------------------------------------------------------------------


def build_artifact() -> None:
    """Build the artifact afresh: a stale one would measure yesterday's code and data."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_artifact.py")], check=True)


def table(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Rows of (measure, ours, baseline, ratio, budget verdict)."""
    rows: list[tuple[str, str, str, str, str]] = []

    def verdict(ok: bool, budget: str) -> str:
        return f"{'ok  ' if ok else 'MISS'} {budget}"

    for key, label in (
        ("cold_venv", "cold start, venv (launch)"),
        ("cold_artifact", "cold start, artifact precompiled"),
        ("cold_artifact_source", "cold start, artifact not precompiled"),
    ):
        cold = results.get(key)
        if cold:
            ok = cold["ratio"] <= BUDGETS["cold_start"]
            rows.append(
                (
                    label,
                    f"{cold['ours_ms']:.1f} ms",
                    f"{cold['base_ms']:.1f} ms",
                    f"{cold['ratio']:.3f}x",
                    verdict(ok, "<= 1.10x"),
                )
            )
    question = results.get("cold_venv_question")
    if question:
        rows.append(
            (
                "cold start, venv (first request a question)",
                f"{question['ours_ms']:.1f} ms",
                f"{question['base_ms']:.1f} ms",
                f"{question['ratio']:.3f}x",
                "(reported)",
            )
        )
    for factor, scaled in results.get("scaling", {}).items():
        cold = scaled["cold_question"]
        budgeted = factor == "2x"
        ok = cold["ratio"] <= BUDGETS["cold_question_2x"]
        rows.append(
            (
                f"cold start, first a question, {factor} knowledge ({scaled['topics']} topics)",
                f"{cold['ours_ms']:.1f} ms",
                f"{cold['base_ms']:.1f} ms",
                f"{cold['ratio']:.3f}x",
                verdict(ok, "<= 1.10x") if budgeted else "(reported)",
            )
        )
        rows.append(
            (
                f"retrieval p99, {factor} knowledge",
                f"{scaled['retrieval']['p99_ms'] * 1000:.1f} us",
                "-",
                "-",
                "(reported)",
            )
        )
    cold = results.get("cold_venv")
    if cold:
        ok = cold["memory_ratio"] <= BUDGETS["peak_memory"]
        rows.append(
            (
                "peak memory, cold-start process",
                f"{cold['ours_peak_mb']:.1f} MB",
                f"{cold['base_peak_mb']:.1f} MB",
                f"{cold['memory_ratio']:.3f}x",
                verdict(ok, "<= 1.15x"),
            )
        )
    warm = results.get("warm")
    if warm:
        rows.append(
            (
                "warm latency p50",
                f"{warm['ours_p50_ms']:.3f} ms",
                f"{warm['base_p50_ms']:.3f} ms",
                f"{warm['p50_ratio']:.3f}x",
                "(reported)",
            )
        )
        ok = warm["p99_ratio"] <= BUDGETS["warm_p99"]
        rows.append(
            (
                "warm latency p99",
                f"{warm['ours_p99_ms']:.3f} ms",
                f"{warm['base_p99_ms']:.3f} ms",
                f"{warm['p99_ratio']:.3f}x",
                verdict(ok, "<= 1.25x"),
            )
        )
    store = results.get("store")
    if store:
        ok = store["p99_ratio"] <= BUDGETS["store_p99"]
        rows.append(
            (
                "warm p99, SQLite store vs none",
                f"{store['ours_p99_ms']:.3f} ms",
                f"{store['base_p99_ms']:.3f} ms",
                f"{store['p99_ratio']:.3f}x",
                verdict(ok, "<= 1.50x"),
            )
        )
    retrieval = results.get("retrieval")
    if retrieval:
        rows.append(
            ("retrieval p50", f"{retrieval['p50_ms'] * 1000:.1f} us", "-", "-", "(reported)")
        )
        ok = retrieval["p99_ms"] < BUDGETS["retrieval_p99_ms"]
        rows.append(
            (
                "retrieval p99",
                f"{retrieval['p99_ms'] * 1000:.1f} us",
                "-",
                "-",
                verdict(ok, "< 500 us"),
            )
        )
    size = results.get("artifact_bytes")
    if size:
        ok = size < BUDGETS["artifact_bytes"]
        rows.append(
            (
                "artifact size, zipped",
                f"{size / 1024 / 1024:.2f} MB",
                "-",
                "-",
                verdict(ok, "< 3.5 MB"),
            )
        )
    web = results.get("web")
    if web:
        ok = web["ratio"] >= BUDGETS["throughput"] and web["errors"] == 0
        rows.append(
            (
                "web throughput (gunicorn)",
                f"{web['ours_rps']:.0f} req/s",
                f"{web['base_rps']:.0f} req/s",
                f"{web['ratio']:.3f}x",
                verdict(ok, ">= 0.90x, 0 errors"),
            )
        )
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    headers = ("measure", "ours", "baseline", "ratio", "budget")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(5)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="cold starts per variant (>= 10)")
    parser.add_argument("--quick", action="store_true", help="fewer iterations, for a smoke run")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--skip-artifact", action="store_true")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else max(10, args.runs)
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "budgets": BUDGETS,
    }

    def step(text: str) -> None:
        print(f"... {text}", file=sys.stderr, flush=True)

    venv_paths = [str(ROOT / "lambda"), str(BASELINE)]
    step("precompiling the skill and the baseline for the venv runs")
    precompile(sys.executable, ROOT / "lambda", BASELINE)
    step(f"cold starts from the venv, {runs} each, alternating")
    results["cold_venv"] = cold_runs(
        sys.executable, venv_paths, runs, EVENTS / "launch.json", lambda_like_env()
    )
    results["cold_venv_question"] = cold_runs(
        sys.executable, venv_paths, runs, EVENTS / "one_shot_causes.json", lambda_like_env()
    )

    if not args.skip_artifact:
        python313 = find_python313()
        build_artifact()
        results["artifact_bytes"] = ARTIFACT.stat().st_size
        if python313 is None:
            print("no Python 3.13 here: artifact cold starts skipped", file=sys.stderr)
        else:
            for key, precompiled in (("cold_artifact", True), ("cold_artifact_source", False)):
                step(f"cold starts from the artifact ({key}), Python 3.13")
                with unpacked_artifact(precompiled) as folder:
                    if precompiled:
                        precompile(python313, folder / "hello_skill.py")
                    # -B: nothing written, so every run compiles what has no .pyc, as Lambda would
                    flags = () if precompiled else ("-B",)
                    results[key] = cold_runs(
                        python313,
                        [str(folder)],
                        runs,
                        EVENTS / "launch.json",
                        lambda_like_env(),
                        flags,
                    )

    step("first question and retrieval with the knowledge base 1x, 2x and 4x as big")
    results["scaling"] = scaling((1, 2, 4), runs, 3 if args.quick else 20)

    step("warm latency, interleaved")
    results["warm"] = warm_latency(100 if args.quick else 600)
    step("warm latency with the SQLite store against none, interleaved")
    results["store"] = store_latency(10 if args.quick else 60)
    step("retrieval alone")
    results["retrieval"] = retrieval_latency(5 if args.quick else 40)

    if not args.skip_web:
        step("web throughput under gunicorn")
        results["web"] = web_throughput(
            total=500 if args.quick else 4000,
            concurrency=16,
            workers=2,
            rounds=1 if args.quick else 2,
        )

    rows = table(results)
    results["table"] = [
        dict(zip(("measure", "ours", "baseline", "ratio", "budget"), r, strict=True)) for r in rows
    ]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(rows)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    missed = [r[0] for r in rows if r[4].startswith("MISS")]
    if missed:
        print(f"budgets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

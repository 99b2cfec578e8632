"""The Lambda artifact, built as `make build` builds it, unpacked and run as Lambda would run it.

Lambda's Python 3.13 runtime imports ``lambda_function`` from the unpacked zip on a read-only
disk, with boto3 from the runtime. Here a clean Python 3.13 process (isolated mode, ``-I``: no
site-packages, no PYTHON* variables, so nothing of this repository's venv) gets only the
unpacked folder on ``sys.path``, as Lambda puts ``/var/task`` there. ``-I`` would ignore a
PYTHONPATH, so the driver adds the folder itself. Without a Python 3.13 interpreter the whole
module is skipped, and says so: then no test can stand in for the Lambda runtime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from support import load_script

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ROOT / "events" / "launch.json"
pytestmark = pytest.mark.slow


build = load_script("build_artifact")
PYTHON313 = build.find_python((3, 13))
if PYTHON313 is None and os.environ.get("CI"):  # CI has it (pyenv): never pass silently
    pytest.fail("no Python 3.13 interpreter for the artifact tests", pytrace=False)
if PYTHON313 is None:
    pytest.skip(
        "no Python 3.13 interpreter (the Lambda runtime's version) was found: install one "
        "(`pyenv install 3.13`) or point LAMBDA_PYTHON at it to test the artifact",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> dict[str, Any]:
    """Build once into a scratch folder (never touching build/), then unpack it."""
    work = tmp_path_factory.mktemp("artifact")
    out = work / "skill.zip"
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "scripts" / "build_artifact.py")),
            *("--out", str(out), "--staging", str(work / "staging")),
            *("--python", PYTHON313, "--require-python"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    unpacked = work / "task"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(unpacked)
        names = archive.namelist()
    return {"zip": out, "dir": unpacked, "names": names, "report": done.stdout}


def invoke(unpacked: Path, event: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``event`` through the unpacked artifact in a fresh, isolated Python 3.13."""
    driver = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import lambda_function\n"
        "event = json.load(open(sys.argv[2]))\n"
        "print(json.dumps(lambda_function.lambda_handler(event, None)))\n"
    )
    lambda_env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_LAMBDA_FUNCTION_NAME": "muscle-weakness-guide-test",
        "LAMBDA_TASK_ROOT": str(unpacked),
        "MUSCLE_GUIDE_STATE_FILE": "/dev/null",
    }
    return subprocess.run(
        [PYTHON313, "-I", "-c", driver, str(unpacked), str(event)],
        env={**lambda_env, **env},
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_artifact_is_under_the_size_budget(artifact) -> None:
    size = artifact["zip"].stat().st_size
    assert size < 3_500_000, f"{size:,} bytes"
    assert f"{size:,} bytes" in artifact["report"], "the build prints the artifact size"


def test_artifact_holds_no_tests_dev_tools_or_boto3(artifact) -> None:
    tops = {PurePosixPath(name).parts[0] for name in artifact["names"]}
    for provided in ("boto3", "botocore", "s3transfer", "jmespath"):
        assert provided not in tops, f"{provided} comes from the Lambda runtime"
    for tool in ("pytest", "_pytest", "ruff", "cfnlint", "samtranslator", "yaml", "setuptools"):
        assert tool not in tops
    for name in artifact["names"]:
        parts = PurePosixPath(name).parts
        assert "tests" not in parts and "test" not in parts, name
        assert not parts[-1].startswith("test_"), name
    for package in ("muscle_guide_simulator", "muscle_guide_webservice"):
        assert package not in tops, f"{package} lives outside lambda/ and never ships"
    assert "lambda_function.py" in artifact["names"]
    assert "muscle_guide/data/knowledge_base.json" in artifact["names"]
    assert "muscle_guide/data/search_index.idx" in artifact["names"]


def test_the_first_party_code_shipped_is_exactly_the_lambda_tree(artifact) -> None:
    """What ships is what you see: every file under lambda/ (caches aside), and nothing else."""
    tracked = subprocess.run(
        ["git", "ls-files", "lambda"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    expected = {name.removeprefix("lambda/") for name in tracked}
    shipped = {
        name
        for name in artifact["names"]
        if "__pycache__" not in name
        and (name.startswith("muscle_guide/") or "/" not in name)
        and not name.endswith("/")
    }
    first_party = {n for n in shipped if n in expected or n.startswith("muscle_guide/")}
    assert first_party == expected


def test_every_shipped_module_of_the_skill_is_precompiled_unchecked(artifact) -> None:
    unpacked = artifact["dir"]
    sources = [unpacked / "lambda_function.py", *sorted(unpacked.glob("muscle_guide/**/*.py"))]
    assert len(sources) > 10
    for source in sources:
        cached = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
        assert cached.is_file(), f"{source.relative_to(unpacked)} has no 3.13 pyc"
        flags = int.from_bytes(cached.read_bytes()[4:8], "little")
        # PEP 552: bit 0 = hash-based, bit 1 = check the source. Lambda should just trust it.
        assert flags == 0b01, f"{cached.name}: flags {flags:#b}, not unchecked-hash"
    assert (unpacked / "ask_sdk_core" / "__pycache__").is_dir(), "dependencies are compiled too"


def test_launch_event_speaks_the_welcome_under_python_313(artifact) -> None:
    unpacked = artifact["dir"]
    before = {p for p in unpacked.rglob("*") if p.is_file()}
    application = json.loads(LAUNCH.read_text())["session"]["application"]["applicationId"]
    done = invoke(unpacked, LAUNCH, SKILL_ID=application)
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout.strip().splitlines()[-1])
    ssml = response["response"]["outputSpeech"]["ssml"]
    assert "Welcome to Muscle Weakness Guide" in ssml
    assert response["response"].get("shouldEndSession") is False
    # No pyc was missing or refused: Python wrote nothing next to the code.
    after = {p for p in unpacked.rglob("*") if p.is_file()}
    assert after == before, sorted(str(p.relative_to(unpacked)) for p in after - before)


def test_artifact_refuses_another_skills_request(artifact) -> None:
    done = invoke(artifact["dir"], LAUNCH, SKILL_ID="amzn1.ask.skill.another")
    assert done.returncode != 0
    assert "SkillIdMismatch" in done.stderr


def test_the_build_refuses_a_stale_search_index(monkeypatch) -> None:
    """The skill trusts the saved index at run time, so the build is where staleness is caught."""
    from muscle_guide import retrieval

    build.check_data_is_current()  # today's index is current
    monkeypatch.setattr(retrieval, "is_current", lambda: False)
    with pytest.raises(build.BuildError, match="search index is stale"):
        build.check_data_is_current()

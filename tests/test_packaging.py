"""`pip install .` gives a working `muscle-guide`: packages, data files and the entry point.

The install goes into a fresh target folder with ``--no-deps``, and runs with this environment's
dependencies, so nothing is downloaded: what is tested is our own packaging (the package map in
pyproject.toml, the data files, the console script), not pip. (A plain ``pip install .`` into an
empty venv, which downloads the dependencies, was checked by hand: README, "Packaging".)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_pip_install_gives_a_muscle_guide_that_answers_from_the_checkout(tmp_path):
    site = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(ROOT)],
        check=True, env=env, timeout=300,
    )  # fmt: skip
    assert (site / "bin" / "muscle-guide").is_file()
    assert (site / "muscle_guide" / "data" / "knowledge_base.json").is_file()
    assert (site / "muscle_guide" / "data" / "search_index.idx").is_file()
    assert not (site / "muscle_guide" / "cli.py").exists()  # the CLI lives outside the skill
    code = (
        "import sys, muscle_guide, muscle_guide_simulator.cli as cli\n"
        "assert muscle_guide.__file__.startswith(sys.argv[1]), muscle_guide.__file__\n"
        "sys.exit(cli.main(['ask', 'what is an e m g test', '--json']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**env, "PYTHONPATH": str(site), "MUSCLE_GUIDE_STATE_FILE": os.devnull},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-800:]
    assert json.loads(done.stdout)["sessionAttributes"]["topic"] == "electromyography"


def test_the_project_metadata_declares_what_it_needs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "LicenseRef-Proprietary"  # an SPDX expression
    names = {d.split(">")[0].split("=")[0].split("<")[0] for d in project["dependencies"]}
    assert {"ask-sdk-core", "ask-sdk-model", "ask-sdk-dynamodb-persistence-adapter"} <= names
    assert any(d.startswith("flask-ask-sdk") for d in project["optional-dependencies"]["web"])
    assert "muscle-weakness-guide[web]" in project["optional-dependencies"]["dev"]

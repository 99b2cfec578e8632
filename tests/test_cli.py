"""The muscle-guide command, run as a person runs it: in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import assert_valid_response, said, topic_of

ROOT = Path(__file__).resolve().parents[1]
EXE = shutil.which("muscle-guide", path=str(Path(sys.executable).parent)) or "muscle-guide"


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MUSCLE_GUIDE_STATE_FILE": os.devnull}
    return subprocess.run(
        [EXE, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )


def test_ask_json_answers_overview():
    result = cli("ask", "what is muscle weakness", "--json")
    assert result.returncode == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert_valid_response(envelope)
    assert topic_of(envelope) == "overview"
    assert envelope["response"]["shouldEndSession"] is True


def test_ask_prints_readable_speech_and_card():
    result = cli("ask", "what causes muscle weakness")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Alexa: ")
    assert "<speak>" not in result.stdout
    assert "[card]" in result.stdout
    assert "(session ended)" in result.stdout


def test_chat_json_prints_one_envelope_per_line_and_keeps_the_session():
    script = "open muscle weakness guide\nwhat is muscle weakness\n\nyes\nrepeat\nhelp\nstop\n"
    result = cli("chat", "--json", stdin=script)
    assert result.returncode == 0, result.stderr
    envelopes = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(envelopes) == 6  # the blank line says nothing
    for envelope in envelopes:
        assert_valid_response(envelope)
    launch, overview, yes, repeat, help_, stop = envelopes
    assert "Welcome" in said(launch)
    assert topic_of(overview) == "overview"
    assert topic_of(yes) == "causes"
    assert said(repeat) == said(yes)
    assert topic_of(help_) == "causes"  # help keeps the conversation's place
    assert "Goodbye" in said(stop)
    assert stop["response"]["shouldEndSession"] is True


def test_chat_readable_mode_shows_reprompt():
    result = cli("chat", stdin="open muscle weakness guide\n")
    assert "Alexa: Welcome" in result.stdout
    assert "(reprompt)" in result.stdout


def test_chat_in_british_english_uses_999():
    result = cli("chat", "--locale", "en-GB", "--json", stdin="open muscle weakness guide\nhelp\n")
    help_ = json.loads(result.stdout.splitlines()[1])
    assert "999" in said(help_)


def test_invoke_runs_an_event_file():
    result = cli("invoke", "events/launch.json")
    assert result.returncode == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert "Welcome" in said(envelope)


def test_invoke_reports_a_missing_file_clearly():
    result = cli("invoke", "events/no_such_event.json")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


@pytest.mark.parametrize("args", [["ask"], ["chat", "--locale", "fr-FR"], []])
def test_bad_arguments_exit_with_usage(args):
    result = cli(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr

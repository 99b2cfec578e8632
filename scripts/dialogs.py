"""Replay files for ``ask dialog --replay``, made from tests/data/conversations.yaml.

``make dialogs`` writes ``tests/dialogs/<conversation>.<locale>.json``: for each conversation
and each locale it runs in, what the person says, turn by turn, in the ASK CLI's replay format.
The committed files carry a placeholder skill ID (the repository holds no real one), and
tests/test_dialogs.py fails when they no longer match the conversations.

``make dialogs-live`` replays every file against the live skill: it copies each into
``build/ask/dialogs/`` with the skill ID of ``.ask/ask-states.json`` (``make ask-link``) and runs
``ask dialog --replay`` on it, so the live skill hears the same conversations as the offline
tests (read what it answers against the expectations in conversations.yaml). ``--dry-run``
prints the commands only.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = ROOT / "tests" / "data" / "conversations.yaml"
DIALOGS = ROOT / "tests" / "dialogs"
LIVE = ROOT / "build" / "ask" / "dialogs"
STATES = ROOT / ".ask" / "ask-states.json"
ASK = ROOT / "tools" / "ask-cli" / "node_modules" / ".bin" / "ask"
PLACEHOLDER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def slug(name: str) -> str:
    """A file name from a conversation's name.

    >>> slug("no hands the conversation back")
    'no-hands-the-conversation-back'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].rstrip("-")


def replay_files() -> dict[str, dict[str, Any]]:
    """File name -> replay file content, for every conversation and locale."""
    data = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]
    files = {}
    for conversation in data:
        for locale in conversation["locales"]:
            files[f"{slug(conversation['name'])}.{locale}.json"] = {
                "skillId": PLACEHOLDER_SKILL_ID,
                "locale": locale,
                "type": "text",
                "userInput": [str(turn["say"]) for turn in conversation["turns"]],
            }
    return files


def render(content: dict[str, Any]) -> str:
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def stale(folder: Path = DIALOGS) -> list[str]:
    """Files that are missing, different or left over; empty when all is current."""
    expected = {name: render(content) for name, content in replay_files().items()}
    present = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.json")}
    return sorted(
        {name for name in expected if present.get(name) != expected[name]}
        | (set(present) - set(expected))
    )


def generate(folder: Path = DIALOGS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = replay_files()
    for old in folder.glob("*.json"):
        if old.name not in files:
            old.unlink()
    for name, content in files.items():
        (folder / name).write_text(render(content), encoding="utf-8")
    print(f"{len(files)} replay files in {folder}")


def replay_live(dry_run: bool) -> int:
    skill_id = "<skillId of .ask/ask-states.json>"
    if STATES.exists():
        skill_id = json.loads(STATES.read_text(encoding="utf-8"))["profiles"]["default"]["skillId"]
    elif not dry_run:
        print("no .ask/ask-states.json: run `make ask-link` first", file=sys.stderr)
        return 2
    ask = str(ASK.relative_to(ROOT)) if ASK.exists() else "ask"
    failures = 0
    for path in sorted(DIALOGS.glob("*.json")):
        live = LIVE / path.name
        command = [ask, "dialog", "--replay", str(live.relative_to(ROOT))]
        print(f"$ {shlex.join(command)}", flush=True)
        if dry_run:
            continue
        content = json.loads(path.read_text(encoding="utf-8"))
        live.parent.mkdir(parents=True, exist_ok=True)
        live.write_text(render({**content, "skillId": skill_id}), encoding="utf-8")
        failures += subprocess.run(command, cwd=ROOT, check=False).returncode != 0
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("generate", "check", "live"))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "generate":
        generate()
        return 0
    if args.action == "check":
        names = stale()
        for name in names:
            print(f"stale: tests/dialogs/{name} (run `make dialogs`)", file=sys.stderr)
        return 1 if names else 0
    return replay_live(args.dry_run)


if __name__ == "__main__":
    sys.exit(main())

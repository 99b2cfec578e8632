"""Point the ASK CLI project (ask-resources.json) at the SAM stack's skill: ``make ask-link``.

The stack owns the skill; the ASK CLI only updates its manifest and models (``ask deploy
--target skill-metadata``), talks to it (``ask dialog``) and routes its requests to this machine
(``ask run``). For that the CLI needs two things that are per user, and so not committed:

* ``.ask/ask-states.json`` with the skill's ID (the stack's ``SkillId`` output), and
* the skill package it uploads, ``build/ask/skill-package``: ``skill-package/`` as committed,
  with the live endpoint (the stack's ``SkillEndpointArn`` output, the function's alias) and the
  privacy and terms links (``PRIVACY_POLICY_URL``, ``TERMS_OF_USE_URL``) written into the
  manifest, exactly as ``make deploy`` uploads it. Uploading the committed manifest as it is
  would point the live skill at a placeholder endpoint.

``--dry-run`` prints what it would read and write, and changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy import (
    ROOT,
    SKILL_PACKAGE,
    DeployError,
    Runner,
    Settings,
    _package_files,
    check_links,
    manifest_bytes,
    stack_outputs,
)

STATES = ROOT / ".ask" / "ask-states.json"
ASK_PACKAGE = ROOT / "build" / "ask" / "skill-package"


def with_endpoint(manifest: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The manifest with the endpoints of the custom interface and of skill events set.

    Both are the function's alias, as CloudFormation's overrides set them.

    >>> with_endpoint({"manifest": {"apis": {"custom": {"endpoint": {"uri": "x"}}}}}, "arn:y")
    {'manifest': {'apis': {'custom': {'endpoint': {'uri': 'arn:y'}}}}}
    """
    result = json.loads(json.dumps(manifest))
    result["manifest"]["apis"]["custom"]["endpoint"] = {"uri": endpoint}
    if "events" in result["manifest"]:
        result["manifest"]["events"]["endpoint"] = {"uri": endpoint}
    return result


def write_package(endpoint: str, links: tuple[str, str], out: Path = ASK_PACKAGE) -> None:
    """Copy the skill package, with the live endpoint and the links in its manifest."""
    if out.exists():
        shutil.rmtree(out)
    for path in _package_files(SKILL_PACKAGE):
        target = out / path.relative_to(SKILL_PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name == "skill.json" and path.parent == SKILL_PACKAGE:
            manifest = with_endpoint(json.loads(path.read_text(encoding="utf-8")), endpoint)
            target.write_bytes(manifest_bytes(manifest, links))
        else:
            shutil.copyfile(path, target)


def write_states(skill_id: str, path: Path = STATES) -> None:
    """Set the default profile's skill ID, keeping what the CLI recorded there before."""
    states = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    states.setdefault("askcliStatesVersion", "2020-03-31")
    profile = states.setdefault("profiles", {}).setdefault("default", {})
    profile["skillId"] = skill_id
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(states, indent=2) + "\n", encoding="utf-8")


def link(runner: Runner, settings: Settings) -> None:
    runner.step("Read the skill ID and endpoint from the stack")
    outputs = stack_outputs(runner, settings)
    if outputs is None and not runner.dry_run:
        raise DeployError(f"there is no stack {settings.stack_name}: run `make deploy` first")
    outputs = outputs or {}
    skill_id = outputs.get("SkillId") or "<SkillId output>"
    endpoint = outputs.get("SkillEndpointArn") or "<SkillEndpointArn output>"
    runner.step("The manifest's privacy and terms links")
    links = check_links(runner, settings)
    runner.step("Write the ASK CLI's per-user files (not committed)")
    runner.note(f"{STATES.relative_to(ROOT)}: profiles.default.skillId = {skill_id}")
    runner.note(f"{ASK_PACKAGE.relative_to(ROOT)}: skill-package/ with endpoint {endpoint}")
    if runner.dry_run:
        return
    write_states(skill_id)
    write_package(endpoint, links)
    runner.note("now: ask deploy --target skill-metadata, ask dialog, ask run (README, Deploy)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    args = parser.parse_args(argv)
    runner = Runner(dry_run=args.dry_run)
    try:
        link(runner, Settings.load(dict(os.environ)))
    except DeployError as error:
        print(f"\nask-link failed: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

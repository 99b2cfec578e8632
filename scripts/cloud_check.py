"""Amazon's checks of the live skill that nothing offline can reproduce: ``make cloud-check``.

Against the skill the SAM stack created (its ``SkillId`` output, or ``SKILL_ID``), in the
development stage, each through the ASK CLI's ``ask smapi`` commands (tools/ask-cli):

1. **Utterance conflicts** of every locale's interaction model: the conflict-detection job's
   status, then the conflicts (utterances that more than one intent claims).
2. **NLU evaluation** built from the project's labelled questions (tests/data/questions.yaml,
   with its off-topic utterances): an annotation set per locale is created and filled, an
   evaluation is run on it, and its results are read, to give the accuracy per expected intent.
   The expected intent of a question is the one the offline model routes it to (the simulator
   that ``make eval`` measures), so the evaluation says where Alexa's NLU disagrees with it.
   The annotation sets are deleted afterwards.
3. **Skill validation** (``submit-skill-validation``) of all locales, then its result.

It prints a summary and exits 1 when a check found a problem (conflicts, accuracy below
``MIN_ACCURACY``, a failed validation). ``--dry-run`` (``make cloud-check DRY_RUN=1``) prints every
command it would run and calls nothing; it still writes the annotation files, to show them.

Needs: the ASK CLI (``make ask-cli``) configured once with ``ask configure``, and, to find the
skill ID, the AWS CLI with credentials (or ``SKILL_ID``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda"))

import yaml
from deploy import ROOT, DeployError, Runner, Settings, stack_outputs

QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
MANIFEST = ROOT / "skill-package" / "skill.json"
OUT = ROOT / "build" / "cloud-check"
LOCAL_ASK = ROOT / "tools" / "ask-cli" / "node_modules" / ".bin" / "ask"
STAGE = "development"
#: Below this share of test cases with the expected intent, the NLU evaluation fails the check.
MIN_ACCURACY = 0.9
POLL_SECONDS = 10
POLL_LIMIT = 90  # 15 minutes per job


def locales() -> list[str]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))["manifest"]
    return list(manifest["publishingInformation"]["locales"])


def labelled_utterances() -> list[str]:
    """Every labelled question and off-topic utterance of the main evaluation set."""
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [entry["q"] for entry in data["questions"]] + list(data["off_topic"])


def annotations(locale: str) -> dict[str, Any]:
    """The NLU annotation set for one locale, in the API's JSON form.

    >>> first = annotations("en-US")["data"][0]
    >>> first["inputs"]["utterance"], first["expected"][0]["intent"]["name"]
    ('what is muscle weakness', 'OverviewIntent')
    """
    from muscle_guide_simulator.simulator import understand

    data = []
    seen: set[str] = set()
    for utterance in labelled_utterances():
        if utterance in seen:
            continue
        seen.add(utterance)
        heard = understand(utterance, locale)
        if heard.kind != "intent" or not heard.intent:
            continue
        slots = {
            slot["name"]: {"value": slot["value"]} for slot in heard.slots if slot.get("value")
        }
        intent: dict[str, Any] = {"name": heard.intent}
        if slots:
            intent["slots"] = slots
        data.append({"inputs": {"utterance": utterance}, "expected": [{"intent": intent}]})
    return {"data": data}


def accuracy_per_intent(test_cases: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """(right, total) per expected intent, from an evaluation's test cases.

    >>> accuracy_per_intent([
    ...     {"expected": [{"intent": {"name": "A"}}], "actual": {"intent": {"name": "A"}}},
    ...     {"expected": [{"intent": {"name": "A"}}], "actual": {"intent": {"name": "B"}}},
    ... ])
    {'A': (1, 2)}
    """
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for case in test_cases:
        expected = {e.get("intent", {}).get("name") for e in case.get("expected", [])}
        actual = (case.get("actual") or {}).get("intent", {}).get("name")
        for name in expected:
            totals[name] += 1
            right[name] += actual == name
    return {name: (right[name], totals[name]) for name in sorted(totals)}


class Checker:
    """Runs the ``ask smapi`` steps through a deploy Runner, and collects the summary."""

    def __init__(self, runner: Runner, ask: str, skill_id: str) -> None:
        self.runner = runner
        self.ask = ask
        self.skill_id = skill_id
        self.summary: list[str] = []
        self.failed = False

    def smapi(self, command: str, *args: str) -> Any | None:
        """Run one ``ask smapi`` command and return its JSON answer (None on a dry run).

        Commands whose API answers with no body print a sentence instead of JSON; that comes
        back as ``{"output": sentence}``.
        """
        line = [self.ask, "smapi", command, "-s", self.skill_id, *args]
        self.runner.show(line)
        if self.runner.dry_run:
            return None
        env = {**self.runner.env, "ASK_SHARE_USAGE": "false"}
        done = subprocess.run(line, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()[-500:]
            raise DeployError(f"`ask smapi {command}` failed: {detail}")
        try:
            return json.loads(done.stdout)
        except ValueError:
            return {"output": done.stdout.strip()}

    def poll(self, command: str, args: Sequence[str], done: Callable[[Any], bool]) -> Any | None:
        """Repeat a status command until ``done`` says so (one call on a dry run)."""
        for _ in range(POLL_LIMIT):
            answer = self.smapi(command, *args)
            if answer is None or done(answer):
                return answer
            time.sleep(POLL_SECONDS)
        raise DeployError(f"`ask smapi {command}` did not finish in time")

    def record(self, line: str, ok: bool = True) -> None:
        self.summary.append(f"{'ok  ' if ok else 'FAIL'} {line}")
        self.failed |= not ok

    # --- the three checks

    def conflicts(self, locale: str) -> None:
        self.runner.step(f"Utterance conflicts, {locale}")
        model = ["-l", locale, "-g", STAGE, "--vers", "~current"]
        self.poll(
            "get-conflict-detection-job-status-for-interaction-model",
            model,
            lambda a: a.get("status") != "IN_PROGRESS",
        )
        found = self.smapi("get-conflicts-for-interaction-model", *model)
        if found is None:
            return
        total = found.get("paginationContext", {}).get("totalCount", 0) or 0
        for conflict in found.get("results", [])[:10]:
            clashing = ", ".join(
                c.get("intent", {}).get("name", "?") for c in conflict["conflicts"]
            )
            self.runner.note(f'"{conflict.get("utterance")}": {clashing}')
        self.record(f"{locale}: {total} utterance conflicts", ok=total == 0)

    def nlu_evaluation(self, locale: str) -> None:
        self.runner.step(f"NLU evaluation of the labelled questions, {locale}")
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"annotations-{locale}.json"
        body = annotations(locale)
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        self.runner.note(f"{path.relative_to(ROOT)}: {len(body['data'])} annotations")
        created = self.smapi(
            "create-nlu-annotation-set", "-l", locale, "--name", f"muscle-guide-{locale}"
        )
        annotation_id = (created or {}).get("id", "<annotation-id>")
        self.smapi(
            "update-annotations-for-nlu-annotation-sets",
            *("--annotation-id", annotation_id, "--content-type", "application/json"),
            *("--update-nlu-annotation-set-annotations-request", f"file:{path.relative_to(ROOT)}"),
        )
        started = self.smapi(
            "create-nlu-evaluations",
            *("-l", locale, "-g", STAGE, "--source-annotation-id", annotation_id),
        )
        evaluation_id = (started or {}).get("id", "<evaluation-id>")
        self.poll(
            "get-nlu-evaluation",
            ["--evaluation-id", evaluation_id],
            lambda a: a.get("status") != "IN_PROGRESS",
        )
        cases: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.smapi(
                "get-result-for-nlu-evaluations",
                *("--evaluation-id", evaluation_id, "--max-results", "1000"),
                *(("--next-token", token) if token else ()),
            )
            if page is None:
                break
            cases += page.get("testCases", [])
            token = page.get("paginationContext", {}).get("nextToken")
            if not token:
                break
        self.smapi("delete-properties-for-nlu-annotation-sets", "--annotation-id", annotation_id)
        if self.runner.dry_run:
            return
        per_intent = accuracy_per_intent(cases)
        right = sum(r for r, _ in per_intent.values())
        total = sum(t for _, t in per_intent.values()) or 1
        for name, (r, t) in per_intent.items():
            self.runner.note(f"{name}: {r}/{t} ({r / t:.0%})")
        self.record(
            f"{locale}: NLU evaluation {right}/{total} ({right / total:.1%}) with the expected "
            f"intent, {len(per_intent)} intents",
            ok=right / total >= MIN_ACCURACY,
        )

    def validation(self, all_locales: Sequence[str]) -> None:
        self.runner.step("Skill validation, every locale")
        submitted = self.smapi("submit-skill-validation", "-l", ",".join(all_locales), "-g", STAGE)
        validation_id = (submitted or {}).get("id", "<validation-id>")
        result = self.poll(
            "get-skill-validations",
            ["-i", validation_id, "-g", STAGE],
            lambda a: a.get("status") != "IN_PROGRESS",
        )
        if result is None:
            return
        failed = [
            v
            for v in result.get("result", {}).get("validations", [])
            if v.get("status") == "FAILED"
        ]
        required = [v for v in failed if v.get("importance") != "RECOMMENDED"]
        for item in failed:
            importance = item.get("importance", "REQUIRED").lower()
            self.runner.note(f"{importance}: {item.get('title')}: {item.get('description', '')}")
        self.record(
            f"validation {result.get('status')}: {len(required)} required and "
            f"{len(failed) - len(required)} recommended checks failed",
            ok=result.get("status") == "SUCCESSFUL" and not required,
        )


def find_ask(runner: Runner) -> str:
    for candidate in (os.environ.get("ASK_CLI"), str(LOCAL_ASK), shutil.which("ask")):
        if candidate and Path(candidate).exists():
            path = Path(os.path.abspath(candidate))  # the link itself, not ask.js
            return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else candidate
    if not runner.dry_run:
        raise DeployError("the ASK CLI is missing: run `make ask-cli`, then `ask configure`")
    return "ask"


def skill_id(runner: Runner, settings: Settings) -> str:
    if os.environ.get("SKILL_ID"):
        return os.environ["SKILL_ID"]
    runner.step("Find the skill: the stack's SkillId output")
    outputs = stack_outputs(runner, settings)
    if runner.dry_run:
        return "<SkillId output>"
    if not outputs or not outputs.get("SkillId"):
        raise DeployError(f"stack {settings.stack_name} has no SkillId output: `make deploy`")
    return outputs["SkillId"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print every command; call none")
    parser.add_argument("--locale", action="append", help="only these locales (repeatable)")
    args = parser.parse_args(argv)
    runner = Runner(dry_run=args.dry_run)
    try:
        settings = Settings.load(dict(os.environ))
        if args.dry_run:
            print("Dry run: every command of make cloud-check; nothing is called.")
        checker = Checker(runner, find_ask(runner), skill_id(runner, settings))
        chosen = args.locale or locales()
        for locale in chosen:
            checker.conflicts(locale)
        for locale in chosen:
            checker.nlu_evaluation(locale)
        checker.validation(chosen)
    except DeployError as error:
        print(f"\ncloud-check failed: {error}", file=sys.stderr)
        return 2
    print("\n==> Summary" + (" (dry run: nothing was called)" if args.dry_run else ""))
    for line in checker.summary or ["(no results on a dry run)"]:
        print(f"    {line}")
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main())

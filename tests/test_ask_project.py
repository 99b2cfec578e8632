"""The ASK CLI project beside SAM, make cloud-check, the replay files and the hash locks.

Nothing here calls Amazon: the cloud check runs as a dry run with an empty PATH, so it can
only print its commands.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from support import load_script

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = json.loads((ROOT / "ask-resources.json").read_text(encoding="utf-8"))
SMAPI_STEPS = [
    "ask smapi get-conflict-detection-job-status-for-interaction-model",
    "ask smapi get-conflicts-for-interaction-model",
    "ask smapi create-nlu-annotation-set",
    "ask smapi update-annotations-for-nlu-annotation-sets",
    "ask smapi create-nlu-evaluations",
    "ask smapi get-nlu-evaluation",
    "ask smapi get-result-for-nlu-evaluations",
    "ask smapi delete-properties-for-nlu-annotation-sets",
    "ask smapi submit-skill-validation",
    "ask smapi get-skill-validations",
]


def run_script(name: str, *args: str, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / f"{name}.py"), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


# --------------------------------------------------------------------------- ask-resources.json


def test_ask_resources_describe_this_project() -> None:
    assert RESOURCES["askcliResourcesVersion"] == "2020-03-31"
    profile = RESOURCES["profiles"]["default"]
    assert profile["skillMetadata"]["src"] == "./build/ask/skill-package"
    assert profile["code"]["default"]["src"] == "./lambda"
    function = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))["Resources"][
        "SkillFunction"
    ]["Properties"]
    user = profile["skillInfrastructure"]["userConfig"]
    assert user["runtime"] == function["Runtime"]
    assert user["handler"] == function["Handler"]
    handler_file = user["handler"].rsplit(".", 1)[0] + ".py"
    assert (ROOT / "lambda" / handler_file).is_file(), "ask run starts this file"
    # No deployer type: a plain `ask deploy` must not build a second stack beside SAM's.
    assert "type" not in profile["skillInfrastructure"]


def test_per_user_ask_state_is_never_committed() -> None:
    assert ".ask/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    tracked = subprocess.run(
        ["git", "ls-files", ".ask", "build"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.stdout.strip() == ""


def test_ask_link_writes_the_live_endpoint_and_links_into_a_copy(tmp_path) -> None:
    ask_project = load_script("ask_project")
    endpoint = "arn:aws:lambda:us-east-1:000000000000:function:muscle:live"
    links = ("https://docs.acme-health.org/mwg/privacy", "https://docs.acme-health.org/mwg/terms")
    ask_project.write_package(endpoint, links, out=tmp_path / "package")
    manifest = json.loads((tmp_path / "package" / "skill.json").read_text())["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": endpoint}
    assert manifest["events"]["endpoint"] == {"uri": endpoint}
    assert {
        u["privacyPolicyUrl"] for u in manifest["privacyAndCompliance"]["locales"].values()
    } == {links[0]}
    models = sorted(
        p.name for p in (tmp_path / "package" / "interactionModels" / "custom").iterdir()
    )
    assert models == sorted(
        p.name for p in (ROOT / "skill-package/interactionModels/custom").iterdir()
    )
    ask_project.write_states(
        "amzn1.ask.skill.00000000-0000-0000-0000-000000000000", tmp_path / "s.json"
    )
    states = json.loads((tmp_path / "s.json").read_text())
    assert states["profiles"]["default"]["skillId"].startswith("amzn1.ask.skill.")


def test_ask_link_dry_run_changes_nothing(tmp_path) -> None:
    done = run_script("ask_project", "--dry-run", path=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "aws cloudformation describe-stacks" in done.stdout
    assert ".ask/ask-states.json" in done.stdout


# --------------------------------------------------------------------------- the ASK CLI itself


def test_ask_cli_is_pinned_with_the_overrides_it_needs() -> None:
    folder = ROOT / "tools" / "ask-cli"
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["ask-cli"])
    assert package["overrides"]["antlr4ts"] == "0.5.0-alpha.4"
    assert package["overrides"]["ask-smapi-model"] == "1.23.0"
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert lock["node_modules/antlr4ts"]["version"] == "0.5.0-alpha.4"
    smapi_models = {v["version"] for k, v in lock.items() if k.endswith("/ask-smapi-model")}
    assert smapi_models == {"1.23.0"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "npm ci" in makefile, "installed from the lock, overrides and all"


# --------------------------------------------------------------------------- make cloud-check


def test_cloud_check_dry_run_prints_every_call_and_calls_nothing(tmp_path) -> None:
    log = tmp_path / "calls.log"
    for tool in ("ask", "aws", "npx"):
        fake = tmp_path / tool
        fake.write_text(f'#!/bin/sh\necho {tool} "$@" >> {log}\nexit 1\n')
        fake.chmod(0o755)
    done = run_script("cloud_check", "--dry-run", path=str(tmp_path), ASK_CLI=str(tmp_path / "ask"))
    assert done.returncode == 0, done.stderr
    assert not log.exists(), "a dry run calls nothing"
    out = done.stdout
    positions = [out.find(step) for step in SMAPI_STEPS]
    assert -1 not in positions, [s for s, p in zip(SMAPI_STEPS, positions, strict=True) if p < 0]
    for locale in ("en-US", "en-GB", "en-IN", "en-AU", "en-CA"):
        assert f"get-conflicts-for-interaction-model -s '<SkillId output>' -l {locale}" in out
        assert f"create-nlu-evaluations -s '<SkillId output>' -l {locale} -g development" in out
    assert "submit-skill-validation -s '<SkillId output>' -l en-US,en-GB,en-IN,en-AU,en-CA" in out
    assert "Summary (dry run: nothing was called)" in out


def test_cloud_check_without_the_ask_cli_says_how_to_get_it(tmp_path) -> None:
    done = run_script("cloud_check", path=str(tmp_path), SKILL_ID="amzn1.ask.skill.x", ASK_CLI="")
    if (ROOT / "tools" / "ask-cli" / "node_modules" / ".bin" / "ask").exists():
        return  # installed here: the real run would call Amazon, which this test never does
    assert done.returncode == 2
    assert "make ask-cli" in done.stderr


def test_annotations_come_from_the_labelled_questions() -> None:
    cloud_check = load_script("cloud_check")
    body = cloud_check.annotations("en-GB")
    utterances = [a["inputs"]["utterance"] for a in body["data"]]
    assert len(utterances) == len(set(utterances)) >= 250
    assert "what is muscle weakness" in utterances
    intents = {a["expected"][0]["intent"]["name"] for a in body["data"]}
    assert {"AskQuestionIntent", "TopicIntent"} <= intents


# --------------------------------------------------------------------------- replay files


def test_replay_files_match_the_conversations() -> None:
    dialogs = load_script("dialogs")
    assert dialogs.stale() == [], "tests/dialogs is stale: run `make dialogs`"
    files = list((ROOT / "tests" / "dialogs").glob("*.json"))
    assert len(files) == len(dialogs.replay_files())
    for path in files:
        content = json.loads(path.read_text(encoding="utf-8"))
        assert set(content) == {"skillId", "locale", "type", "userInput"}
        assert content["skillId"] == dialogs.PLACEHOLDER_SKILL_ID
        assert content["type"] == "text" and content["userInput"]


def test_a_changed_conversation_makes_the_replay_files_stale(tmp_path) -> None:
    dialogs = load_script("dialogs")
    dialogs.generate(tmp_path)
    assert dialogs.stale(tmp_path) == []
    first = sorted(tmp_path.glob("*.json"))[0]
    first.write_text(first.read_text().replace("open muscle weakness guide", "open something"))
    (tmp_path / "left-over.en-US.json").write_text("{}")
    assert dialogs.stale(tmp_path) == sorted([first.name, "left-over.en-US.json"])


# --------------------------------------------------------------------------- hash locks


def test_requirements_are_hash_locked() -> None:
    for path in (ROOT / "lambda" / "requirements.txt", ROOT / "requirements-dev.txt"):
        text = path.read_text(encoding="utf-8")
        pins = re.findall(r"^([A-Za-z0-9_.\[\],-]+)==(\S+)", text, re.MULTILINE)
        assert pins, path
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        for block in blocks:
            if "==" in block:
                assert "--hash=sha256:" in block, block.splitlines()[0]
    runtime = (ROOT / "lambda" / "requirements.txt").read_text(encoding="utf-8")
    assert not re.search(r"^(boto3|botocore|s3transfer|jmespath)==", runtime, re.MULTILINE)
    dev = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert re.search(r"^ask-sdk-local-debug==", dev, re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes" in makefile and "\nlock:" in makefile
    build = (ROOT / "scripts" / "build_artifact.py").read_text(encoding="utf-8")
    assert '"--require-hashes"' in build


def test_runtime_and_development_locks_agree() -> None:
    def pins(path: Path) -> dict[str, str]:
        text = path.read_text(encoding="utf-8")
        return {
            n.lower(): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
        }

    runtime, dev = pins(ROOT / "lambda" / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_script_doctests() -> None:
    import doctest

    for name in ("cloud_check", "dialogs", "ask_project"):
        assert doctest.testmod(load_script(name)).failed == 0, name


FAKE_ASK = """#!{python}
import json, sys
command = sys.argv[2]
with open({log!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
answers = {{
    "get-conflict-detection-job-status-for-interaction-model": {{"status": "COMPLETED"}},
    "get-conflicts-for-interaction-model": {{"paginationContext": {{"totalCount": 0}}}},
    "create-nlu-annotation-set": {{"id": "annotation-1"}},
    "create-nlu-evaluations": {{"id": "evaluation-1"}},
    "get-nlu-evaluation": {{"status": "PASSED"}},
    "get-result-for-nlu-evaluations": {{"testCases": [
        {{"expected": [{{"intent": {{"name": "TopicIntent"}}}}],
         "actual": {{"intent": {{"name": "TopicIntent"}}}}}},
        {{"expected": [{{"intent": {{"name": "AskQuestionIntent"}}}}],
         "actual": {{"intent": {{"name": "AskQuestionIntent"}}}}}},
    ]}},
    "submit-skill-validation": {{"id": "validation-1"}},
    "get-skill-validations": {{"status": "SUCCESSFUL", "result": {{"validations": [
        {{"title": "Example phrases", "status": "FAILED", "importance": "RECOMMENDED"}}]}}}},
}}
if command in answers:
    print(json.dumps(answers[command]))
else:
    print("Command executed successfully!")
"""


def test_cloud_check_reads_the_answers_and_prints_a_summary(tmp_path) -> None:
    log = tmp_path / "calls.log"
    ask = tmp_path / "ask"
    ask.write_text(FAKE_ASK.format(python=sys.executable, log=str(log)))
    ask.chmod(0o755)
    done = run_script(
        "cloud_check",
        "--locale",
        "en-US",
        path=str(tmp_path),
        ASK_CLI=str(ask),
        SKILL_ID="amzn1.ask.skill.00000000-0000-0000-0000-000000000000",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert [c.split()[1] for c in calls] == [s.split()[2] for s in SMAPI_STEPS]
    assert "--annotation-id annotation-1" in calls[3]
    assert "--evaluation-id evaluation-1" in calls[5]
    assert "-i validation-1" in calls[9]
    out = done.stdout
    assert "ok   en-US: 0 utterance conflicts" in out
    assert "ok   en-US: NLU evaluation 2/2 (100.0%) with the expected intent, 2 intents" in out
    assert "ok   validation SUCCESSFUL: 0 required and 1 recommended checks failed" in out


def test_make_cloud_check_passes_dry_run_on() -> None:
    for value, flag in (("1", True), ("0", False)):
        done = subprocess.run(
            ["make", "-n", "cloud-check", f"DRY_RUN={value}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        line = [x for x in done.stdout.splitlines() if "scripts/cloud_check.py" in x][-1]
        assert line.endswith("--dry-run") is flag, line

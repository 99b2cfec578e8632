"""Deploy Muscle Weakness Guide to AWS, or tear it down: ``make deploy`` / ``make destroy``.

One template (template.yaml) holds the function, its table and the Alexa skill. The only catch
is a loop: the skill needs the function's ARN as its endpoint, and the function's Lambda
permission should accept only that skill's ID (``EventSourceToken``), which exists only once
the skill does. As the ASK CLI's CloudFormation deployer does, we break it in two stages:

1. ``SkillId`` empty: the permission has no token (Alexa checks, when the skill is created,
   that it may invoke the endpoint), and the skill is created; its ID is a stack output.
2. ``SkillId`` = that output: the permission is replaced by one restricted to this skill, and
   the function, republished behind its ``live`` alias, gets ``SKILL_ID`` to check each request.

Later deployments find the ID in the stack and run stage 2 only. The window between the stages
(seconds to minutes, once per stack) is the only time the function accepts any skill's calls.

Every step is printed as the command it runs. ``--dry-run`` prints the whole plan and runs
nothing that touches AWS (it only zips the skill package locally, to show its real S3 key).
Values that only AWS can tell (account, skill ID) appear as ``<placeholders>`` in a dry run.

Needs: the AWS CLI, the AWS SAM CLI, AWS credentials, ``ASK_VENDOR_ID`` (developer console,
Settings, My IDs), and the public https addresses of the skill's privacy policy and terms of use
(``PRIVACY_POLICY_URL``, ``TERMS_OF_USE_URL``: PRIVACY.md and TERMS.md, published), which go
into the manifest of every locale; the repository holds no placeholder for them, and a real
deployment stops without them. Optional: ``ALARM_EMAIL`` (told when an alarm fires),
``ARTIFACT_BUCKET`` (default: muscle-weakness-guide-artifacts-<account>-<region>, created if
missing), ``LWA_SECRET_NAME``, ``AWS_REGION``, ``STACK_NAME``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tomllib
import urllib.parse
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMCONFIG = ROOT / "samconfig.toml"
TEMPLATE = ROOT / "template.yaml"
SKILL_PACKAGE = ROOT / "skill-package"
SKILL_PACKAGE_ZIP = ROOT / "build" / "skill-package.zip"
SAM_BUILD_DIR = ROOT / ".aws-sam" / "build" / "SkillFunction"

#: Regions where Alexa can trigger a Lambda function.
ALEXA_REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-northeast-1")
#: Template parameters that change the function's configuration (and so its published version).
FUNCTION_PARAMETERS = ("SkillId", "LogLevel", "EnableSnapStart")
#: What goes into the skill package zip; everything else under skill-package/ stays out.
PACKAGE_PATTERNS = ("skill.json", "interactionModels/**/*.json", "assets/**/*.png")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Hosts that are never a real privacy policy or terms page.
PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "localhost", "invalid")

INSTALL_AWS = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"
INSTALL_SAM = (
    "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
    "install-sam-cli.html"
)


class DeployError(Exception):
    """A deployment cannot go on; the message says why and what to do."""


# --------------------------------------------------------------------------- configuration


def parse_overrides(value: str | Sequence[str] | None) -> dict[str, str]:
    """SAM's ``parameter_overrides`` (a string or a list of ``Key=Value``) as a dict.

    >>> parse_overrides('A=1 B="two words" C=')
    {'A': '1', 'B': 'two words', 'C': ''}
    """
    if not value:
        return {}
    items = shlex.split(value) if isinstance(value, str) else list(value)
    pairs = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep:
            raise DeployError(f"parameter override {item!r} is not Key=Value")
        pairs[key] = val
    return pairs


@dataclass
class Settings:
    """Everything a deployment needs to know before it talks to AWS."""

    stack_name: str
    region: str
    s3_prefix: str
    capabilities: str
    parameters: dict[str, str]
    vendor_id: str | None
    bucket: str | None
    privacy_url: str | None = None
    terms_url: str | None = None

    @classmethod
    def load(cls, env: dict[str, str], config: Path = SAMCONFIG) -> Settings:
        data = tomllib.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
        section = data.get("default", {})
        common = section.get("global", {}).get("parameters", {})
        deploy = {**common, **section.get("deploy", {}).get("parameters", {})}
        parameters = parse_overrides(deploy.get("parameter_overrides"))
        if env.get("LWA_SECRET_NAME"):
            parameters["LwaSecretName"] = env["LWA_SECRET_NAME"]
        if env.get("ALARM_EMAIL"):
            parameters["AlarmEmail"] = env["ALARM_EMAIL"]
        return cls(
            stack_name=env.get("STACK_NAME") or deploy.get("stack_name", "muscle-weakness-guide"),
            region=env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or deploy.get("region", "us-east-1"),
            s3_prefix=deploy.get("s3_prefix", "muscle-weakness-guide"),
            capabilities=deploy.get("capabilities", "CAPABILITY_IAM"),
            parameters=parameters,
            vendor_id=env.get("ASK_VENDOR_ID") or None,
            bucket=env.get("ARTIFACT_BUCKET") or None,
            privacy_url=env.get("PRIVACY_POLICY_URL") or None,
            terms_url=env.get("TERMS_OF_USE_URL") or None,
        )


# --------------------------------------------------------------------------- the manifest's links


def link_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be a published privacy policy or terms page, or None when it can.

    >>> link_problem("https://docs.acme-health.org/muscle-weakness-guide/privacy")
    >>> link_problem("http://acme-health.org/privacy")
    'is not https'
    >>> link_problem("https://placeholder.invalid/privacy")
    'is a placeholder host'
    """
    if not url:
        return "is not set"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https":
        return "is not https"
    host = (parts.hostname or "").lower()
    if "." not in host or any(host == h or host.endswith(f".{h}") for h in PLACEHOLDER_HOSTS):
        return "is a placeholder host"
    if any(c.isspace() for c in url) or "<" in url:
        return "is not a URL"
    return None


def with_links(manifest: dict[str, Any], privacy_url: str, terms_url: str) -> dict[str, Any]:
    """The skill manifest (skill.json) with both links set for every published locale.

    >>> m = {"manifest": {"publishingInformation": {"locales": {"en-GB": {}}},
    ...                   "privacyAndCompliance": {"usesHealthInfo": False}}}
    >>> with_links(m, "https://a.org/p", "https://a.org/t")["manifest"]["privacyAndCompliance"]
    {'usesHealthInfo': False, 'locales': {'en-GB': {'privacyPolicyUrl': 'https://a.org/p', \
'termsOfUseUrl': 'https://a.org/t'}}}
    """
    result = json.loads(json.dumps(manifest))
    body = result["manifest"]
    locales = body["publishingInformation"]["locales"]
    body["privacyAndCompliance"]["locales"] = {
        locale: {"privacyPolicyUrl": privacy_url, "termsOfUseUrl": terms_url} for locale in locales
    }
    return result


def check_links(runner: Runner, settings: Settings) -> tuple[str, str]:
    """The privacy and terms URLs for the manifest; a real deployment needs real ones."""
    links = []
    for name, url in (
        ("PRIVACY_POLICY_URL", settings.privacy_url),
        ("TERMS_OF_USE_URL", settings.terms_url),
    ):
        problem = link_problem(url)
        if problem is None:
            links.append(str(url))
            continue
        if not runner.dry_run:
            raise DeployError(
                f"{name} {problem}: set it to the public https address of "
                f"{'PRIVACY.md' if name.startswith('PRIVACY') else 'TERMS.md'} as published "
                "(your site, or the file on your repository host); the manifest of every "
                "locale links to it, and certification reads it"
            )
        runner.note(f"{name} {problem} (a real deployment would stop here)")
        links.append(f"https://<{name}>")
    return links[0], links[1]


# --------------------------------------------------------------------------- local work


def _package_files(source: Path) -> list[Path]:
    found: set[Path] = set()
    for pattern in PACKAGE_PATTERNS:
        found.update(p for p in source.glob(pattern) if p.is_file())
    return sorted(found)


def package_skill(
    source: Path = SKILL_PACKAGE,
    out: Path = SKILL_PACKAGE_ZIP,
    links: tuple[str, str] | None = None,
) -> str:
    """Zip the skill package reproducibly (manifest, models, icons); returns its SHA-256.

    ``links`` (privacy policy URL, terms of use URL) go into the manifest of every locale.

    CloudFormation does not upload a local skill package for ``Alexa::ASK::Skill``, so this zip
    goes to S3 under a content-addressed key: a changed package is a changed key, which is what
    makes CloudFormation update the skill.
    """
    if not (source / "skill.json").is_file():
        raise DeployError(f"{source / 'skill.json'} is missing")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in _package_files(source):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            data = path.read_bytes()
            if links is not None and path == source / "skill.json":
                data = manifest_bytes(json.loads(data), links)
            archive.writestr(info, data)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def manifest_bytes(manifest: dict[str, Any], links: tuple[str, str]) -> bytes:
    """skill.json as uploaded: the committed manifest with the links, two-space JSON."""
    text = json.dumps(with_links(manifest, *links), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _hash_tree(digest: Any, directory: Path) -> None:
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def version_hash(build_dir: Path, template: Path, parameters: dict[str, str]) -> str:
    """Ten hex digits that change whenever the published function version should.

    SAM names a version after the code location and the *unresolved* environment, so a new
    ``SkillId`` alone would not publish a new version; this covers the built code, the template
    and the parameter values that reach the function's configuration.
    """
    digest = hashlib.sha256()
    _hash_tree(digest, build_dir)
    digest.update(template.read_bytes())
    for name in FUNCTION_PARAMETERS:
        digest.update(f"{name}={parameters.get(name, '')}\0".encode())
    return digest.hexdigest()[:10]


# --------------------------------------------------------------------------- running commands


#: Stack parameters whose values never appear in what the script prints.
SECRET_PARAMETERS = ("LogHashKey",)


def masked(argument: str) -> str:
    """A command-line argument as printed: secret parameter values hidden.

    >>> masked("LogHashKey=00ff"), masked("LogLevel=INFO")
    ('LogHashKey=****', 'LogLevel=INFO')
    """
    key = argument.split("=", 1)[0]
    return f"{key}=****" if key in SECRET_PARAMETERS and "=" in argument else argument


@dataclass
class Runner:
    """Prints each command; runs it unless this is a dry run."""

    dry_run: bool
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    steps: int = 0

    def step(self, title: str) -> None:
        self.steps += 1
        print(f"\n==> {self.steps}. {title}", flush=True)

    def note(self, text: str) -> None:
        print(f"    {text}", flush=True)

    def show(self, command: Sequence[str], when: str = "") -> None:
        shown = [masked(part) for part in command]
        print(f"    $ {shlex.join(shown)}{f'   # {when}' if when else ''}", flush=True)

    def run(self, command: Sequence[str], when: str = "") -> None:
        """Run a command that talks to AWS, streaming its output."""
        self.show(command, when)
        if self.dry_run:
            return
        done = subprocess.run(list(command), cwd=ROOT, env=self.env, check=False)
        if done.returncode != 0:
            raise DeployError(f"`{shlex.join(command[:3])} ...` failed (exit {done.returncode})")

    def query(self, command: Sequence[str], *, quiet_failure: bool = False) -> Any | None:
        """Run a read-only AWS command and return its JSON output (None on a dry run)."""
        self.show(command)
        if self.dry_run:
            return None
        done = subprocess.run(
            list(command), cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            if quiet_failure:
                return {"__error__": done.stderr.strip()}
            raise DeployError(f"`{shlex.join(command[:3])} ...` failed: {done.stderr.strip()}")
        return json.loads(done.stdout) if done.stdout.strip() else {}


# --------------------------------------------------------------------------- AWS steps


def aws(settings: Settings, *args: str, json_output: bool = True) -> list[str]:
    """An AWS CLI command in the deployment's region (with JSON output for queries)."""
    return ["aws", *args, "--region", settings.region, *(["--output", "json"] * json_output)]


def check_tools(runner: Runner, tools: Iterable[str] = ("aws", "sam")) -> None:
    """Fail early, and say how to fix it, when a CLI is missing (only noted on a dry run)."""
    runner.step("Check the AWS CLI, the SAM CLI and credentials")
    hints = {
        "aws": f"The AWS CLI (`aws`) is not on PATH; install it: {INSTALL_AWS}",
        "sam": f"The AWS SAM CLI (`sam`) is not on PATH; install it: {INSTALL_SAM}",
    }
    for tool in tools:
        path = shutil.which(tool, path=runner.env.get("PATH"))
        if path:
            runner.note(f"{tool}: {path}")
        elif runner.dry_run:
            runner.note(f"{tool}: not found (a real deployment would stop here: {hints[tool]})")
        else:
            raise DeployError(hints[tool])


def account_id(runner: Runner, settings: Settings) -> str:
    identity = runner.query(aws(settings, "sts", "get-caller-identity"), quiet_failure=True)
    if identity is None:
        return "<account-id>"
    if "__error__" in identity or "Account" not in identity:
        raise DeployError(
            "No usable AWS credentials: `aws sts get-caller-identity` failed "
            f"({identity.get('__error__', 'no account in the answer')}). Configure them with "
            "`aws configure` or `aws sso login`, or choose a profile with AWS_PROFILE."
        )
    runner.note(f"account {identity['Account']}, as {identity.get('Arn', '?')}")
    return str(identity["Account"])


def check_inputs(runner: Runner, settings: Settings) -> None:
    if settings.region not in ALEXA_REGIONS:
        runner.note(
            f"warning: Alexa cannot trigger Lambda in {settings.region}; "
            f"use one of {', '.join(ALEXA_REGIONS)} (AWS_REGION or samconfig.toml)"
        )
    if not settings.vendor_id:
        if not runner.dry_run:
            raise DeployError(
                "ASK_VENDOR_ID is not set: export it with your vendor ID from the Alexa developer "
                "console (Settings, My IDs), e.g. `make deploy ASK_VENDOR_ID=M...`"
            )
        settings.vendor_id = "<ASK_VENDOR_ID>"
    secret = settings.parameters.get("LwaSecretName", "muscle-weakness-guide/lwa")
    found = runner.query(
        aws(settings, "secretsmanager", "describe-secret", "--secret-id", secret),
        quiet_failure=True,
    )
    if found is not None and "__error__" in found:
        raise DeployError(
            f"The Login with Amazon secret {secret!r} is not readable ({found['__error__']}). "
            "Create it once with the values from `ask util generate-lwa-tokens` and your security "
            f"profile: aws secretsmanager create-secret --region {settings.region} --name {secret} "
            "--secret-string file://lwa.json  (JSON keys ClientId, ClientSecret, RefreshToken)."
        )


def ensure_bucket(runner: Runner, settings: Settings, account: str) -> str:
    runner.step("Make sure the artifact bucket exists (function code and skill packages)")
    bucket = settings.bucket or f"muscle-weakness-guide-artifacts-{account}-{settings.region}"
    found = runner.query(
        aws(settings, "s3api", "head-bucket", "--bucket", bucket, json_output=False),
        quiet_failure=True,
    )
    if found is not None and "__error__" not in found:
        runner.note(f"bucket {bucket} exists")
        return bucket
    if found is not None and settings.bucket:
        raise DeployError(f"ARTIFACT_BUCKET {bucket} is not reachable: {found['__error__']}")
    location = (
        []
        if settings.region == "us-east-1"
        else ["--create-bucket-configuration", f"LocationConstraint={settings.region}"]
    )
    runner.run(
        aws(settings, "s3api", "create-bucket", "--bucket", bucket, *location),
        when="only if the bucket is missing",
    )
    runner.run(
        aws(
            settings,
            "s3api",
            "put-public-access-block",
            "--bucket",
            bucket,
            "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
            "RestrictPublicBuckets=true",
            json_output=False,
        ),
        when="only if the bucket is missing",
    )
    return bucket


def stack_outputs(runner: Runner, settings: Settings) -> dict[str, str] | None:
    """The stack's outputs, {} for a stack without them, None for no stack (or a dry run)."""
    found = runner.query(
        aws(settings, "cloudformation", "describe-stacks", "--stack-name", settings.stack_name),
        quiet_failure=True,
    )
    if found is None or "__error__" in found:
        if found is not None and "does not exist" not in found["__error__"]:
            raise DeployError(f"cannot read stack {settings.stack_name}: {found['__error__']}")
        return None
    stack = found["Stacks"][0]
    if stack.get("StackStatus") == "ROLLBACK_COMPLETE":
        raise DeployError(
            f"stack {settings.stack_name} failed to create (ROLLBACK_COMPLETE); see its events in "
            "the CloudFormation console, then remove it with `make destroy` and deploy again"
        )
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def sam_deploy(runner: Runner, settings: Settings, bucket: str, parameters: dict[str, str]) -> None:
    overrides = [f"{key}={value}" for key, value in parameters.items()]
    runner.run(
        [
            "sam",
            "deploy",
            *("--config-file", SAMCONFIG.name, "--config-env", "default"),
            *("--stack-name", settings.stack_name, "--region", settings.region),
            *("--s3-bucket", bucket, "--s3-prefix", settings.s3_prefix),
            *("--capabilities", *settings.capabilities.split()),
            *("--no-confirm-changeset", "--no-fail-on-empty-changeset"),
            *("--parameter-overrides", *overrides),
        ]
    )


def function_parameters(runner: Runner, settings: Settings, skill_id: str) -> dict[str, str]:
    values = {**settings.parameters, "SkillId": skill_id}
    if runner.dry_run or not SAM_BUILD_DIR.is_dir():
        return {"FunctionVersionHash": "<hash of the build, template and SkillId>"}
    return {"FunctionVersionHash": version_hash(SAM_BUILD_DIR, TEMPLATE, values)}


def verify(runner: Runner, settings: Settings, skill_id: str) -> None:
    """Check what the issue asks of a finished deployment, on the live resources."""
    runner.step("Verify: the permission and SKILL_ID both carry the skill's own ID")
    outputs = stack_outputs(runner, settings)
    endpoint = outputs.get("SkillEndpointArn", "") if outputs else "<SkillEndpointArn output>"
    policy = runner.query(aws(settings, "lambda", "get-policy", "--function-name", endpoint))
    config = runner.query(
        aws(settings, "lambda", "get-function-configuration", "--function-name", endpoint)
    )
    if runner.dry_run or outputs is None:
        runner.note("expect: alexa-appkit.amazon.com allowed only with lambda:EventSourceToken")
        runner.note("        = the SkillId output, and SKILL_ID = the SkillId output")
        return
    statements = json.loads(policy["Policy"])["Statement"] if policy else []
    tokens = [
        s.get("Condition", {}).get("StringEquals", {}).get("lambda:EventSourceToken")
        for s in statements
        if s.get("Principal", {}).get("Service") == "alexa-appkit.amazon.com"
    ]
    env_id = (config or {}).get("Environment", {}).get("Variables", {}).get("SKILL_ID")
    if tokens != [skill_id] or env_id != skill_id or outputs.get("SkillId") != skill_id:
        raise DeployError(
            f"stage 2 did not take: permission tokens {tokens}, SKILL_ID {env_id!r}, "
            f"skill {outputs.get('SkillId')!r}; run `make deploy` again"
        )
    runner.note(f"ok: only {skill_id} may invoke {endpoint}, and SKILL_ID matches")


def deploy(runner: Runner, settings: Settings) -> None:
    check_tools(runner)
    account = account_id(runner, settings)
    check_inputs(runner, settings)
    links = check_links(runner, settings)
    bucket = ensure_bucket(runner, settings, account)

    runner.step("Build the function with SAM (Makefile target build-SkillFunction)")
    runner.run(["sam", "build", "--config-file", SAMCONFIG.name, "--config-env", "default"])

    runner.step("Zip skill-package/ and upload it (CloudFormation reads it from S3)")
    sha = package_skill(links=links)
    runner.note(f"manifest links: privacy {links[0]}, terms {links[1]}")
    key = f"{settings.s3_prefix}/skill-package/{sha[:16]}.zip"
    runner.note(f"{SKILL_PACKAGE_ZIP.relative_to(ROOT)}: sha256 {sha[:16]}...")
    source = str(SKILL_PACKAGE_ZIP.relative_to(ROOT))
    runner.run(
        aws(
            settings,
            "s3",
            "cp",
            source,
            f"s3://{bucket}/{key}",
            "--only-show-errors",
            json_output=False,
        )
    )
    base = {
        **settings.parameters,
        "VendorId": settings.vendor_id or "",
        "SkillPackageBucket": bucket,
        "SkillPackageKey": key,
    }

    runner.step("Look for an existing stack and its skill ID")
    outputs = stack_outputs(runner, settings)
    skill_id = (outputs or {}).get("SkillId")
    if skill_id:
        runner.note(f"skill {skill_id} exists: stage 1 is not needed")
    else:
        runner.step("Stage 1: create the skill; the Alexa permission has no EventSourceToken yet")
        if runner.dry_run:
            runner.note("(skipped when the stack already has a SkillId output)")
        # The logs' user-id hash key: made once, with the stack; later deploys leave it out,
        # so CloudFormation keeps the previous value (a parameter not overridden on an update).
        if "LogHashKey" not in base:
            base["LogHashKey"] = "<new random key>" if runner.dry_run else secrets.token_hex(32)
        stage1 = {**base, **function_parameters(runner, settings, "")}
        sam_deploy(runner, settings, bucket, stage1)
        runner.step("Read the new skill's ID from the stack outputs")
        outputs = stack_outputs(runner, settings)
        skill_id = (outputs or {}).get("SkillId")
        if not runner.dry_run and not skill_id:
            raise DeployError("stage 1 finished without a SkillId output")
    skill_id = skill_id or "<SkillId output of stage 1>"

    runner.step("Stage 2: restrict the permission to this skill and set SKILL_ID")
    stage2 = {**base, "SkillId": skill_id, **function_parameters(runner, settings, skill_id)}
    sam_deploy(runner, settings, bucket, stage2)
    verify(runner, settings, skill_id)

    runner.step("Done")
    locale = "en_US"
    runner.note(f"skill {skill_id}, stack {settings.stack_name} in {settings.region}")
    runner.note(
        "test it: https://developer.amazon.com/alexa/console/ask/test/"
        f"{skill_id}/development/{locale}/ (enable testing in Development first)"
    )


def destroy(runner: Runner, settings: Settings) -> None:
    """Delete the stack, then the table and log group it retains, then the skill packages.

    The template keeps the table and the log group when the stack goes (``DeletionPolicy:
    Retain``), so that no update or mistaken deletion loses them; tearing down is the one
    deliberate step that removes them, after the stack.
    """
    check_tools(runner)
    account = account_id(runner, settings)
    runner.step("Find the stack's table and log group")
    outputs = stack_outputs(runner, settings)
    if outputs is None and not runner.dry_run:
        raise DeployError(f"there is no stack {settings.stack_name} in {settings.region}")
    table = (outputs or {}).get("PersistenceTableName", "<PersistenceTableName output>")
    log_group = (outputs or {}).get("SkillLogGroupName", "<SkillLogGroupName output>")

    runner.step("Delete the stack: the skill, the function, the alarms and the roles")
    runner.run(
        [
            *("sam", "delete", "--stack-name", settings.stack_name),
            *("--region", settings.region, "--no-prompts"),
        ]
    )
    runner.step("Delete the retained table (people's memory goes with it)")
    runner.run(
        aws(
            settings,
            "dynamodb",
            "update-table",
            "--table-name",
            table,
            "--no-deletion-protection-enabled",
        )
    )
    runner.run(
        aws(settings, "dynamodb", "wait", "table-exists", "--table-name", table, json_output=False),
        when="until the update has finished",
    )
    runner.run(aws(settings, "dynamodb", "delete-table", "--table-name", table))
    runner.step("Delete the retained log group")
    if outputs is not None and "SkillLogGroupName" not in outputs:
        runner.note("the stack predates the SkillLogGroupName output: delete its group by hand")
    else:
        runner.run(
            aws(
                settings,
                "logs",
                "delete-log-group",
                "--log-group-name",
                log_group,
                json_output=False,
            )
        )
    bucket = settings.bucket or f"muscle-weakness-guide-artifacts-{account}-{settings.region}"
    runner.step("Remove the uploaded skill packages")
    prefix = f"s3://{bucket}/{settings.s3_prefix}/"
    runner.run(
        aws(settings, "s3", "rm", prefix, "--recursive", "--only-show-errors", json_output=False)
    )
    runner.note(f"the bucket {bucket} stays; remove it with: aws s3 rb s3://{bucket} --force")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=("deploy", "destroy"), default="deploy")
    parser.add_argument(
        "--dry-run", action="store_true", help="print every step; touch nothing in AWS"
    )
    args = parser.parse_args(argv)
    runner = Runner(dry_run=args.dry_run)
    try:
        settings = Settings.load(dict(os.environ))
        if args.dry_run:
            print(
                f"Dry run: the plan to {args.action} stack {settings.stack_name} "
                f"in {settings.region}; nothing in AWS is touched."
            )
        (deploy if args.action == "deploy" else destroy)(runner, settings)
    except DeployError as error:
        print(f"\n{args.action} failed: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{args.action} interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

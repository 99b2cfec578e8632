"""template.yaml, samconfig.toml and the deploy script, checked offline.

cfn-lint runs on the template as a developer would; the SAM translator expands it (with a region
and a placeholder CodeUri, as ``sam deploy`` would after uploading) for both deployment stages,
and a small evaluator resolves the conditions the way CloudFormation will, so the assertions
are about what each stage really deploys: above all, that stage 2 leaves a Lambda permission
that only this skill's ID can use and a function whose SKILL_ID matches it.
"""

from __future__ import annotations

import copy
import doctest
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from support import load_script

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
PARAMETERS = {
    "VendorId": "MPLACEHOLDER",
    "SkillPackageBucket": "placeholder-bucket",
    "SkillPackageKey": "skill-package/0000000000000000.zip",
}
NO_VALUE = object()


deploy_script = load_script("deploy")


# --------------------------------------------------------------------------- helpers


def sam_template() -> dict[str, Any]:
    template = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    template["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://placeholder/skill.zip"
    return template


def translate(**parameters: str) -> dict[str, Any]:
    """The CloudFormation that SAM makes of template.yaml, offline, in us-east-1."""
    translator = Translator(
        None, Parser(), boto_session=boto3.session.Session(region_name="us-east-1")
    )
    return translator.translate(
        sam_template(), {**PARAMETERS, **parameters}, get_managed_policy_map=lambda: {}
    )


def parameter_values(template: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    values = {
        name: spec["Default"] for name, spec in template["Parameters"].items() if "Default" in spec
    }
    return {**values, **PARAMETERS, **given}


def resolve(node: Any, values: dict[str, Any], conditions: dict[str, bool]) -> Any:
    """Resolve Ref to parameters, Fn::If, Fn::Equals, Fn::Not and AWS::NoValue."""
    if isinstance(node, list):
        items = [resolve(item, values, conditions) for item in node]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        if node["Ref"] == "AWS::NoValue":
            return NO_VALUE
        return values.get(node["Ref"], node)
    if set(node) == {"Fn::If"}:
        name, yes, no = node["Fn::If"]
        return resolve(yes if conditions[name] else no, values, conditions)
    if set(node) == {"Fn::Equals"}:
        left, right = (resolve(side, values, conditions) for side in node["Fn::Equals"])
        return left == right
    if set(node) == {"Fn::Not"}:
        return not resolve(node["Fn::Not"][0], values, conditions)
    if set(node) == {"Condition"}:
        return conditions[node["Condition"]]
    resolved = {key: resolve(value, values, conditions) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not NO_VALUE}


def deployed(**given: str) -> dict[str, Any]:
    """The resources CloudFormation would create for these parameter values."""
    template = translate(**given)
    values = parameter_values(template, given)
    conditions: dict[str, bool] = {}
    for name, condition in template.get("Conditions", {}).items():
        conditions[name] = resolve(condition, values, conditions)
    resources = {
        name: resource
        for name, resource in template["Resources"].items()
        if conditions.get(resource.get("Condition", ""), True)
    }
    return {
        "Resources": resolve(resources, values, conditions),
        "Outputs": template.get("Outputs", {}),
        "raw": template,
    }


@pytest.fixture(scope="module")
def stage1() -> dict[str, Any]:
    return deployed(FunctionVersionHash="1111111111")


@pytest.fixture(scope="module")
def stage2() -> dict[str, Any]:
    return deployed(SkillId=SKILL_ID, FunctionVersionHash="2222222222")


def of_type(stack: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in stack["Resources"].items() if r["Type"] == kind}


def only(stack: dict[str, Any], kind: str) -> dict[str, Any]:
    found = of_type(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


# --------------------------------------------------------------------------- lint


def test_cfn_lint_is_clean_including_informational_checks() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_sam_validate_lints() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["default"]["validate"]["parameters"]["lint"] is True


def test_template_holds_no_real_ids() -> None:
    for path in (TEMPLATE, ROOT / "samconfig.toml", ROOT / "skill-package" / "skill.json"):
        text = path.read_text(encoding="utf-8")
        accounts = set(re.findall(r"(?<!\d)\d{12}(?!\d)", text)) - {"000000000000"}
        skills = set(re.findall(r"amzn1\.ask\.skill\.[0-9a-f-]{36}", text))
        skills.discard(SKILL_ID)
        assert not accounts and not skills, f"{path.name}: {accounts | skills}"


# --------------------------------------------------------------------------- function


def test_function_runs_python_313_on_arm64(stage2) -> None:
    function = only(stage2, "AWS::Lambda::Function")["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert 256 <= function["MemorySize"] <= 1024
    assert 3 <= function["Timeout"] < 8, "Alexa gives a skill 8 seconds"
    assert function["Environment"]["Variables"]["LOG_LEVEL"] == "INFO"
    assert function["Environment"]["Variables"]["PERSISTENCE_TABLE"] == {"Ref": "PersistenceTable"}


def test_sam_build_uses_the_makefile_recipe() -> None:
    function = sam_template()["Resources"]["SkillFunction"]
    assert function["Metadata"]["BuildMethod"] == "makefile"
    source = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    assert source["Resources"]["SkillFunction"]["Properties"]["CodeUri"] == "."
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbuild-SkillFunction:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/build_artifact.py" in recipe and "$(ARTIFACTS_DIR)" in recipe


def test_snapstart_is_optional_and_on_published_versions() -> None:
    off = only(deployed(), "AWS::Lambda::Function")["Properties"]
    on = only(deployed(EnableSnapStart="true"), "AWS::Lambda::Function")["Properties"]
    assert off["SnapStart"] == {"ApplyOn": "None"}
    assert on["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    # SnapStart only runs published versions: the skill must call an alias, never $LATEST.
    skill = only(deployed(), "Alexa::ASK::Skill")["Properties"]
    alias = next(iter(of_type(deployed(), "AWS::Lambda::Alias")))
    assert skill["SkillPackage"]["Overrides"]["Manifest"]["apis"]["custom"]["endpoint"] == {
        "uri": {"Ref": alias}
    }
    # Skill events (SKILL_DISABLED: PRIVACY.md) go to the same alias.
    assert skill["SkillPackage"]["Overrides"]["Manifest"]["events"]["endpoint"] == {
        "uri": {"Ref": alias}
    }


def test_stage_two_publishes_a_new_version_behind_the_alias(stage1, stage2) -> None:
    versions1, versions2 = (
        of_type(stage1, "AWS::Lambda::Version"),
        of_type(stage2, "AWS::Lambda::Version"),
    )
    assert len(versions1) == len(versions2) == 1
    assert set(versions1) != set(versions2), "a new SkillId must publish a new version"
    alias = only(stage2, "AWS::Lambda::Alias")["Properties"]
    assert alias["Name"] == "live"
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [next(iter(versions2)), "Version"]}
    # Without the deploy script's hash, SAM's own naming still works (plain `sam deploy`).
    assert of_type(deployed(), "AWS::Lambda::Version")


def test_function_may_touch_its_own_table_items_only(stage2) -> None:
    function = only(stage2, "AWS::Lambda::Function")["Properties"]
    role_name = function["Role"]["Fn::GetAtt"][0]
    role = stage2["Resources"][role_name]
    statements = [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    dynamo = [s for s in statements if any("dynamodb" in a for a in s["Action"])]
    assert len(dynamo) == 1
    assert sorted(dynamo[0]["Action"]) == [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    ]
    assert dynamo[0]["Resource"] == {"Fn::GetAtt": ["PersistenceTable", "Arn"]}
    text = json.dumps(stage2["Resources"])
    assert "dynamodb:*" not in text and "AmazonDynamoDB" not in text
    assert text.count("dynamodb:GetItem") == 1, "no other role may reach the table"


# --------------------------------------------------------------------------- table


def test_table_is_on_demand_with_recovery_and_the_adapter_key(stage2) -> None:
    table = stage2["Resources"]["PersistenceTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # The ASK SDK DynamoDbAdapter's defaults: partition key "id", a string.
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert properties["DeletionProtectionEnabled"] == "true"
    unprotected = deployed(TableDeletionProtection="false")["Resources"]["PersistenceTable"]
    assert unprotected["Properties"]["DeletionProtectionEnabled"] == "false"


# --------------------------------------------------------------------------- skill


def test_skill_resource_deploys_the_package_with_secrets_from_secrets_manager(stage2) -> None:
    resource = stage2["Resources"]["Skill"]
    assert resource["Type"] == "Alexa::ASK::Skill"
    assert resource["DependsOn"] == "AlexaInvokePermission"
    properties = resource["Properties"]
    assert properties["VendorId"] == PARAMETERS["VendorId"]
    auth = properties["AuthenticationConfiguration"]
    for key in ("ClientId", "ClientSecret", "RefreshToken"):
        assert auth[key] == {
            "Fn::Sub": f"{{{{resolve:secretsmanager:${{LwaSecretName}}:SecretString:{key}}}}}"
        }
    package = properties["SkillPackage"]
    assert package["S3Bucket"] == PARAMETERS["SkillPackageBucket"]
    assert package["S3Key"] == PARAMETERS["SkillPackageKey"]
    assert package["S3BucketRole"] == {"Fn::GetAtt": ["SkillPackageReadRole", "Arn"]}
    reader = stage2["Resources"]["SkillPackageReadRole"]["Properties"]
    trust = reader["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "alexa-appkit.amazon.com"}
    (statement,) = reader["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "s3:GetObject"


def test_stage_one_opens_the_permission_so_the_skill_can_be_created(stage1) -> None:
    permission = only(stage1, "AWS::Lambda::Permission")["Properties"]
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    assert "EventSourceToken" not in permission
    function = only(stage1, "AWS::Lambda::Function")["Properties"]
    assert "SKILL_ID" not in function["Environment"]["Variables"]


def test_stage_two_restricts_the_permission_to_this_skill(stage2) -> None:
    permission = only(stage2, "AWS::Lambda::Permission")["Properties"]
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["EventSourceToken"] == SKILL_ID
    alias = next(iter(of_type(stage2, "AWS::Lambda::Alias")))
    assert permission["FunctionName"] == {"Ref": alias}
    function = only(stage2, "AWS::Lambda::Function")["Properties"]
    assert function["Environment"]["Variables"]["SKILL_ID"] == SKILL_ID


def test_skill_id_parameter_accepts_only_skill_ids() -> None:
    pattern = sam_template()["Parameters"]["SkillId"]["AllowedPattern"]
    assert re.fullmatch(pattern, "")
    assert re.fullmatch(pattern, SKILL_ID)
    assert not re.fullmatch(pattern, "anything else")


def test_outputs_name_the_skill_function_and_table(stage2) -> None:
    outputs = stage2["Outputs"]
    assert outputs["SkillId"]["Value"] == {"Ref": "Skill"}
    assert outputs["SkillFunctionArn"]["Value"] == {"Fn::GetAtt": ["SkillFunction", "Arn"]}
    assert outputs["PersistenceTableName"]["Value"] == {"Ref": "PersistenceTable"}


# --------------------------------------------------------------------------- data and logs


def test_table_and_log_group_survive_stack_deletion_and_replacement(stage2) -> None:
    for kind in ("AWS::DynamoDB::Table", "AWS::Logs::LogGroup"):
        resource = only(stage2, kind)
        assert resource["DeletionPolicy"] == "Retain", kind
        assert resource["UpdateReplacePolicy"] == "Retain", kind
    assert stage2["Outputs"]["SkillLogGroupName"]["Value"] == {"Ref": "SkillLogGroup"}


def test_table_expires_items_by_their_ttl_attribute(stage2) -> None:
    from muscle_guide.dynamodb_store import TTL_ATTRIBUTE

    table = only(stage2, "AWS::DynamoDB::Table")["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert TTL_ATTRIBUTE == "ttl"  # the attribute every save writes (test_persistence.py)
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_function_logs_json_to_its_own_group(stage2) -> None:
    function = only(stage2, "AWS::Lambda::Function")["Properties"]
    assert function["LoggingConfig"] == {
        "LogGroup": {"Ref": "SkillLogGroup"},
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    debug = only(deployed(LogLevel="DEBUG"), "AWS::Lambda::Function")["Properties"]
    assert debug["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
    assert debug["Environment"]["Variables"]["LOG_LEVEL"] == "DEBUG"


def role_statements(stack: dict[str, Any]) -> list[dict[str, Any]]:
    function = only(stack, "AWS::Lambda::Function")["Properties"]
    role_name = function["Role"]["Fn::GetAtt"][0]
    role = stack["Resources"][role_name]["Properties"]
    assert not role.get("ManagedPolicyArns"), "no managed policy: they reach every log group"
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def test_function_role_writes_only_its_log_group_and_uses_only_its_table(stage2) -> None:
    statements = role_statements(stage2)
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
    }, "dynamodb:UpdateItem is not called by anything"
    for statement in statements:
        assert statement["Effect"] == "Allow"
        if statement["Action"][0].startswith("logs:"):
            assert statement["Resource"] == {"Fn::GetAtt": ["SkillLogGroup", "Arn"]}
        else:
            assert statement["Resource"] == {"Fn::GetAtt": ["PersistenceTable", "Arn"]}
    assert not of_type(stage2, "AWS::IAM::Policy"), "no policy added beside the role"


# --------------------------------------------------------------------------- alarms


def alarms(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {
        r["Properties"]["MetricName"]: r["Properties"]
        for r in of_type(stack, "AWS::CloudWatch::Alarm").values()
    }
    assert set(found) == {"Errors", "Duration"}
    return found


def test_alarms_watch_errors_and_p99_duration_near_the_timeout(stage2) -> None:
    found = alarms(stage2)
    function = next(iter(of_type(stage2, "AWS::Lambda::Function")))
    timeout_ms = only(stage2, "AWS::Lambda::Function")["Properties"]["Timeout"] * 1000
    for alarm in found.values():
        assert alarm["Namespace"] == "AWS/Lambda"
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
        assert alarm["TreatMissingData"] == "notBreaching"
    errors, duration = found["Errors"], found["Duration"]
    assert errors["Statistic"] == "Sum" and errors["Threshold"] == 1
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert duration["ExtendedStatistic"] == "p99"
    assert 0.7 * timeout_ms <= duration["Threshold"] < timeout_ms
    assert duration["ComparisonOperator"] == "GreaterThanThreshold"


def test_no_alarm_topic_without_an_email(stage2) -> None:
    assert not of_type(stage2, "AWS::SNS::Topic")
    for alarm in alarms(stage2).values():
        assert "AlarmActions" not in alarm and "OKActions" not in alarm


def test_an_email_gets_a_topic_that_every_alarm_notifies() -> None:
    stack = deployed(SkillId=SKILL_ID, AlarmEmail="owner@acme-health.org")
    ((name, topic),) = of_type(stack, "AWS::SNS::Topic").items()
    assert topic["Properties"]["Subscription"] == [
        {"Protocol": "email", "Endpoint": "owner@acme-health.org"}
    ]
    for alarm in alarms(stack).values():
        assert alarm["AlarmActions"] == [{"Ref": name}]
        assert alarm["OKActions"] == [{"Ref": name}]


def test_alarm_email_parameter_accepts_one_address_or_nothing() -> None:
    pattern = sam_template()["Parameters"]["AlarmEmail"]["AllowedPattern"]
    assert re.fullmatch(pattern, "")
    assert re.fullmatch(pattern, "owner@acme-health.org")
    assert not re.fullmatch(pattern, "not an address")
    assert not re.fullmatch(pattern, "a@b.org c@d.org")


# --------------------------------------------------------------------------- deploy script


def run_deploy(*args: str, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "deploy.py"), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


def test_dry_run_prints_the_complete_plan_without_any_cli(tmp_path) -> None:
    done = run_deploy("deploy", "--dry-run", path=str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    order = [
        "aws sts get-caller-identity",
        "aws secretsmanager describe-secret --secret-id muscle-weakness-guide/lwa",
        "PRIVACY_POLICY_URL is not set (a real deployment would stop here)",
        "TERMS_OF_USE_URL is not set (a real deployment would stop here)",
        "aws s3api head-bucket",
        "sam build",
        "aws s3 cp build/skill-package.zip",
        "aws cloudformation describe-stacks",
        "Stage 1",
        "sam deploy",
        "Stage 2",
        "'SkillId=<SkillId output of stage 1>'",
        "aws lambda get-policy",
        "aws lambda get-function-configuration",
    ]
    positions = [out.find(step) for step in order]
    assert -1 not in positions, [s for s, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions), out
    assert out.count("$ sam deploy") == 2
    stage1, stage2 = out.split("Stage 1", 1)[1].split("Stage 2", 1)
    assert "SkillId=" not in stage1
    # The logs' hash key is made with the stack and never printed (a deploy that finds the stack
    # leaves it out, so CloudFormation keeps the previous value).
    assert "LogHashKey=****" in stage1 and "LogHashKey=****" in stage2
    assert "<new random key>" not in out
    assert "not found (a real deployment would stop here" in out


def test_real_run_without_the_aws_cli_stops_with_a_clear_error(tmp_path) -> None:
    done = run_deploy("deploy", path=str(tmp_path), ASK_VENDOR_ID="MPLACEHOLDER")
    assert done.returncode == 2
    assert "The AWS CLI (`aws`) is not on PATH" in done.stderr


def fake_cli(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)


def test_real_run_without_the_sam_cli_stops_with_a_clear_error(tmp_path) -> None:
    fake_cli(tmp_path, "aws", "exit 0")
    done = run_deploy("deploy", path=str(tmp_path), ASK_VENDOR_ID="MPLACEHOLDER")
    assert done.returncode == 2
    assert "The AWS SAM CLI (`sam`) is not on PATH" in done.stderr


def test_real_run_without_credentials_stops_before_changing_anything(tmp_path) -> None:
    log = tmp_path / "calls.log"
    fake_cli(
        tmp_path,
        "aws",
        f'echo "$@" >> {log}\necho "Unable to locate credentials" >&2\nexit 255',
    )
    fake_cli(tmp_path, "sam", f'echo "sam $@" >> {log}\nexit 0')
    done = run_deploy("deploy", path=str(tmp_path), ASK_VENDOR_ID="MPLACEHOLDER")
    assert done.returncode == 2
    assert "No usable AWS credentials" in done.stderr
    assert log.read_text().splitlines() == [
        "sts get-caller-identity --region us-east-1 --output json"
    ]


def test_real_run_refuses_to_publish_without_real_links(tmp_path) -> None:
    fake_cli(tmp_path, "aws", """echo '{"Account": "000000000000", "Arn": "arn:placeholder"}'""")
    fake_cli(tmp_path, "sam", "exit 0")
    for privacy in ("", "http://docs.acme-health.org/privacy"):
        done = run_deploy(
            "deploy",
            path=str(tmp_path),
            ASK_VENDOR_ID="MPLACEHOLDER",
            PRIVACY_POLICY_URL=privacy,
            TERMS_OF_USE_URL="https://docs.acme-health.org/terms",
        )
        assert done.returncode == 2
        assert "PRIVACY_POLICY_URL is not " in done.stderr
        assert "sam deploy" not in done.stdout


def test_real_run_needs_the_vendor_id(tmp_path) -> None:
    fake_cli(tmp_path, "aws", """echo '{"Account": "000000000000", "Arn": "arn:placeholder"}'""")
    fake_cli(tmp_path, "sam", "exit 0")
    done = run_deploy("deploy", path=str(tmp_path))
    assert done.returncode == 2
    assert "ASK_VENDOR_ID is not set" in done.stderr


def test_destroy_dry_run_deletes_the_stack_then_what_it_retains(tmp_path) -> None:
    done = run_deploy("destroy", "--dry-run", path=str(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    order = [
        "aws cloudformation describe-stacks",
        "sam delete",
        "aws dynamodb update-table --table-name '<PersistenceTableName output>' "
        "--no-deletion-protection-enabled",
        "aws dynamodb delete-table --table-name '<PersistenceTableName output>'",
        "aws logs delete-log-group --log-group-name '<SkillLogGroupName output>'",
        "aws s3 rm",
    ]
    positions = [out.find(step) for step in order]
    assert -1 not in positions, [s for s, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions), out


def test_alarm_email_comes_from_the_environment() -> None:
    settings = deploy_script.Settings.load({"ALARM_EMAIL": "owner@acme-health.org"})
    assert settings.parameters["AlarmEmail"] == "owner@acme-health.org"


def test_samconfig_matches_the_deploy_script() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["default"]["build"]["parameters"]["build_in_source"] is True
    settings = deploy_script.Settings.load({})
    assert settings.region in deploy_script.ALEXA_REGIONS
    template_parameters = sam_template()["Parameters"]
    assert set(settings.parameters) <= set(template_parameters)
    assert "VendorId" not in settings.parameters, "vendor IDs never go in the repository"


def test_version_hash_follows_code_and_skill_id(tmp_path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "module.py").write_text("x = 1\n")
    first = deploy_script.version_hash(build, TEMPLATE, {"SkillId": ""})
    assert first == deploy_script.version_hash(build, TEMPLATE, {"SkillId": ""})
    assert re.fullmatch(r"[0-9a-f]{10}", first)
    assert first != deploy_script.version_hash(build, TEMPLATE, {"SkillId": SKILL_ID})
    (build / "module.py").write_text("x = 2\n")
    assert first != deploy_script.version_hash(build, TEMPLATE, {"SkillId": ""})


def test_parameter_hash_pattern_accepts_what_the_script_makes() -> None:
    pattern = sam_template()["Parameters"]["FunctionVersionHash"]["AllowedPattern"]
    assert re.fullmatch(pattern, "0123456789")
    assert re.fullmatch(pattern, "")


def test_translated_template_is_plain_cloudformation(stage2) -> None:
    raw = copy.deepcopy(stage2["raw"])
    assert "Transform" not in raw
    assert not [r for r in raw["Resources"].values() if r["Type"].startswith("AWS::Serverless")]


def test_deploy_script_doctests() -> None:
    assert doctest.testmod(deploy_script).failed == 0


def test_secret_parameters_are_never_printed() -> None:
    assert deploy_script.masked("LogHashKey=" + "ab" * 32) == "LogHashKey=****"
    template = sam_template()
    parameter = template["Parameters"]["LogHashKey"]
    assert parameter["NoEcho"] is True
    variables = template["Resources"]["SkillFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["LOG_HASH_KEY"] == {"Ref": "LogHashKey"}

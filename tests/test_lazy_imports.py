"""The SDK's service-client models wait until a service client is wanted (a fresh process each)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENT = ROOT / "events" / "one_shot_causes.json"


def fresh(code: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path[:0] = [{str(ROOT / 'lambda')!r}]\n{code}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"AWS_LAMBDA_FUNCTION_NAME": "muscle-guide-test", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_cold_start_answers_without_loading_any_service_client():
    out = fresh(
        "import json\n"
        "from lambda_function import lambda_handler\n"
        f"response = lambda_handler(json.load(open({str(EVENT)!r})), None)\n"
        "assert response['response']['outputSpeech']['ssml']\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('ask_sdk_model.services.'))\n"
        "print(json.dumps(loaded))\n"
    )
    loaded = json.loads(out)
    clients = ("datastore", "reminder_management", "list_management", "monetization", "ups")
    assert not [m for m in loaded if m.split(".")[2] in clients], loaded
    assert "ask_sdk_model.services.service_client_factory" in loaded  # the stand-in


def test_constructing_a_factory_gives_the_real_one_with_every_client():
    out = fresh(
        "import lambda_function\n"
        "from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory\n"
        "factory = ServiceClientFactory(api_configuration=ApiConfiguration(\n"
        "    serializer=None, api_client=None, authorization_value='t', api_endpoint='https://x'))\n"
        "print(type(factory).__module__, type(factory.get_ups_service()).__name__)\n"
        "from ask_sdk_model.services import ServiceClientFactory as again\n"
        "print(again is type(factory))\n"
    )
    assert out.split() == [
        "ask_sdk_model.services.service_client_factory",
        "UpsServiceClient",
        "True",
    ]


def test_the_hook_steps_aside_when_the_sdk_is_already_imported():
    out = fresh(
        "import ask_sdk_core.skill\n"
        "from muscle_guide.lazy_imports import defer_service_clients\n"
        "print(defer_service_clients())\n"
    )
    assert out.strip() == "False"


def test_the_hook_itself_imports_nothing_heavy():
    # importlib.abc would bring importlib.resources, tempfile, shutil and the compression
    # modules into every cold start (about 10 ms); the bare SDK imports none of them.
    out = fresh(
        "import json\n"
        "from lambda_function import lambda_handler\n"
        f"response = lambda_handler(json.load(open({str(EVENT)!r})), None)\n"
        "heavy = ('importlib.abc', 'importlib.resources', 'tempfile', 'shutil', 'lzma', 'bz2')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    assert json.loads(out) == []

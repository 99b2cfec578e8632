"""AWS Lambda entry point for Muscle Weakness Guide (handler: ``lambda_function.lambda_handler``).

The only module with import-time effects: it defers the SDK's service-client models (see
``muscle_guide.lazy_imports``), reads the environment, configures the logs and builds the
skill, during the Lambda init phase, so every request reuses it. Data files
(knowledge base, search index, decision table, red-flag patterns) load on first use; under
SnapStart the before-snapshot hook loads them during init instead (``muscle_guide.skill.warm``),
so the snapshot already holds them.
"""

from __future__ import annotations

from typing import Any

from muscle_guide.lazy_imports import defer_service_clients

defer_service_clients()  # before the SDK is imported: this skill calls no Alexa service

from muscle_guide.config import Settings  # noqa: E402
from muscle_guide.logs import configure  # noqa: E402
from muscle_guide.skill import SkillRunner, build_skill, register_warm_up  # noqa: E402

__all__ = ["lambda_handler"]

SETTINGS = Settings.from_env()
configure(SETTINGS.log_level, SETTINGS.log_hash_key)
RUNNER = SkillRunner(build_skill(SETTINGS), SETTINGS.skill_id)
register_warm_up()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The AWS Lambda entry point."""
    return RUNNER(event, context)

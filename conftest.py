"""Test-run environment, set before any test or doctest imports the skill.

The skill is built once at import from environment settings; tests must not read or write the
developer's own memory file, nor inherit a skill id or a DynamoDB table from the shell.
"""

import os

os.environ["MUSCLE_GUIDE_STATE_FILE"] = os.devnull
for name in ("SKILL_ID", "PERSISTENCE_TABLE", "DYNAMODB_ENDPOINT"):
    os.environ.pop(name, None)

"""Settings read from the environment in one place, with defaults that work on a laptop.

Reading them here (and only here) keeps handlers free of ``os.environ`` look-ups and lets tests
change behaviour by setting variables before the skill is built.
"""

from __future__ import annotations

import os
from typing import NamedTuple


class Settings(NamedTuple):
    """What the running skill may be configured with.

    >>> Settings.from_env({"SKILL_ID": "amzn1.ask.skill.test"}).skill_id
    'amzn1.ask.skill.test'
    """

    skill_id: str | None = None
    log_level: str = "INFO"
    persistence_table: str | None = None
    dynamodb_endpoint: str | None = None
    state_file: str | None = None
    #: The secret key of the logs' user-id hash (``LOG_HASH_KEY``, hex); None: a random one.
    log_hash_key: bytes | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        state_file = env.get("MUSCLE_GUIDE_STATE_FILE")
        return cls(
            skill_id=env.get("SKILL_ID") or None,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            persistence_table=env.get("PERSISTENCE_TABLE") or None,
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
            state_file=os.path.expanduser(state_file) if state_file else None,
            log_hash_key=_hex(env.get("LOG_HASH_KEY")),
        )


def _hex(value: str | None) -> bytes | None:
    """A hex secret as bytes; a malformed one is ignored (a random key is used instead).

    >>> _hex("00ff"), _hex("nothex"), _hex("")
    (b'\\x00\\xff', None, None)
    """
    try:
        return bytes.fromhex(value) if value else None
    except ValueError:
        return None

"""Where the skill's data files are: one definition, for every module that reads one."""

from __future__ import annotations

import os

#: ``lambda/muscle_guide/data``: the knowledge base, phrases, red flags, the check, the index.
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def data_file(name: str) -> str:
    """The path of one data file.

    >>> data_file("phrases.json").endswith(os.path.join("muscle_guide", "data", "phrases.json"))
    True
    """
    return os.path.join(DATA_DIR, name)

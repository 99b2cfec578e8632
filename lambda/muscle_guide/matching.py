"""What a question resolved to. Its own small module so that modules needing only the shape
(handlers, ``resolve``) do not import the search index's code on a cold start."""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["answer", "unsure", "off_topic", "empty"]


class Match(NamedTuple):
    """What a question resolved to: an answer, a short list of guesses, or nothing medical."""

    kind: Kind
    topic: str | None = None
    candidates: tuple[str, ...] = ()
    score: float = 0.0

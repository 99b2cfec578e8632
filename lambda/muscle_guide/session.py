"""The session attributes, declared once: what the skill keeps between turns, typed and checked.

Alexa echoes back whatever we stored, but a request may arrive with no session at all, or with
attributes of the wrong shape: an old build's, or a hostile client's. ``Session.read`` trusts
nothing: unknown topic ids, wrong types and oversized values are dropped, not passed on, so no
handler ever sees them. ``Session.attributes`` is the only way state goes back to Alexa, and
``replies.send`` is the only caller, when the response is built.

Plain classes with ``__slots__`` rather than dataclasses: creating a dataclass costs more than
half a millisecond of every Lambda cold start.
"""

from __future__ import annotations

from typing import Any

from .knowledge import KNOWLEDGE
from .speech import MAX_SPEECH_CHARS, is_own_ssml

#: Attribute names, as Alexa sees them. ``topic`` is an interface: scripts read it.
TOPIC = "topic"
OFFER = "offer"
LAST = "last"
HISTORY = "history"
CANDIDATES = "candidates"
EMERGENCY = "emergency"
CHECK = "check"
CHECK_UNSURE = "check_unsure"
MEMORY = "memory"
HEARD = "heard"
DETAIL = "detail"
PENDING = "pending"
FORGOTTEN = "forgotten"
#: Questions the skill can be waiting on a yes or no to (``pending``).
FORGET = "forget"
PENDING_QUESTIONS = (FORGET,)
#: Every attribute name the skill reads (the fuzz suite sends hostile values for each).
NAMES = (
    TOPIC,
    OFFER,
    LAST,
    HISTORY,
    CANDIDATES,
    EMERGENCY,
    CHECK,
    CHECK_UNSURE,
    MEMORY,
    HEARD,
    DETAIL,
    PENDING,
    FORGOTTEN,
)

MAX_HISTORY = 10
MAX_CANDIDATES = 3
#: Topics answered this session, so offers never come round again (more than any session has).
MAX_HEARD = 60
#: Longest plain value kept (an advice or check-step name); anything longer is not ours.
MAX_NAME = 40
LENGTHS = ("brief", "full")
RATES = ("normal", "slow")


def _topic_id(value: object) -> str | None:
    """A topic id the knowledge base knows, or None."""
    topic = KNOWLEDGE.get(value) if isinstance(value, str) and len(value) <= MAX_NAME else None
    return topic.id if topic is not None else None


def _topic_ids(value: object, limit: int) -> list[str]:
    if not isinstance(value, list):
        return []
    ids = [_topic_id(item) for item in value[-limit:]]
    return [item for item in ids if item is not None]


def _name(value: object) -> str | None:
    """A short identifier (advice or check step), or None for anything else."""
    if isinstance(value, str) and 0 < len(value) <= MAX_NAME and value.isidentifier():
        return value
    return None


def _check_step(value: object) -> str | None:
    step = _name(value)
    if step is None:
        return None
    from .check import table  # only sessions inside the check pay for the table

    return step if table().is_question(step) else None


def _speech(value: object) -> str | None:
    """Speech this skill could have made, for "repeat"; anything else is refused."""
    return value if isinstance(value, str) and is_own_ssml(value) else None


class UserMemory:
    """What we remember about a user between sessions: nothing else is ever stored.

    >>> UserMemory.read({"last_topic": 3, "prefs": {"rate": "slow"}, "question": "x"}).as_dict()
    {'disclaimer_heard': False, 'last_topic': None, 'prefs': {'length': 'brief', 'rate': 'slow'}}
    """

    __slots__ = ("disclaimer_heard", "last_topic", "length", "rate")

    def __init__(
        self,
        disclaimer_heard: bool = False,
        last_topic: str | None = None,
        length: str = "brief",
        rate: str = "normal",
    ) -> None:
        self.disclaimer_heard = disclaimer_heard
        self.last_topic = last_topic
        self.length = length
        self.rate = rate

    @classmethod
    def read(cls, raw: object) -> UserMemory:
        """Memory from the store or the session, keeping only known fields of the right shape."""
        raw = raw if isinstance(raw, dict) else {}
        prefs = raw.get("prefs")
        prefs = prefs if isinstance(prefs, dict) else {}
        last = raw.get("last_topic")
        return cls(
            disclaimer_heard=raw.get("disclaimer_heard") is True,
            last_topic=last if isinstance(last, str) and 0 < len(last) <= MAX_NAME else None,
            length=prefs["length"] if prefs.get("length") in LENGTHS else "brief",
            rate=prefs["rate"] if prefs.get("rate") in RATES else "normal",
        )

    def as_dict(self) -> dict[str, Any]:
        """The stored shape (kept as it always was, so stored memory stays readable)."""
        return {
            "disclaimer_heard": self.disclaimer_heard,
            "last_topic": self.last_topic,
            "prefs": {"length": self.length, "rate": self.rate},
        }

    def copy(self) -> UserMemory:
        return UserMemory(self.disclaimer_heard, self.last_topic, self.length, self.rate)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UserMemory) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"UserMemory({self.as_dict()!r})"


class Session:
    """This session's state between turns, with safe defaults for everything.

    >>> s = Session.read({"topic": "als", "history": ["nope", "overview"], "check": 7})
    >>> s.topic, s.history, s.check
    ('als', ['overview'], None)
    """

    __slots__ = (
        "candidates",
        "check",
        "check_unsure",
        "detail",
        "emergency",
        "forgotten",
        "heard",
        "history",
        "last_reprompt",
        "last_speech",
        "memory",
        "offer",
        "pending",
        "topic",
    )

    def __init__(self) -> None:
        #: The topic being talked about (``sessionAttributes.topic``).
        self.topic: str | None = None
        #: The topic we just offered ("yes" plays it).
        self.offer: str | None = None
        #: Topics talked about before this one, oldest first ("go back" walks it).
        self.history: list[str] = []
        #: The options of the menu we just gave ("the first one", "yes").
        self.candidates: list[str] = []
        #: Every topic answered in this session: an offer is always one not heard yet.
        self.heard: list[str] = []
        #: How much of the current topic was said: "brief", or "full" ("tell me more" moves on).
        self.detail: str | None = None
        #: A question waiting on yes or no ("forget": delete what we remember?).
        self.pending: str | None = None
        #: The person asked to be forgotten: nothing is read or stored for the rest of it.
        self.forgotten: bool = False
        #: The first-aid advice of an emergency answered in this session, if any.
        self.emergency: str | None = None
        #: The symptom check's current question, and the one whose answer was unsure.
        self.check: str | None = None
        self.check_unsure: str | None = None
        #: What was said last, before any speaking rate, so "repeat" can say it again.
        self.last_speech: str | None = None
        self.last_reprompt: str | None = None
        #: The user's memory, once it has been read this session (None: not read yet).
        self.memory: UserMemory | None = None

    @classmethod
    def read(cls, raw: object) -> Session:
        """The session from what the client sent back; anything unexpected is dropped."""
        session = cls()
        if not isinstance(raw, dict) or not raw:
            return session
        session.topic = _topic_id(raw.get(TOPIC))
        session.offer = _topic_id(raw.get(OFFER))
        session.history = _topic_ids(raw.get(HISTORY), MAX_HISTORY)
        session.candidates = _topic_ids(raw.get(CANDIDATES), MAX_CANDIDATES)
        session.heard = _topic_ids(raw.get(HEARD), MAX_HEARD)
        detail = raw.get(DETAIL)
        session.detail = detail if detail in LENGTHS else None
        session.forgotten = raw.get(FORGOTTEN) is True
        pending = raw.get(PENDING)
        session.pending = pending if pending in PENDING_QUESTIONS else None
        session.emergency = _name(raw.get(EMERGENCY))
        session.check = _check_step(raw.get(CHECK))
        session.check_unsure = _check_step(raw.get(CHECK_UNSURE))
        last = raw.get(LAST)
        if isinstance(last, dict):
            session.last_speech = _speech(last.get("speech"))
            session.last_reprompt = _speech(last.get("reprompt"))
        if isinstance(raw.get(MEMORY), dict):
            session.memory = UserMemory.read(raw[MEMORY])
        return session

    def attributes(self) -> dict[str, Any]:
        """The attributes Alexa keeps for the next turn: only what is set."""
        out: dict[str, Any] = {}
        for key, value in (
            (TOPIC, self.topic),
            (OFFER, self.offer),
            (HISTORY, self.history[-MAX_HISTORY:]),
            (CANDIDATES, self.candidates[:MAX_CANDIDATES]),
            (HEARD, self.heard[-MAX_HEARD:]),
            (DETAIL, self.detail),
            (PENDING, self.pending),
            (FORGOTTEN, self.forgotten),
            (EMERGENCY, self.emergency),
            (CHECK, self.check),
            (CHECK_UNSURE, self.check_unsure),
        ):
            if value:
                out[key] = value
        if self.last_speech and len(self.last_speech) <= MAX_SPEECH_CHARS:
            out[LAST] = {"speech": self.last_speech, "reprompt": self.last_reprompt}
        if self.memory is not None:
            out[MEMORY] = self.memory.as_dict()
        return out

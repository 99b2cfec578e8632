"""An offline stand-in for Alexa: words in, request envelopes to the skill, responses out.

It reads the generated interaction model of a locale and resolves an utterance the way Alexa's
language understanding broadly does: the invocation phrases, exact samples, samples whose custom
slots hold a known value (with entity-resolution ids), then ``AMAZON.SearchQuery`` carrier phrases,
and finally the whole utterance as a free question. It is a developer tool: good enough to hold a
conversation and to test routing, not a model of Alexa's statistical matching.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from muscle_guide.locales import DEFAULT_LOCALE

from . import envelopes

REPO_ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=8)
def _frames(invocation: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """How people open the skill, and ask it one thing, by the invocation name in the model.

    The name comes from the generated model (``interaction_model/model.yaml`` is its one
    source), so renaming the skill needs no change here.
    """
    name = re.escape(invocation)
    launch = re.compile(
        r"^(?:(?:open|launch|start|begin|load|run|play|use|talk to|ask|tell)\s+)?(?:the\s+)?"
        rf"{name}"
        r"(?:\s+(?:skill|please))?$"
    )
    one_shot = re.compile(
        rf"^(?:ask|tell|use)\s+(?:the\s+)?{name}\s+(?:(?:to|about|for|if|whether)\s+)?"
        r"(?P<rest>.+)$"
        rf"|^(?P<rest2>.+?)\s+(?:using|with|from)\s+(?:the\s+)?{name}$"
    )
    return launch, one_shot


_WAKE = re.compile(r"^(?:alexa|echo|computer)[\s,]+")
_PUNCTUATION = re.compile(r"[^a-z0-9' .-]+")
_ARTICLES = ("a ", "an ", "the ", "some ", "my ")

#: What Alexa understands for these built-ins in every skill, without samples in the model.
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can i ask", "what can you do"),
    "AMAZON.StopIntent": (
        "stop",
        "quit",
        "goodbye",
        "bye",
        "shut up",
        "off",
        "be quiet",
        "that's all",
    ),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it"),
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "yes please",
        "sure",
        "ok",
        "okay",
        "please do",
        "go ahead",
        "of course",
        "alright",
        "yup",
        "i would",
        "i do",
        "correct",
    ),
    "AMAZON.NoIntent": (
        "no",
        "nope",
        "no thanks",
        "no thank you",
        "not now",
        "nah",
        "i don't",
        "no i don't",
        "not really",
    ),
    "AMAZON.RepeatIntent": (
        "repeat",
        "repeat that",
        "say that again",
        "again",
        "pardon",
        "what did you say",
        "come again",
        "repeat please",
    ),
    "AMAZON.MoreIntent": ("more", "tell me more", "go on", "continue", "keep going"),
    "AMAZON.PreviousIntent": ("go back", "back", "previous", "previous topic"),
    "AMAZON.StartOverIntent": (
        "start over",
        "restart",
        "start again",
        "begin again",
        "from the top",
    ),
    "AMAZON.NavigateHomeIntent": ("go home", "home"),
}
EXIT_PHRASES = ("exit", "alexa exit")


def normalise(text: str) -> str:
    """Text as speech recognition would deliver it: lower case, no punctuation, single spaces.

    >>> normalise("  Alexa, what's an EMG?! ")
    "alexa what's an emg"
    """
    text = text.lower().replace("\u2019", "'").replace(",", " ")
    text = _PUNCTUATION.sub(" ", text)
    text = re.sub(r"(?<![a-z])\.|\.(?![a-z])", " ", text)  # keep "e.m.g." style dots only
    return " ".join(text.split())


@dataclass(frozen=True)
class Understanding:
    """What the simulator made of an utterance."""

    kind: str  # "launch", "intent" or "exit"
    intent: str | None = None
    slots: tuple[dict[str, Any], ...] = ()
    one_shot: bool = False
    #: False when no sample matched and the words went to the free question as a last resort.
    matched: bool = True


@dataclass(frozen=True)
class _Sample:
    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal: int
    exact: bool


class Model:
    """One locale's interaction model, compiled for matching."""

    def __init__(self, model: dict[str, Any]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation: str = language["invocationName"]
        self.slot_types: dict[str, str] = {}
        self.intents = {intent["name"] for intent in language.get("intents", [])}
        self.values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in language.get("types", []):
            table: dict[str, tuple[str, str]] = {}
            for value in slot_type.get("values", []):
                name = value["name"]["value"]
                value_id = value.get("id") or name
                for word in (name, *value["name"].get("synonyms", [])):
                    table.setdefault(normalise(word), (value_id, name))
            self.values[slot_type["name"]] = table
        self.samples: list[_Sample] = []
        for intent in language.get("intents", []):
            slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for slot_name, slot_type in slot_types.items():
                self.slot_types[f"{intent['name']}.{slot_name}"] = slot_type
            for sample in intent.get("samples", []):
                self.samples.append(self._compile(intent["name"], normalise_sample(sample)))
        for name, phrases in BUILT_IN_PHRASES.items():
            for phrase in phrases:
                self.samples.append(self._compile(name, phrase))
        self.samples.sort(key=lambda s: -s.literal)

    @staticmethod
    def _compile(intent: str, sample: str) -> _Sample:
        parts = re.split(r"\{(\w+)\}", sample)
        regex, slots = "", []
        for index, part in enumerate(parts):
            if index % 2:
                slots.append(part)
                regex += rf"(?P<{part}>.+?)"
            else:
                regex += re.escape(part)
        literal = sum(len(p) for p in parts[::2])
        return _Sample(intent, re.compile(f"^{regex}$"), tuple(slots), literal, not slots)

    def resolve_value(self, slot_type: str, said: str) -> tuple[str, str] | None:
        """(value id, value name) for words said into a custom slot, as entity resolution does."""
        table = self.values.get(slot_type)
        if not table:
            return None
        said = normalise(said)
        while said:
            if said in table:
                return table[said]
            article = next((a for a in _ARTICLES if said.startswith(a)), None)
            if article is None:
                return None
            said = said[len(article) :]
        return None

    def understand(self, utterance: str) -> Understanding:
        """Map words to an intent and filled slots, Alexa-style."""
        best: tuple[int, int, Understanding] | None = None
        for sample in self.samples:
            found = sample.pattern.match(utterance)
            if not found:
                continue
            if sample.exact:
                return Understanding("intent", sample.intent)
            slots, tier = [], 1
            for slot_name in sample.slots:
                said = found.group(slot_name).strip()
                slot_type = self.slot_types.get(f"{sample.intent}.{slot_name}", "")
                if slot_type.startswith("AMAZON."):
                    tier = max(tier, 2)
                    slots.append(envelopes.slot(slot_name, said))
                    continue
                value = self.resolve_value(slot_type, said)
                if value is None:
                    tier = 3
                    slots.append(envelopes.slot(slot_name, said, authority=slot_type))
                else:
                    slots.append(envelopes.slot(slot_name, said, value[0], authority=slot_type))
            candidate = Understanding("intent", sample.intent, tuple(slots))
            rank = (tier, -sample.literal)
            if best is None or rank < best[:2]:
                best = (*rank, candidate)
        if best is not None and best[0] < 3:
            return best[2]
        if "AskQuestionIntent" in self.intents:
            return Understanding(
                "intent",
                "AskQuestionIntent",
                (envelopes.slot("question", utterance),),
                matched=False,
            )
        return best[2] if best else Understanding("intent", "AMAZON.FallbackIntent")


def normalise_sample(sample: str) -> str:
    """A model sample in the simulator's normal form, keeping ``{slot}`` references intact."""
    parts = re.split(r"(\{\w+\})", sample)
    return " ".join(" ".join(p if i % 2 else normalise(p) for i, p in enumerate(parts)).split())


_MODELS = Path("skill-package") / "interactionModels" / "custom"


def model_dir() -> Path:
    """Where the generated interaction models are: ``MUSCLE_GUIDE_MODEL_DIR``, else the checkout.

    An editable install finds the checkout beside this package; a plain ``pip install .`` puts
    the package in site-packages, so the checkout is then the working directory.
    """
    configured = os.environ.get("MUSCLE_GUIDE_MODEL_DIR")
    if configured:
        return Path(configured)
    beside = REPO_ROOT / _MODELS
    return beside if beside.is_dir() else Path.cwd() / _MODELS


@lru_cache(maxsize=8)
def load_model(locale: str) -> Model:
    """The compiled interaction model for ``locale`` (falls back to en-US's when missing)."""
    folder = model_dir()
    path = folder / f"{locale}.json"
    if not path.exists():
        path = folder / f"{DEFAULT_LOCALE}.json"
    with path.open(encoding="utf-8") as handle:
        return Model(json.load(handle))


def understand(utterance: str, locale: str = DEFAULT_LOCALE) -> Understanding:
    """Everything a person might say to Alexa, resolved for this skill.

    >>> understand("open muscle weakness guide").kind
    'launch'
    """
    text = _WAKE.sub("", normalise(utterance))
    if text in EXIT_PHRASES:
        return Understanding("exit")
    model = load_model(locale)
    launch, asking = _frames(model.invocation)
    if launch.match(text):
        return Understanding("launch")
    one_shot = asking.match(text)
    if one_shot:
        inner = model.understand(one_shot.group("rest") or one_shot.group("rest2"))
        return Understanding(
            inner.kind, inner.intent, inner.slots, one_shot=True, matched=inner.matched
        )
    return model.understand(text)


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Conversation:
    """A session with the skill, carried across turns as Alexa would carry it."""

    locale: str = DEFAULT_LOCALE
    handler: Handler | None = None
    screen: bool = False
    user_id: str = envelopes.TEST_USER_ID
    session: dict[str, Any] | None = None
    log: list[dict[str, Any]] = field(default_factory=list)

    def _handler(self) -> Handler:
        if self.handler is None:
            from lambda_function import lambda_handler

            self.handler = lambda_handler
        return self.handler

    def send(self, request: dict[str, Any], new_session: bool = False) -> dict[str, Any]:
        """Send a request in the current session (or a new one) and keep its attributes."""
        if new_session or self.session is None:
            self.session = envelopes.new_session(user_id=self.user_id)
        event = envelopes.envelope(
            request, self.session, envelopes.context(user_id=self.user_id, screen=self.screen)
        )
        response = self._handler()(event, None)
        self.log.append({"request": event, "response": response})
        body = response.get("response", {}) if isinstance(response, dict) else {}
        if request["type"] == "SessionEndedRequest" or body.get("shouldEndSession") is not False:
            self.session = None
        else:
            self.session = {
                **self.session,
                "new": False,
                "attributes": response.get("sessionAttributes") or {},
            }
        return response

    def say(self, utterance: str) -> dict[str, Any]:
        """What happens when the person says ``utterance`` to the device."""
        meaning = understand(utterance, self.locale)
        if meaning.kind == "launch":
            return self.send(envelopes.launch_request(self.locale), new_session=True)
        if meaning.kind == "exit":
            if self.session is None:
                return {"version": "1.0", "response": {}}
            return self.send(envelopes.session_ended_request(self.locale))
        request = envelopes.intent_request(meaning.intent or "", list(meaning.slots), self.locale)
        return self.send(request, new_session=meaning.one_shot or self.session is None)

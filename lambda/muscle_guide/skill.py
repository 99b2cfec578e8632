"""Assembling the skill: handlers, interceptors, the serializer, and a runner for Lambda events.

Nothing happens at import: ``lambda_function`` (the Lambda entry point), the web service and the
simulator each build the skill once per process and reuse it for every request, instead of the
ASK SDK's default of rebuilding it per invocation.
"""

from __future__ import annotations

import decimal
import json
import re
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, cast

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import AskSdkException, SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from .addressing import event_is_for
from .config import Settings
from .handlers import exception_handlers, request_handlers
from .interceptors import MemoryLoadInterceptor, MemorySaveInterceptor, RedFlagInterceptor
from .logs import RequestLogger, RequestTimer, get_logger
from .persistence import Memory, build_adapter
from .speech import error_speech

log = get_logger(__name__)
#: Declared types whose value, already of that type, the SDK's reading returns unchanged.
_PLAIN: dict[str, type] = {"str": str, "bool": bool, "int": int, "float": float}


class Serializer(DefaultSerializer):
    """The SDK's serializer, faster where the SDK does avoidable work.

    * Timestamps: the SDK parses every ISO 8601 timestamp with ``dateutil``, which costs a few
      milliseconds to import on a cold start and tens of microseconds per request. Alexa's are
      plain ISO 8601, which ``datetime.fromisoformat`` reads; anything else still goes to the
      SDK's parser.
    * No JSON round trip: an event that is already a dict is turned into the model directly
      (``from_event``); the web service's subclass also skips parsing a body twice.
    * Responses: the SDK rebuilds each model class's key map on every object it writes out;
      ``serialize`` builds it once per class (same output, about a third of the time).
    * Requests: reading an envelope into models was half of a warm request's time. The SDK
      imports each model class by name for every object (an ``__import__`` call each), rebuilds
      each class's key map, and scans that map's values once per key of the payload. Here class
      names are resolved once, and each class's fields and known keys are kept; the models
      built are the same (``tests/test_events.py`` compares them with the SDK's own).
    """

    _keys: ClassVar[dict[type, tuple[tuple[str, str], ...]]] = {}
    _classes: ClassVar[dict[str, Any]] = {}
    _plans: ClassVar[dict[str, tuple[str, Any]]] = {}
    #: Per model class: (attribute, payload key, declared type) for each field, and every key.
    _layouts: ClassVar[
        dict[type, tuple[tuple[tuple[str, str, Any, type | None], ...], frozenset[str]]]
    ] = {}

    def serialize(self, obj: Any) -> Any:
        """The SDK's ``serialize``, with each model class's (attribute, key) pairs cached."""
        if obj is None or isinstance(obj, self.PRIMITIVE_TYPES):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.serialize(item) for item in obj)
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, decimal.Decimal):
            return int(obj) if obj % 1 == 0 else float(obj)
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        keys = self._keys.get(type(obj))
        if keys is None:
            names = getattr(obj, "attribute_map", {})
            keys = tuple((attr, names.get(attr, attr)) for attr in obj.deserialized_types)
            self._keys[type(obj)] = keys
        out = {}
        for attr, key in keys:
            value = getattr(obj, attr)
            if value is not None:
                out[key] = self.serialize(value)
        return out

    def _DefaultSerializer__deserialize(self, payload: Any, obj_type: Any) -> Any:
        """The SDK's dispatch on a declared type, with each type name read once ("list[...]",
        "dict(str, ...)", a native or a model class name) instead of by pattern every time."""
        if payload is None:
            return None
        if isinstance(obj_type, str):
            plan = self._plans.get(obj_type)
            if plan is None:
                plan = self._plans[obj_type] = self._plan(obj_type)
            kind, target = plan
            deserialize = self._DefaultSerializer__deserialize
            if kind == "list":
                if isinstance(target, tuple):  # one declared type per position
                    return [deserialize(item, t) for item, t in zip(payload, target)]  # noqa: B905 - as the SDK
                return [deserialize(item, target) for item in payload]
            if kind == "dict":
                return {key: deserialize(value, target) for key, value in payload.items()}
            if kind == "empty_list":
                return []
            if kind == "empty_dict":
                return {}
            obj_type = target
        if obj_type in self.PRIMITIVE_TYPES:
            return self._DefaultSerializer__deserialize_primitive(payload, obj_type)  # type: ignore[attr-defined]
        if obj_type is object:
            return payload
        if obj_type is date or obj_type is datetime:
            return self._DefaultSerializer__deserialize_datetime(payload, obj_type)
        return self._DefaultSerializer__deserialize_model(payload, obj_type)

    def _plan(self, obj_type: str) -> tuple[str, Any]:
        """How the SDK reads a declared type name: ("list" | "dict" | "type", what inside), or
        ("empty_list" | "empty_dict", None) for a container name the SDK reads as empty."""
        if obj_type.startswith("list["):
            inner = re.match(r"list\[(.*)\]", obj_type)
            if inner is None:
                return ("empty_list", None)
            names = inner.group(1)
            if "," in names:
                return ("list", tuple(name.strip() for name in names.split(",")))
            return ("list", names.strip())
        if obj_type.startswith("dict("):
            inner = re.match(r"dict\(([^,]*), (.*)\)", obj_type)
            if inner is None:
                return ("empty_dict", None)
            return ("dict", inner.group(2))
        if obj_type in self.NATIVE_TYPES_MAPPING:
            return ("type", self.NATIVE_TYPES_MAPPING[obj_type])
        return ("type", self._DefaultSerializer__load_class_from_name(obj_type))

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:
        found = self._classes.get(class_name)
        if found is None:
            found = super()._DefaultSerializer__load_class_from_name(class_name)  # type: ignore[misc]
            self._classes[class_name] = found
        return found

    def _DefaultSerializer__deserialize_model(self, payload: Any, obj_type: Any) -> Any:
        """The SDK's model step with each class's layout kept: the same model, set field by
        field in the SDK's order, with unknown keys kept as attributes as the SDK keeps them."""
        try:
            if issubclass(obj_type, Enum):
                return obj_type(payload)
            if not hasattr(obj_type, "deserialized_types"):
                return payload
            if hasattr(obj_type, "get_real_child_model"):
                obj_type = self._DefaultSerializer__get_obj_by_discriminator(  # type: ignore[attr-defined]
                    payload, obj_type
                )
            layout = self._layouts.get(obj_type)
            if layout is None:
                types = obj_type.deserialized_types
                names = dict(getattr(obj_type, "attribute_map", {}))
                names.update({k: k for k in types if k not in names})
                fields = tuple(
                    (attr, key, types[attr], _PLAIN.get(types[attr])) for attr, key in names.items()
                )
                layout = self._layouts[obj_type] = (fields, frozenset(names.values()))
            fields, known = layout
            model = obj_type()
            deserialize = self._DefaultSerializer__deserialize
            for attr, key, declared, plain in fields:
                if key in payload:
                    value = payload[key]
                    if type(value) is not plain:  # a text already a str is kept as the SDK keeps it
                        value = deserialize(value, declared)
                    setattr(model, attr, value)
            for key in payload:
                if key not in known:
                    setattr(model, key, payload[key])
            return model
        except Exception as error:
            raise SerializationException(str(error)) from error

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, obj_type: Any) -> Any:
        try:
            parsed = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            return super()._DefaultSerializer__deserialize_datetime(payload, obj_type)  # type: ignore[misc]
        return parsed.date() if obj_type is date else parsed

    def from_event(self, event: dict[str, Any]) -> RequestEnvelope:
        """A request envelope from the already-decoded JSON of an event.

        The model-building step is name-mangled in the SDK; fall back to the public path (a JSON
        round trip) if a release ever renames it.
        """
        direct = getattr(self, "_DefaultSerializer__deserialize", None)
        if direct is not None:
            return direct(event, RequestEnvelope)  # type: ignore[no-any-return]
        return cast(RequestEnvelope, self.deserialize(json.dumps(event), RequestEnvelope))


class SkillIdMismatch(AskSdkException):
    """The request was meant for another skill; it is refused, not answered."""


def build_skill(
    settings: Settings | None = None, adapter: AbstractPersistenceAdapter | None = None
) -> CustomSkill:
    """Build the skill with every handler, for Lambda, the web service and the simulator.

    ``adapter`` overrides the store the settings name (fault-injection tests use it).

    >>> build_skill(Settings()).skill_id is None
    True
    """
    settings = settings or Settings.from_env()
    memory = Memory(adapter if adapter is not None else build_adapter(settings))
    builder = CustomSkillBuilder()
    for interceptor in (RequestTimer(), RedFlagInterceptor(), MemoryLoadInterceptor(memory)):
        builder.add_global_request_interceptor(interceptor)
    for response_interceptor in (MemorySaveInterceptor(memory), RequestLogger()):
        builder.add_global_response_interceptor(response_interceptor)
    for handler in request_handlers(memory):
        builder.add_request_handler(handler)
    for exception_handler in exception_handlers():
        builder.add_exception_handler(exception_handler)
    # No skill id for the SDK: SkillRunner (and the web service's verifier) check it before the
    # SDK sees the request, with ``addressing.is_for``, the one rule, covering both of its ids.
    skill = builder.create()
    skill.serializer = Serializer()
    return skill


def error_envelope(locale: str | None = None) -> dict[str, Any]:
    """A valid response for a request too broken to reach a handler."""
    text = error_speech(locale)
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{text}</speak>"},
            "shouldEndSession": True,
        },
    }


class SkillRunner:
    """Runs Lambda-style events (plain dicts) through one long-lived skill.

    With a ``skill_id``, a request addressed to any other skill is refused before it runs.
    """

    def __init__(self, skill: CustomSkill, skill_id: str | None = None) -> None:
        self.skill = skill
        self.skill_id = skill_id
        serializer = skill.serializer
        self.serializer = serializer if isinstance(serializer, Serializer) else Serializer()

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        if self.skill_id is not None and not event_is_for(self.skill_id, event):
            raise SkillIdMismatch("request is for another skill")
        locale = None
        try:
            request = event.get("request") if isinstance(event, dict) else None
            locale = request.get("locale") if isinstance(request, dict) else None
            if not isinstance(request, dict) or not isinstance(request.get("type"), str):
                raise ValueError("event has no request type")
            envelope = self.serializer.from_event(event)
            response = self.skill.invoke(request_envelope=envelope, context=context)
            return cast(dict[str, Any], self.serializer.serialize(response))
        except SkillIdMismatch:
            raise
        except Exception:
            log.exception("request could not be handled")
            return error_envelope(locale if isinstance(locale, str) else None)


def warm() -> None:
    """Load what requests would otherwise load lazily, so a SnapStart snapshot already holds it.

    Registered as a SnapStart before-snapshot hook (``register_warm_up``): Lambda runs it once,
    after init and before it takes the snapshot, and never on an on-demand cold start, where
    loading on first use is cheaper.
    """
    from .check import table
    from .display import document
    from .knowledge import KNOWLEDGE
    from .retrieval import retriever
    from .safety import compile_all

    len(KNOWLEDGE)
    retriever()
    document()
    table()
    compile_all()


def register_warm_up() -> bool:
    """Register ``warm`` with the runtime's SnapStart hooks; False where there are none.

    The Lambda Python runtime ships ``snapshot_restore_py`` (the runtime hooks of SnapStart);
    it is not on PyPI, so off Lambda (tests, the simulator, the web service) the import fails
    and nothing is registered.

    >>> register_warm_up()
    False
    """
    try:
        from snapshot_restore_py import register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(warm)
    return True

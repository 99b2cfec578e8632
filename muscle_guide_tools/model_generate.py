"""Generate the Alexa interaction model of every locale from model.yaml and the knowledge base.

Why generate: the five English locales share almost every sample, and the TOPIC slot values must
follow the knowledge base exactly (the skill resolves a slot's value id straight to a topic id).
Hand-kept JSON copies would drift from each other and from the knowledge base; one readable
source plus this script cannot.

    python -m muscle_guide_tools.model_generate          # write skill-package/.../<locale>.json
    python -m muscle_guide_tools.model_generate --check  # write nothing; exit 1 if stale

Tests use :func:`build_models`:

    >>> models = build_models()
    >>> models["en-GB"]["interactionModel"]["languageModel"]["invocationName"]
    'muscle weakness guide'

Warnings (an alias shared by two topics, an alias Alexa would reject) go to stderr: the model is
still valid without that alias, but the knowledge base should be fixed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from muscle_guide.locales import EMERGENCY_NUMBERS
from muscle_guide_tools import ROOT
from muscle_guide_tools.model_validate import MAX_SLOT_VALUE_CHARS, spoken_text_problems, validate

SOURCE_FILE = ROOT / "interaction_model" / "model.yaml"
KNOWLEDGE_FILE = ROOT / "lambda" / "muscle_guide" / "data" / "knowledge_base.json"
OUTPUT_DIR = ROOT / "skill-package" / "interactionModels" / "custom"
DEFAULT_KEY = "default"


class GenerationError(Exception):
    """The source or the knowledge base cannot produce a model; the message says what to fix."""


# --- Templates ----------------------------------------------------------------------------------


class _TemplateParser:
    """Recursive-descent expansion of one template: ``(a|b)``, ``[a]``, ``{slot}``, ``$word``."""

    def __init__(self, template: str, words: Mapping[str, list[str]]) -> None:
        self.text = template
        self.pos = 0
        self.words = words

    def error(self, message: str) -> GenerationError:
        """An error that points at the character, so a typo in model.yaml is quick to find."""
        return GenerationError(f"template {self.text!r}, character {self.pos + 1}: {message}")

    def parse(self) -> list[str]:
        """All expansions of the whole template."""
        results = self.alternatives(closing=None)
        if self.pos < len(self.text):
            raise self.error(f"unexpected {self.text[self.pos]!r}")
        return results

    def alternatives(self, closing: str | None) -> list[str]:
        """``a|b|c`` up to ``closing``: the union of each alternative's expansions."""
        options = self.sequence()
        while self.pos < len(self.text) and self.text[self.pos] == "|":
            if closing is None:
                raise self.error("'|' outside ( ) or [ ]")
            self.pos += 1
            options += self.sequence()
        if closing is not None:
            if self.pos >= len(self.text) or self.text[self.pos] != closing:
                raise self.error(f"missing {closing!r}")
            self.pos += 1
        return options

    def sequence(self) -> list[str]:
        """Items side by side up to ``|`` or a closing bracket: their cross product."""
        parts: list[list[str]] = []
        while self.pos < len(self.text) and self.text[self.pos] not in "|)]":
            char = self.text[self.pos]
            if char in "([":
                self.pos += 1
                options = self.alternatives(closing=")" if char == "(" else "]")
                parts.append([*options, ""] if char == "[" else options)
            elif char == "{":
                end = self.text.find("}", self.pos)
                if end < 0:
                    raise self.error("missing '}'")
                parts.append([self.text[self.pos : end + 1]])
                self.pos = end + 1
            elif char == "$":
                start = self.pos + 1
                end = start
                while end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
                    end += 1
                name = self.text[start:end]
                if name not in self.words:
                    raise self.error(f"unknown word ${name}")
                parts.append(self.words[name])
                self.pos = end
            else:
                end = self.pos
                while end < len(self.text) and self.text[end] not in "([{$|)]":
                    end += 1
                parts.append([self.text[self.pos : end]])
                self.pos = end
        return ["".join(combo) for combo in itertools.product(*parts)]


def expand(template: str, words: Mapping[str, list[str]] | None = None) -> list[str]:
    """Every phrase ``template`` stands for, spaces tidied, duplicates dropped, in first-seen order.

    >>> expand("[please] tell me (about|more about) {topic}")
    ['please tell me about {topic}', 'please tell me more about {topic}', \
'tell me about {topic}', 'tell me more about {topic}']
    >>> expand("see a $doctor", {"doctor": ["doctor", "g p"]})
    ['see a doctor', 'see a g p']
    """
    phrases = _TemplateParser(template, words or {}).parse()
    return list(dict.fromkeys(" ".join(phrase.split()) for phrase in phrases))


# --- Locale-keyed mappings ----------------------------------------------------------------------


def for_locale(mapping: Mapping[str, Any] | None, locale: str, what: str) -> Any:
    """The entry of ``mapping`` whose key names ``locale`` ("en-GB en-AU"), else its default.

    >>> for_locale({"en-GB en-AU": "g p", "default": "doctor"}, "en-AU", "doctor")
    'g p'
    """
    if not mapping:
        return None
    found = [value for key, value in mapping.items() if locale in str(key).split()]
    if len(found) > 1:
        raise GenerationError(f"{what}: more than one entry names {locale}")
    if found:
        return found[0]
    return mapping.get(DEFAULT_KEY)


def merged_for_locale(
    mapping: Mapping[str, Mapping[str, Any]] | None, locale: str, what: str
) -> dict[str, Any]:
    """For mappings of mappings: ``default`` entries, overridden by the locale's own entries.

    >>> merged_for_locale({"default": {"als": "a l s", "x": "y"}, "en-GB": {"x": "z"}}, "en-GB", "")
    {'als': 'a l s', 'x': 'z'}
    """
    if not mapping:
        return {}
    specific = [value for key, value in mapping.items() if locale in str(key).split()]
    if len(specific) > 1:
        raise GenerationError(f"{what}: more than one entry names {locale}")
    return {**(mapping.get(DEFAULT_KEY) or {}), **(specific[0] if specific else {})}


def camel_case(topic_id: str) -> str:
    """``how_muscles_work`` -> ``HowMusclesWork``: the intent-name rule for general topics."""
    return "".join(part.capitalize() for part in topic_id.split("_"))


def general_intent_name(topic_id: str) -> str:
    """The intent a general topic gets: ``<CamelCase(topic id)>Intent``.

    >>> general_intent_name("when_to_see_doctor")
    'WhenToSeeDoctorIntent'
    """
    return f"{camel_case(topic_id)}Intent"


# --- Building -----------------------------------------------------------------------------------


@dataclass
class Build:
    """What one run produces: a model per locale, and warnings worth fixing at the source."""

    models: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def _is_slot_text(text: str) -> bool:
    """Whether Alexa accepts ``text`` as a slot value (same rules the validator applies)."""
    return (
        not spoken_text_problems(text)
        and text == text.lower()
        and (len(text) <= MAX_SLOT_VALUE_CHARS)
    )


def _speech_form(title: str) -> str:
    """A title made speakable as a slot value: lower case, only the characters Alexa accepts."""
    kept = "".join(ch if ch.isalpha() or ch in " '-" else " " for ch in title.lower())
    return " ".join(kept.split())


def topic_values(
    topics: list[dict[str, Any]],
    names: Mapping[str, str],
    extra_synonyms: Mapping[str, list[str]],
    warn: Callable[[str], None],
) -> list[dict[str, Any]]:
    """TOPIC slot values: id = topic id, name = spoken name, synonyms = the other aliases.

    Names are settled first, so every topic keeps a name of its own; then synonyms are handed
    out in knowledge-base order, and an alias already spoken for stays with the first topic only
    (Alexa cannot resolve one phrase to two values).
    """
    known = {topic["id"] for topic in topics}
    for topic_id in sorted(set(names) - known):
        warn(f"TOPIC name for unknown topic {topic_id!r} ignored")
    for topic_id in sorted(set(extra_synonyms) - known):
        warn(f"TOPIC synonyms for unknown topic {topic_id!r} ignored")

    owner: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for topic in topics:
        topic_id = topic["id"]
        aliases = [a for a in topic.get("aliases", []) if isinstance(a, str)]
        preferred = names.get(topic_id)
        candidates = (
            ([preferred] if preferred else [])
            + aliases
            + [_speech_form(str(topic.get("title", "")))]
        )
        if preferred and preferred not in aliases:
            warn(f"topic {topic_id}: preferred name {preferred!r} is not one of its aliases")
        for candidate in candidates:
            if candidate and _is_slot_text(candidate) and candidate not in owner:
                chosen[topic_id] = candidate
                owner[candidate] = topic_id
                break
        else:
            raise GenerationError(f"topic {topic_id}: no alias or title usable as a spoken name")

    values = []
    for topic in topics:
        topic_id = topic["id"]
        synonyms: list[str] = []
        wanted = list(topic.get("aliases", [])) + list(extra_synonyms.get(topic_id, []))
        for alias in dict.fromkeys(wanted):
            if alias == chosen[topic_id]:
                continue
            if not isinstance(alias, str) or not _is_slot_text(alias):
                warn(f"topic {topic_id}: alias {alias!r} is not valid as a slot value; left out")
            elif alias in owner:
                warn(
                    f"topic {topic_id}: alias {alias!r} already belongs to topic "
                    f"{owner[alias]}; kept only there"
                )
            else:
                owner[alias] = topic_id
                synonyms.append(alias)
        values.append(
            {"id": topic_id, "name": {"value": chosen[topic_id], "synonyms": sorted(synonyms)}}
        )
    return sorted(values, key=lambda value: value["id"])


def slot_topics(
    source: Mapping[str, Any], topics: list[dict[str, Any]], warn: Callable[[str], None]
) -> list[dict[str, Any]]:
    """The topics the TOPIC slot names: all but those of ``topic_type.exclude_categories``.

    Topics of an excluded category (the general ones and the emergency) have intents of their
    own; their aliases in the slot too would make one phrase ("define muscle weakness") a
    sample of two intents. Each excluded topic must therefore have its own intent.

    >>> topics = [{"id": "overview", "category": "general"}, {"id": "als", "category": "x"}]
    >>> source = {"topic_type": {"exclude_categories": ["general"]},
    ...           "general_topics": {"overview": []}}
    >>> [t["id"] for t in slot_topics(source, topics, print)]
    ['als']
    """
    excluded = set((source.get("topic_type") or {}).get("exclude_categories") or [])
    own_intents = set(source.get("general_topics") or {})
    kept = []
    for topic in topics:
        if topic.get("category") not in excluded:
            kept.append(topic)
        elif topic["id"] not in own_intents:
            warn(
                f"topic {topic['id']} ({topic.get('category')}) is left out of the TOPIC slot "
                "but has no intent of its own in general_topics: nothing names it"
            )
    return kept


def _samples(spec: Any, locale: str, words: Mapping[str, list[str]], where: str) -> list[str]:
    """All expanded samples of one intent spec (a list, or a dict with samples/locale_samples)."""
    if spec is None:
        return []
    if isinstance(spec, list):
        templates = spec
    elif isinstance(spec, dict):
        templates = list(spec.get("samples", []))
        templates += for_locale(spec.get("locale_samples"), locale, where) or []
    else:
        raise GenerationError(f"{where}: expected a list of samples or a mapping")
    phrases: list[str] = []
    for template in templates:
        try:
            phrases += expand(str(template), words)
        except GenerationError as error:
            raise GenerationError(f"{where}: {error}") from None
    return sorted(set(phrases))


def _locale_words(source: Mapping[str, Any], locale: str) -> dict[str, list[str]]:
    """Each ``$word`` expanded for ``locale``; a word a locale lacks is an error, not a gap."""
    words: dict[str, list[str]] = {}
    for word, variants in (source.get("words") or {}).items():
        template = for_locale(variants, locale, f"words.{word}")
        if template is None:
            raise GenerationError(f"words.{word} has no entry for {locale} and no default")
        words[word] = expand(str(template))
    # The emergency number as people say it comes from the skill itself (muscle_guide.locales),
    # the one definition the spoken answers use too.
    number = EMERGENCY_NUMBERS.get(locale)
    if number is not None:
        words["emergency_number"] = [number.spoken]
    return words


def _custom_types(source: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The slot types written out in model.yaml (all but TOPIC), in Alexa's JSON shape."""
    types = []
    for type_name, values in (source.get("types") or {}).items():
        entries = []
        for value_id, value in values.items():
            entries.append(
                {
                    "id": value_id,
                    "name": {"value": value["name"], "synonyms": sorted(value.get("synonyms", []))},
                }
            )
        types.append({"name": type_name, "values": entries})
    return types


def build_locale(
    source: Mapping[str, Any],
    topics: list[dict[str, Any]],
    locale: str,
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """The interaction model of one locale."""
    words = _locale_words(source, locale)
    intents: list[dict[str, Any]] = []
    for name, spec in (source.get("intents") or {}).items():
        spec = spec or {}
        intent: dict[str, Any] = {"name": name}
        slots = spec.get("slots") or {}
        if slots:
            intent["slots"] = [{"name": slot, "type": kind} for slot, kind in slots.items()]
        intent["samples"] = _samples(spec, locale, words, f"intents.{name}")
        intents.append(intent)

    topic_ids = {topic["id"] for topic in topics}
    for topic_id, spec in (source.get("general_topics") or {}).items():
        if topic_id not in topic_ids:
            warn(f"general topic {topic_id!r} is not in the knowledge base")
        name = general_intent_name(topic_id)
        intent = {"name": name}
        # A general topic may own a question frame with a free slot ("why {question}"): the
        # skill answers the general topic unless the words name something more specific.
        slots = (spec.get("slots") or {}) if isinstance(spec, Mapping) else {}
        if slots:
            intent["slots"] = [{"name": slot, "type": kind} for slot, kind in slots.items()]
        intent["samples"] = _samples(spec, locale, words, f"general_topics.{topic_id}")
        intents.append(intent)

    topic_spec = source.get("topic_type") or {}
    names = merged_for_locale(topic_spec.get("names"), locale, "topic_type.names")
    extra = merged_for_locale(topic_spec.get("synonyms"), locale, "topic_type.synonyms")
    types = _custom_types(source)
    types.append(
        {
            "name": topic_spec.get("name", "TOPIC"),
            "values": topic_values(slot_topics(source, topics, warn), names, extra, warn),
        }
    )

    language: dict[str, Any] = {
        "invocationName": source["invocation_name"],
        "intents": sorted(intents, key=lambda intent: intent["name"]),
        "types": sorted(types, key=lambda slot_type: slot_type["name"]),
    }
    level = source.get("fallback_intent_sensitivity")
    if level:
        # Alexa reads modelConfiguration from inside languageModel (Interaction Model Schema).
        language["modelConfiguration"] = {"fallbackIntentSensitivity": {"level": level}}
    return {"interactionModel": {"languageModel": language}}


def build(source: Mapping[str, Any], topics: list[dict[str, Any]]) -> Build:
    """Models for every locale in ``source``, from already-loaded inputs (used by tests)."""
    warnings: list[str] = []

    def warn(message: str) -> None:
        if message not in warnings:
            warnings.append(message)

    check_source(source)
    models = {
        locale: build_locale(source, topics, locale, warn) for locale in source.get("locales", [])
    }
    return Build(models=models, warnings=warnings)


SOURCE_KEYS = {
    "invocation_name", "locales", "fallback_intent_sensitivity", "words", "topic_type", "types",
    "intents", "general_topics",
}  # fmt: skip
INTENT_KEYS = {"slots", "samples", "locale_samples"}


def check_source(source: Mapping[str, Any]) -> None:
    """Reject misspelt keys and unknown locales in model.yaml.

    Without this a typo ("sample:" or "en_GB") would silently drop samples from a model that
    still validates, and nobody would notice until Alexa misunderstood someone.
    """
    unknown = set(source) - SOURCE_KEYS
    if unknown:
        raise GenerationError(f"model.yaml: unknown top-level keys {sorted(unknown)}")
    locales = set(source.get("locales") or [])

    def check_keys(mapping: Any, where: str) -> None:
        for key in mapping or {}:
            names = set(str(key).split()) - {DEFAULT_KEY}
            if names - locales:
                raise GenerationError(f"{where}: unknown locale(s) {sorted(names - locales)}")

    for word, variants in (source.get("words") or {}).items():
        check_keys(variants, f"words.{word}")
    topic_spec = source.get("topic_type") or {}
    check_keys(topic_spec.get("names"), "topic_type.names")
    check_keys(topic_spec.get("synonyms"), "topic_type.synonyms")
    specs = [(f"intents.{n}", s) for n, s in (source.get("intents") or {}).items()]
    specs += [(f"general_topics.{n}", s) for n, s in (source.get("general_topics") or {}).items()]
    for where, spec in specs:
        if isinstance(spec, dict):
            if set(spec) - INTENT_KEYS:
                raise GenerationError(f"{where}: unknown keys {sorted(set(spec) - INTENT_KEYS)}")
            check_keys(spec.get("locale_samples"), f"{where}.locale_samples")


def load_source(path: Path = SOURCE_FILE) -> dict[str, Any]:
    """model.yaml as data."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_topics(path: Path = KNOWLEDGE_FILE) -> list[dict[str, Any]]:
    """The knowledge base's topics, in file order (order decides who keeps a shared alias)."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise GenerationError(
            f"knowledge base not found at {path}; the TOPIC slot type is built from it"
        ) from None
    except json.JSONDecodeError as error:
        raise GenerationError(f"knowledge base {path} is not valid JSON: {error}") from None
    return [topic for topic in data.get("topics", []) if isinstance(topic, dict) and "id" in topic]


def build_all(source_path: Path = SOURCE_FILE, knowledge_path: Path = KNOWLEDGE_FILE) -> Build:
    """Models and warnings from the files on disk."""
    return build(load_source(source_path), load_topics(knowledge_path))


def build_models(
    source_path: Path = SOURCE_FILE, knowledge_path: Path = KNOWLEDGE_FILE
) -> dict[str, dict[str, Any]]:
    """Locale -> interaction model JSON, exactly as the generator would write it."""
    return build_all(source_path, knowledge_path).models


def render(model: Mapping[str, Any]) -> str:
    """The file text: 2-space JSON with sorted keys and a trailing newline, so diffs stay small."""
    return json.dumps(model, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def output_path(locale: str, output_dir: Path = OUTPUT_DIR) -> Path:
    """Where a locale's model lives in the skill package."""
    return output_dir / f"{locale}.json"


def stale_files(
    models: Mapping[str, Mapping[str, Any]], output_dir: Path = OUTPUT_DIR
) -> list[Path]:
    """Generated files that are missing or differ from what ``models`` renders to."""
    stale = []
    for locale, model in models.items():
        path = output_path(locale, output_dir)
        if not path.exists() or path.read_text(encoding="utf-8") != render(model):
            stale.append(path)
    return stale


def main(argv: Iterable[str] | None = None) -> int:
    """Generate (or with --check, compare) every locale's model; 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--source", type=Path, default=SOURCE_FILE)
    parser.add_argument("--knowledge", type=Path, default=KNOWLEDGE_FILE)
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(list(argv) if argv is not None else None)

    try:
        result = build_all(args.source, args.knowledge)
    except (GenerationError, OSError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for message in result.warnings:
        print(f"warning: {message}", file=sys.stderr)

    problems = [p for locale, m in result.models.items() for p in validate(m, locale)]
    if problems:
        for problem in problems:
            print(f"invalid: {problem}", file=sys.stderr)
        return 1

    stale = stale_files(result.models, args.output_dir)
    if args.check:
        for path in stale:
            print(
                f"stale: {path} (run python -m muscle_guide_tools.model_generate)", file=sys.stderr
            )
        return 1 if stale else 0
    args.output_dir.mkdir(parents=True, exist_ok=True)
    for locale, model in result.models.items():
        output_path(locale, args.output_dir).write_text(render(model), encoding="utf-8")
    for locale, model in result.models.items():
        language = model["interactionModel"]["languageModel"]
        count = sum(len(intent["samples"]) for intent in language["intents"])
        print(
            f"{output_path(locale, args.output_dir)}: {len(language['intents'])} intents, "
            f"{count} samples"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

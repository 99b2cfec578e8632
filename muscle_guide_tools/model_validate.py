"""Check an Alexa interaction model against the rules Alexa publishes, before Alexa sees it.

Why this exists: the Alexa build service only judges a model when someone deploys it, minutes
later and outside CI, and certification judges some rules (invocation name, sample wording) only
at submission. Checking the same rules here makes a bad sample fail `pytest` the moment it is
written. The rules and limits come from the Alexa documentation listed in README.md; each limit
below names the page it came from.

    >>> validate({"interactionModel": {"languageModel": {"invocationName": "x"}}}, "en-US")[0]
    'en-US: invocation name "x" must have at least two words'

Command line: ``python -m muscle_guide_tools.model_validate FILE...`` prints every violation
and exits 1 if there is any. The locale is taken from each file's name (``en-GB.json`` ->
``en-GB``).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

# --- Limits -------------------------------------------------------------------------------------
# "Interaction model limits" table, Create the Interaction Model for Your Skill:
# https://developer.amazon.com/en-US/docs/alexa/custom-skills/create-the-interaction-model-for-your-skill.html#limits
# (figures as quoted from that table: 1.5 MB model, 250 intents, 350 intents and slot types
# combined, 140 characters per slot value and per synonym).
MAX_MODEL_BYTES = 1_500_000  # "1.5 MB"; read as decimal megabytes, the stricter reading.
MAX_INTENTS = 250
MAX_INTENTS_AND_SLOT_TYPES = 350
MAX_SLOT_VALUE_CHARS = 140  # applies to each value name and each synonym
# "A skill can have a total of 50,000 custom slot values, totaled across all custom slots used in
# the interaction model" (Alexa custom interaction model reference, custom slot types section, as
# quoted in public material; the current limits table bounds values by the 1.5 MB size instead).
MAX_CUSTOM_SLOT_VALUES = 50_000
# Project rule: we found no published per-sample character limit. A sample this long is a
# sentence that should be split into shorter phrasings anyway.
MAX_SAMPLE_CHARS = 200

# Built-ins every model here must declare. Help, Stop and Cancel are required of every custom
# skill; NavigateHome is part of every model Alexa builds; Fallback is our own requirement: with
# LOW sensitivity it catches out-of-domain requests instead of forcing them into a health answer.
REQUIRED_BUILT_INS = (
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.HelpIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.StopIntent",
)
FALLBACK_LEVELS = ("LOW", "MEDIUM", "HIGH")

# --- Invocation name words (Choose the Invocation Name for a Custom Skill) ------------------------
WAKE_WORDS = frozenset({"alexa", "amazon", "echo", "computer", "skill", "app"})
LAUNCH_WORDS = frozenset({"launch", "ask", "tell", "load", "begin", "enable"})
# Launch phrases and connecting words: a name made only of these cannot be told apart from the
# phrase a person uses to open a skill ("Alexa, ask ... to ...").
# fmt: off
LAUNCH_AND_CONNECTING_WORDS = LAUNCH_WORDS | frozenset({
    "open", "start", "play", "resume", "run", "use", "talk", "to", "from", "by", "if", "and",
    "whether", "for", "about", "that", "using", "with", "of", "the", "a", "an",
})
# fmt: on
# A two-word name may not include an article or a preposition ("a bicycle", "for fun").
TWO_WORD_FORBIDDEN = frozenset({"the", "a", "an", "for", "to", "of"})

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z_]*$")
BUILT_IN_RE = re.compile(r"^AMAZON\.[A-Za-z]+$")
SLOT_REF_RE = re.compile(r"\{([^{}]*)\}")
# A spoken word: letters, with apostrophes or hyphens only between letters ("i'm", "man-eating"),
# or a trailing possessive apostrophe ("graves'").
WORD_RE = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*'?$")
LETTER_ABBREVIATION_RE = re.compile(r"^[^\W\d_]\.$")  # "d." as in "d. c."


def _where(locale: str) -> str:
    """Message prefix, so a problem printed for five files says which locale it is in."""
    return f"{locale}: " if locale else ""


def _norm(sample: str) -> str:
    """Samples that differ only in case or spacing are the same sample to Alexa."""
    return " ".join(sample.lower().split())


def _as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else []: a malformed model is reported, never a crash."""
    return value if isinstance(value, list) else []


def _word_problem(token: str) -> str | None:
    """Why ``token`` (one space-separated piece of spoken text, not a slot) is not allowed."""
    if WORD_RE.match(token) or LETTER_ABBREVIATION_RE.match(token):
        return None
    if any(ch.isdigit() for ch in token):
        return "contains digits; spell numbers out"
    bad = sorted(ch for ch in set(token) if not (ch.isalpha() or ch in "'.-"))
    if bad:
        return "contains characters Alexa does not accept: " + " ".join(repr(ch) for ch in bad)
    if "." in token:
        return f"has a period in {token!r}; periods belong only after single letters, as in 'd. c.'"
    if "-" in token:
        return f"has a hyphen in {token!r} that is not between two letters"
    return f"has an apostrophe in {token!r} that is not part of a word"


def spoken_text_problems(text: str) -> list[str]:
    """Problems with a slot value, synonym or invocation name (spoken text without slots).

    >>> spoken_text_problems("d. c. area")
    []
    >>> spoken_text_problems("covid 19")
    ['contains digits; spell numbers out']
    """
    problems: list[str] = []
    if text != text.strip():
        problems.append("has leading or trailing spaces")
    if "  " in text:
        problems.append("has repeated spaces")
    if not text.strip():
        problems.append("is empty")
    for token in text.split():
        problem = _word_problem(token)
        if problem and problem not in problems:
            problems.append(problem)
    return problems


# --- Invocation name ----------------------------------------------------------------------------


def _check_invocation(name: Any, where: str) -> Iterator[str]:
    """Invocation name requirements: spoken form, two or more words, no wake or launch words."""
    if not isinstance(name, str) or not name:
        yield f"{where}invocation name is missing"
        return
    label = f'{where}invocation name "{name}"'
    if name != name.lower():
        yield f"{label} must be lower case"
    for problem in spoken_text_problems(name):
        yield f"{label} {problem}"
    if "-" in name:
        yield f"{label} may not contain hyphens; use a space between words"
    words = name.lower().split()
    for word in words:
        possessive = word.count("'") == 1 and (word.endswith("'s") or word.endswith("s'"))
        if "'" in word and not possessive:
            yield f"{label} may use apostrophes only for possessives ('s, s')"
    if len(words) < 2:
        yield f"{label} must have at least two words"
    elif len(words) == 2 and TWO_WORD_FORBIDDEN & set(words):
        yield f"{label} has two words, so it cannot include an article or preposition"
    bare = {word.strip("'.") for word in words}
    for word in sorted(bare & WAKE_WORDS):
        yield f'{label} contains the wake word "{word}"'
    for word in sorted(bare & LAUNCH_WORDS):
        yield f'{label} contains the launch word "{word}"'
    if words and bare <= LAUNCH_AND_CONNECTING_WORDS:
        yield f"{label} is made only of launch phrases and connecting words"


# --- Samples ------------------------------------------------------------------------------------


def _check_sample(
    sample: Any, intent: str, slot_types: dict[str, str], where: str
) -> Iterator[str]:
    """Rules for one sample on its own; duplicates need all samples and live in _check_intent."""
    if not isinstance(sample, str):
        yield f"{where}intent {intent}: sample {sample!r} is not a string"
        return
    label = f'{where}intent {intent}: sample "{sample}"'
    if not sample.strip():
        yield f"{label} is empty"
        return
    if sample != sample.strip():
        yield f"{label} has leading or trailing spaces"
    if "  " in sample:
        yield f"{label} has repeated spaces"
    if len(sample) > MAX_SAMPLE_CHARS:
        yield f"{label} is longer than {MAX_SAMPLE_CHARS} characters"

    used = SLOT_REF_RE.findall(sample)
    without_slots = SLOT_REF_RE.sub(" ", sample)
    if "{" in without_slots or "}" in without_slots:
        yield f"{label} has a malformed slot reference"
    reported: set[str] = set()
    for token in without_slots.split():
        if "{" in token or "}" in token:
            continue
        problem = _word_problem(token)
        if problem and problem not in reported:
            reported.add(problem)
            yield f"{label} {problem}"
    for token in sample.split():
        if SLOT_REF_RE.search(token) and not SLOT_REF_RE.fullmatch(token):
            yield f"{label} joins slot reference {token!r} to other text; put a space around it"

    seen: set[str] = set()
    for slot in used:
        if slot not in slot_types:
            yield f"{label} uses slot {{{slot}}} that intent {intent} does not declare"
        if slot in seen:
            yield f"{label} uses slot {{{slot}}} more than once"
        seen.add(slot)

    search_slots = [slot for slot in used if slot_types.get(slot) == "AMAZON.SearchQuery"]
    if search_slots:
        if not re.search(r"[^\W\d_]", without_slots):
            yield (
                f"{label} needs carrier words around AMAZON.SearchQuery slot "
                f"{{{search_slots[0]}}}; a phrase slot cannot stand alone"
            )
        if len(set(used)) > 1:
            yield (
                f"{label} combines AMAZON.SearchQuery slot {{{search_slots[0]}}} with another slot"
            )


# --- Slot types ---------------------------------------------------------------------------------


def _check_type(slot_type: dict[str, Any], where: str) -> Iterator[str]:
    """Rules for one custom slot type: Alexa resolves each spoken form to exactly one value."""
    name = slot_type.get("name")
    label = f"{where}slot type {name}"
    if not isinstance(name, str) or not NAME_RE.match(name):
        yield (
            f"{where}slot type name {name!r} must be letters and underscores, "
            "starting with a letter"
        )
    values = _as_list(slot_type.get("values"))
    if not values:
        yield f"{label} has no values"
    ids: set[str] = set()
    spoken: dict[str, str] = {}
    for value in values:
        value_id = value.get("id") if isinstance(value, dict) else None
        body = value.get("name") if isinstance(value, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            yield f"{label}: value {value!r} needs a name with a string value"
            continue
        if value_id is not None:
            if value_id in ids:
                yield f'{label}: value id "{value_id}" is repeated'
            ids.add(value_id)
        texts = [("value", body["value"])] + [
            ("synonym", synonym) for synonym in _as_list(body.get("synonyms"))
        ]
        for kind, text in texts:
            if not isinstance(text, str):
                yield f"{label}: {kind} {text!r} is not a string"
                continue
            for problem in spoken_text_problems(text):
                yield f'{label}: {kind} "{text}" {problem}'
            if len(text) > MAX_SLOT_VALUE_CHARS:
                yield f'{label}: {kind} "{text}" is longer than {MAX_SLOT_VALUE_CHARS} characters'
            key = _norm(text)
            if key in spoken:
                yield (
                    f'{label}: "{text}" is used more than once among value names and synonyms '
                    f"(also {spoken[key]})"
                )
            else:
                spoken[key] = f'{kind} of "{body["value"]}"'


# --- The whole model ----------------------------------------------------------------------------


def validate(model: dict[str, Any], locale: str) -> list[str]:
    """Every rule ``model`` breaks, as sentences a person can act on; an empty list means valid.

    >>> validate({}, "en-GB")
    ['en-GB: model has no interactionModel.languageModel']
    """
    where = _where(locale)
    interaction = model.get("interactionModel") if isinstance(model, dict) else None
    language = interaction.get("languageModel") if isinstance(interaction, dict) else None
    if not isinstance(language, dict):
        return [f"{where}model has no interactionModel.languageModel"]
    problems: list[str] = []
    problems.extend(_check_invocation(language.get("invocationName"), where))

    if "modelConfiguration" in interaction:
        problems.append(
            f"{where}modelConfiguration belongs inside languageModel, not interactionModel"
        )
    config = language.get("modelConfiguration")
    if config is not None:
        sensitivity = config.get("fallbackIntentSensitivity") if isinstance(config, dict) else None
        level = sensitivity.get("level") if isinstance(sensitivity, dict) else None
        if level not in FALLBACK_LEVELS:
            problems.append(
                f"{where}fallbackIntentSensitivity level {level!r} must be one of "
                + ", ".join(FALLBACK_LEVELS)
            )

    types = [t for t in _as_list(language.get("types")) if isinstance(t, dict)]
    type_names = [t.get("name") for t in types]
    for name in sorted({n for n in type_names if type_names.count(n) > 1}, key=str):
        problems.append(f"{where}slot type {name} is defined more than once")
    for slot_type in types:
        problems.extend(_check_type(slot_type, where))
    total_values = sum(len(_as_list(t.get("values"))) for t in types)
    if total_values > MAX_CUSTOM_SLOT_VALUES:
        problems.append(
            f"{where}custom slot types hold {total_values} values; "
            f"Alexa allows at most {MAX_CUSTOM_SLOT_VALUES}"
        )

    intents = language.get("intents")
    if not isinstance(intents, list):
        problems.append(f"{where}languageModel.intents must be a list")
        intents = []
    names = [i.get("name") for i in intents if isinstance(i, dict)]
    for name in sorted({n for n in names if names.count(n) > 1}, key=str):
        problems.append(f"{where}intent {name} is defined more than once")
    for required in REQUIRED_BUILT_INS:
        if required not in names:
            problems.append(f"{where}required built-in intent {required} is missing")
    if len(names) > MAX_INTENTS:
        problems.append(
            f"{where}model has {len(names)} intents; Alexa allows at most {MAX_INTENTS}"
        )
    if len(names) + len(types) > MAX_INTENTS_AND_SLOT_TYPES:
        problems.append(
            f"{where}model has {len(names) + len(types)} intents and slot types; "
            f"Alexa allows at most {MAX_INTENTS_AND_SLOT_TYPES}"
        )

    defined_types = {n for n in type_names if isinstance(n, str)}
    owner: dict[str, str] = {}
    for intent in intents:
        if not isinstance(intent, dict):
            problems.append(f"{where}intent {intent!r} is not an object")
            continue
        problems.extend(_check_intent(intent, defined_types, owner, where))

    problems.extend(overlap_problems(model, locale))

    size = len(json.dumps(model, ensure_ascii=False).encode("utf-8"))
    if size > MAX_MODEL_BYTES:
        problems.append(
            f"{where}model JSON is {size} bytes; Alexa allows at most {MAX_MODEL_BYTES}"
        )
    return problems


def _check_intent(
    intent: dict[str, Any], defined_types: set[str], owner: dict[str, str], where: str
) -> Iterator[str]:
    """Rules for one intent; ``owner`` maps each normalised sample seen so far to its intent."""
    name = intent.get("name")
    built_in = isinstance(name, str) and bool(BUILT_IN_RE.match(name))
    if not built_in and not (isinstance(name, str) and NAME_RE.match(name)):
        yield f"{where}intent name {name!r} must be letters and underscores, starting with a letter"
    slot_types: dict[str, str] = {}
    search_slots = 0
    for slot in _as_list(intent.get("slots")):
        if not isinstance(slot, dict):
            yield f"{where}intent {name}: slot {slot!r} is not an object"
            continue
        slot_name, slot_type = slot.get("name"), slot.get("type")
        if not isinstance(slot_name, str) or not NAME_RE.match(slot_name):
            yield (
                f"{where}intent {name}: slot name {slot_name!r} must be letters and underscores, "
                "starting with a letter"
            )
            continue
        if slot_name in slot_types:
            yield f"{where}intent {name}: slot {slot_name} is declared more than once"
        slot_types[slot_name] = str(slot_type)
        if not (isinstance(slot_type, str) and slot_type.startswith("AMAZON.")) and (
            slot_type not in defined_types
        ):
            yield (
                f"{where}intent {name}: slot {slot_name} uses type {slot_type}, which is neither "
                "an AMAZON.* type nor defined in types"
            )
        if slot_type == "AMAZON.SearchQuery":
            search_slots += 1
    if search_slots > 1:
        yield f"{where}intent {name} has more than one AMAZON.SearchQuery slot"

    samples = intent.get("samples", [])
    if not isinstance(samples, list):
        yield f"{where}intent {name}: samples must be a list"
        samples = []
    if not built_in and not samples:
        yield f"{where}custom intent {name} has no sample utterances"
    mine: set[str] = set()
    for sample in samples:
        yield from _check_sample(sample, str(name), slot_types, where)
        if not isinstance(sample, str):
            continue
        key = _norm(sample)
        if key in mine:
            yield f'{where}intent {name}: sample "{sample}" is repeated within the intent'
        elif key in owner:
            yield f'{where}sample "{sample}" appears in both intents {owner[key]} and {name}'
        else:
            owner[key] = str(name)
        mine.add(key)


# --- Overlaps after slot values are filled in ----------------------------------------------------
# Two intents whose samples differ as templates can still claim the same words once their custom
# slots hold real values: "define {topic}" with the value "muscle weakness" is the sample "define
# muscle weakness" of another intent. Alexa then picks one of the two, and not always the same one.
# Amazon's utterance-conflict report finds these only after a deploy; this finds them here.


class Overlap(NamedTuple):
    """One fully expanded utterance that two intents both claim."""

    utterance: str
    first: str  # the intent that claimed it first, in model order
    second: str
    carrier: bool = False  # ``first`` claims it as an AMAZON.SearchQuery carrier with no words


def _spoken_forms(types: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every value name and synonym of each custom slot type, normalised, in model order."""
    forms: dict[str, list[str]] = {}
    for slot_type in types:
        words: list[str] = []
        for value in _as_list(slot_type.get("values")):
            body = value.get("name") if isinstance(value, dict) else None
            if not isinstance(body, dict):
                continue
            for text in [body.get("value"), *_as_list(body.get("synonyms"))]:
                if isinstance(text, str) and text.strip():
                    words.append(_norm(text))
        forms[str(slot_type.get("name"))] = list(dict.fromkeys(words))
    return forms


def expand_sample(
    sample: str, slot_types: dict[str, str], forms: dict[str, list[str]]
) -> tuple[list[str], bool]:
    """A sample's utterances with every custom slot filled by every value and synonym.

    The flag says the sample carries an ``AMAZON.SearchQuery`` slot: such a slot cannot be
    enumerated, so the one "utterance" returned is the carrier phrase with the slot left empty.
    Slots of other built-in types stay as ``{slot}``, so only the same template collides.

    >>> expand_sample("what is {topic}", {"topic": "TOPIC"}, {"TOPIC": ["a l s", "polio"]})
    (['what is a l s', 'what is polio'], False)
    >>> expand_sample("why {question}", {"question": "AMAZON.SearchQuery"}, {})
    (['why'], True)
    """
    pieces = re.split(r"(\{[^{}]*\})", sample)
    options: list[list[str]] = []
    carrier = False
    for index, piece in enumerate(pieces):
        if not index % 2:
            options.append([piece])
            continue
        kind = slot_types.get(piece[1:-1], "")
        if kind == "AMAZON.SearchQuery":
            carrier = True
            options.append([""])
        elif kind in forms:
            options.append(forms[kind] or [piece])
        else:
            options.append([piece])
    utterances = (_norm("".join(combo)) for combo in itertools.product(*options))
    return list(dict.fromkeys(u for u in utterances if u)), carrier


def find_overlaps(model: dict[str, Any]) -> list[Overlap]:
    """Every fully expanded utterance that belongs to two intents, once per pair of intents.

    Custom slot types are expanded with every value and synonym. A sample with an
    ``AMAZON.SearchQuery`` slot is a prefix pattern that no list can expand, so it is compared
    only as its bare carrier ("why {question}" -> "why"): another intent's utterance is flagged
    when it is exactly that carrier with nothing after it, and two intents' carriers when they
    are identical. Two literal samples that are the same text are left to the sample rule in
    ``_check_intent``, which reports them already.
    """
    language = (model.get("interactionModel") or {}).get("languageModel") or {}
    forms = _spoken_forms([t for t in _as_list(language.get("types")) if isinstance(t, dict)])
    # utterance -> (intent, came from a slot or carrier, is a carrier)
    owner: dict[str, tuple[str, bool, bool]] = {}
    found: dict[tuple[str, str, str], Overlap] = {}
    for intent in _as_list(language.get("intents")):
        if not isinstance(intent, dict):
            continue
        name = str(intent.get("name"))
        slot_types = {
            str(slot.get("name")): str(slot.get("type"))
            for slot in _as_list(intent.get("slots"))
            if isinstance(slot, dict)
        }
        mine: dict[str, tuple[bool, bool]] = {}
        for sample in _as_list(intent.get("samples")):
            if not isinstance(sample, str):
                continue
            utterances, carrier = expand_sample(sample, slot_types, forms)
            templated = bool(SLOT_REF_RE.search(sample))
            for utterance in utterances:
                if utterance not in mine or carrier:
                    mine[utterance] = (templated, carrier)
        for utterance, (templated, carrier) in mine.items():
            seen = owner.get(utterance)
            if seen is None:
                owner[utterance] = (name, templated, carrier)
                continue
            other, other_templated, other_carrier = seen
            if other == name or not (templated or other_templated):
                continue
            key = (utterance, other, name)
            found.setdefault(key, Overlap(utterance, other, name, other_carrier or carrier))
    return sorted(found.values())


def overlap_problems(model: dict[str, Any], locale: str) -> list[str]:
    """:func:`find_overlaps` as sentences: the utterance and the two intents that claim it."""
    where = _where(locale)
    problems = []
    for overlap in find_overlaps(model):
        how = " (as an AMAZON.SearchQuery carrier with nothing after it)" if overlap.carrier else ""
        problems.append(
            f'{where}utterance "{overlap.utterance}" belongs to both intents '
            f"{overlap.first} and {overlap.second} once slot values are filled in{how}"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Validate each file named on the command line; 1 if any has a violation."""
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: validate.py MODEL.json...", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            print(f"{path}: cannot read: {error}")
            failed = True
            continue
        problems = validate(model, path.stem)
        for problem in problems:
            print(f"{path}: {problem}")
        if problems:
            failed = True
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

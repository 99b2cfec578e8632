"""The Alexa interaction model: generated, valid, faithful to the knowledge base, local per locale.

The validator is tested on small broken models, one rule at a time, so that a rule that stops
working fails its own test instead of silently passing every generated model.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from muscle_guide_tools import model_generate as generate
from muscle_guide_tools import model_validate as validate

ROOT = Path(__file__).resolve().parents[1]

LOCALES = ("en-US", "en-GB", "en-IN", "en-AU", "en-CA")
BRITISH = ("en-GB", "en-AU", "en-IN")
AMERICAN = ("en-US", "en-CA")
KNOWLEDGE = json.loads(generate.KNOWLEDGE_FILE.read_text(encoding="utf-8"))
SOURCE = generate.load_source()
GENERAL_INTENTS = (
    "OverviewIntent",
    "CausesIntent",
    "HowMusclesWorkIntent",
    "ShortTermWeaknessIntent",
    "WhenToSeeDoctorIntent",
    "DiagnosisIntent",
    "TreatmentIntent",
    "EmergencyIntent",
)


@pytest.fixture(scope="module")
def models() -> dict[str, dict[str, Any]]:
    return generate.build_models()


def language(model: dict[str, Any]) -> dict[str, Any]:
    return model["interactionModel"]["languageModel"]


def intent(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in language(model)["intents"] if i["name"] == name)


def slot_type(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in language(model)["types"] if t["name"] == name)


def all_samples(model: dict[str, Any]) -> list[str]:
    return [s for i in language(model)["intents"] for s in i.get("samples", [])]


# --- The generated files ------------------------------------------------------------------------


def test_generated_files_are_not_stale(models):
    stale = [str(path) for path in generate.stale_files(models)]
    assert not stale, f"run python -m muscle_guide_tools.model_generate; stale: {stale}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_model_passes_the_validator(models, locale):
    assert validate.validate(models[locale], locale) == []


def test_validator_command_line_accepts_the_generated_files(capsys):
    files = [str(generate.output_path(locale)) for locale in LOCALES]
    assert validate.main(files) == 0
    assert capsys.readouterr().out.count(": ok") == len(LOCALES)


def test_check_exits_zero_when_fresh_and_one_after_a_hand_edit(tmp_path, capsys):
    assert generate.main(["--output-dir", str(tmp_path)]) == 0
    assert generate.main(["--check", "--output-dir", str(tmp_path)]) == 0
    edited = tmp_path / "en-GB.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("gp", "doctor"), encoding="utf-8")
    capsys.readouterr()
    assert generate.main(["--check", "--output-dir", str(tmp_path)]) == 1
    assert str(edited) in capsys.readouterr().err


def test_generated_file_is_sorted_two_space_json_with_a_trailing_newline(models):
    text = generate.output_path("en-US").read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "interactionModel"')
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    for item in language(models["en-US"])["intents"]:
        assert item["samples"] == sorted(item["samples"])


# --- The intent contract the handlers rely on ---------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_is_muscle_weakness_guide(models, locale):
    assert language(models[locale])["invocationName"] == "muscle weakness guide"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_the_same_intents_and_slots(models, locale):
    def shape(model: dict[str, Any]) -> dict[str, list[Any]]:
        return {i["name"]: i.get("slots", []) for i in language(model)["intents"]}

    assert shape(models[locale]) == shape(models["en-US"])


def test_custom_intents_declare_the_slots_the_handlers_read(models):
    model = models["en-US"]
    assert intent(model, "TopicIntent")["slots"] == [{"name": "topic", "type": "TOPIC"}]
    assert intent(model, "TopicNameIntent")["slots"] == [{"name": "topic", "type": "TOPIC"}]
    assert intent(model, "AskQuestionIntent")["slots"] == [
        {"name": "question", "type": "AMAZON.SearchQuery"}
    ]
    assert intent(model, "AnswerLengthIntent")["slots"] == [
        {"name": "length", "type": "ANSWER_LENGTH"}
    ]
    assert intent(model, "SpeechRateIntent")["slots"] == [{"name": "rate", "type": "SPEECH_RATE"}]
    names = {i["name"] for i in language(model)["intents"]}
    assert {"SymptomCheckIntent", *GENERAL_INTENTS} <= names
    for built_in in (
        "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
        "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent", "AMAZON.YesIntent",
        "AMAZON.NoIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
        "AMAZON.PreviousIntent", "AMAZON.MoreIntent",
    ):  # fmt: skip
        assert built_in in names


def test_fallback_sensitivity_is_low(models):
    config = language(models["en-GB"])["modelConfiguration"]
    assert config == {"fallbackIntentSensitivity": {"level": "LOW"}}


def test_general_topic_intents_are_named_after_their_topics():
    topics = {topic["id"] for topic in KNOWLEDGE["topics"]}
    names = {generate.general_intent_name(topic_id) for topic_id in SOURCE["general_topics"]}
    assert names == set(GENERAL_INTENTS)
    assert set(SOURCE["general_topics"]) <= topics


@pytest.mark.parametrize("locale", LOCALES)
def test_sample_counts_give_each_intent_enough_to_learn_from(models, locale):
    model = models[locale]
    assert len(intent(model, "TopicIntent")["samples"]) >= 40
    assert len(intent(model, "AskQuestionIntent")["samples"]) >= 25
    for name in GENERAL_INTENTS:
        assert 15 <= len(intent(model, name)["samples"]) <= 60, name


def test_every_free_question_sample_has_carrier_words(models):
    for sample in intent(models["en-US"], "AskQuestionIntent")["samples"]:
        assert sample.count("{question}") == 1
        assert sample.replace("{question}", "").strip()


EXCLUDED = set(SOURCE["topic_type"]["exclude_categories"])
SLOT_TOPICS = [topic for topic in KNOWLEDGE["topics"] if topic["category"] not in EXCLUDED]


def test_slot_values_come_from_the_knowledge_base(models):
    for locale in LOCALES:
        values = {v["id"]: v["name"] for v in slot_type(models[locale], "TOPIC")["values"]}
        assert set(values) == {topic["id"] for topic in SLOT_TOPICS}
        owner: dict[str, str] = {}
        for topic_id, name in values.items():
            for spoken in [name["value"], *name.get("synonyms", [])]:
                owner[spoken] = topic_id
        for topic in SLOT_TOPICS:
            for alias in topic["aliases"]:
                if validate.spoken_text_problems(alias):
                    assert alias not in owner  # left out, with a warning from the generator
                    continue
                first = next(t["id"] for t in SLOT_TOPICS if alias in t["aliases"])
                assert owner.get(alias) == first, (locale, topic["id"], alias)


def test_general_and_safety_topics_are_not_slot_values_but_have_their_own_intents(models):
    assert SOURCE["topic_type"]["exclude_categories"] == ["general", "safety"]
    left_out = [topic for topic in KNOWLEDGE["topics"] if topic["category"] in EXCLUDED]
    assert {topic["id"] for topic in left_out} == set(SOURCE["general_topics"])
    for locale in LOCALES:
        spoken = {
            word
            for value in slot_type(models[locale], "TOPIC")["values"]
            for word in [value["name"]["value"], *value["name"]["synonyms"]]
        }
        assert not spoken & {"muscle weakness", "weak muscles", "causes", "treatment"}
        for topic in left_out:
            assert not spoken & set(topic["aliases"]), (locale, topic["id"])


def test_an_excluded_topic_without_its_own_intent_is_warned_about():
    topics = [
        {"id": "orphan", "category": "general", "title": "Orphan", "aliases": ["orphan"]},
        {"id": "als", "category": "condition", "title": "A L S", "aliases": ["a l s"]},
    ]
    result = generate.build(SOURCE, topics)
    assert any("topic orphan (general) is left out" in w for w in result.warnings)
    values = slot_type(result.models["en-US"], "TOPIC")["values"]
    assert [value["id"] for value in values] == ["als"]


@pytest.mark.parametrize("locale", LOCALES)
def test_no_utterance_belongs_to_two_intents_once_slot_values_are_filled_in(models, locale):
    assert validate.find_overlaps(models[locale]) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_a_topic_name_alone_has_an_intent_of_its_own(models, locale):
    model = models[locale]
    assert intent(model, "TopicNameIntent") == {
        "name": "TopicNameIntent",
        "slots": [{"name": "topic", "type": "TOPIC"}],
        "samples": ["{topic}"],
    }
    assert "{topic}" not in intent(model, "TopicIntent")["samples"]


def test_an_alias_shared_by_two_topics_stays_on_the_first_with_a_warning():
    topics = [
        {"id": "first", "title": "First", "aliases": ["first topic", "shared words"]},
        {"id": "second", "title": "Second", "aliases": ["second topic", "shared words"]},
    ]
    result = generate.build(SOURCE, topics)
    values = {v["id"]: v["name"] for v in slot_type(result.models["en-US"], "TOPIC")["values"]}
    assert values["first"]["synonyms"] == ["shared words"]
    assert values["second"]["synonyms"] == []
    assert any("'shared words' already belongs to topic first" in w for w in result.warnings)


# --- Locale vocabulary --------------------------------------------------------------------------


def topic_name(model: dict[str, Any], topic_id: str) -> str:
    values = slot_type(model, "TOPIC")["values"]
    return next(v["name"]["value"] for v in values if v["id"] == topic_id)


@pytest.mark.parametrize("locale", BRITISH)
def test_british_locales_use_british_words(models, locale):
    model = models[locale]
    samples = " ".join(all_samples(model)).split()
    assert "gp" in samples or "g p" in " ".join(samples)
    assert "physio" in samples
    assert topic_name(model, "hypokalemia") == "hypokalaemia"
    assert topic_name(model, "herniated_disc") == "slipped disc"
    assert topic_name(model, "prolonged_immobilization") == "prolonged immobilisation"


@pytest.mark.parametrize("locale", AMERICAN)
def test_north_american_locales_use_american_spelling(models, locale):
    model = models[locale]
    assert topic_name(model, "hypokalemia") == "hypokalemia"
    assert topic_name(model, "prolonged_immobilization") == "prolonged immobilization"
    assert "see a doctor" in " ".join(all_samples(model))


def test_us_samples_do_not_use_british_words(models):
    words = set(" ".join(all_samples(models["en-US"])).split())
    assert not words & {"gp", "physio", "physiotherapist"}


@pytest.mark.parametrize(
    ("locale", "number"),
    [
        ("en-US", "nine one one"),
        ("en-CA", "nine one one"),
        ("en-GB", "nine nine nine"),
        ("en-IN", "one one two"),
        ("en-AU", "triple zero"),
    ],
)
def test_emergency_samples_name_the_local_emergency_number(models, locale, number):
    samples = intent(models[locale], "EmergencyIntent")["samples"]
    assert f"when should i call {number}" in samples
    others = {"nine one one", "nine nine nine", "one one two", "triple zero"} - {number}
    assert not any(other in sample for sample in samples for other in others)


def test_every_spelling_stays_a_synonym_in_every_locale(models):
    for locale in LOCALES:
        values = slot_type(models[locale], "TOPIC")["values"]
        spoken = {s for v in values for s in [v["name"]["value"], *v["name"]["synonyms"]]}
        assert {"hypokalemia", "hypokalaemia", "slipped disc", "herniated disc"} <= spoken


# --- Templates ----------------------------------------------------------------------------------


def test_templates_expand_alternatives_options_and_nesting():
    assert generate.expand("(what|which) (is|are) it") == [
        "what is it", "what are it", "which is it", "which are it",
    ]  # fmt: skip
    assert generate.expand("[please] go") == ["please go", "go"]
    assert generate.expand("[a|b] c") == ["a c", "b c", "c"]
    assert generate.expand("(x (y|z)|) w") == ["x y w", "x z w", "w"]
    assert generate.expand("say {topic} (now|now)") == ["say {topic} now"]


def test_locale_words_expand_inside_templates():
    assert generate.expand("see a $doctor", {"doctor": ["doctor", "g p"]}) == [
        "see a doctor",
        "see a g p",
    ]


@pytest.mark.parametrize("template", ["(a|b", "a]", "[a", "{topic", "a|b", "see $nobody"])
def test_broken_templates_are_reported(template):
    with pytest.raises(generate.GenerationError):
        generate.expand(template)


@pytest.mark.parametrize(
    "broken",
    [
        {"sample": ["typo for samples"]},
        {"samples": ["fine"], "locale_samples": {"en_GB": ["typo in the locale"]}},
    ],
)
def test_misspelt_keys_in_the_source_are_errors_not_silently_dropped_samples(broken):
    source = copy.deepcopy(SOURCE)
    source["intents"]["SymptomCheckIntent"] = broken
    with pytest.raises(generate.GenerationError):
        generate.build(source, KNOWLEDGE["topics"])


def test_locale_keys_may_name_several_locales():
    mapping = {"en-GB en-AU": "gp", "default": "doctor"}
    assert generate.for_locale(mapping, "en-AU", "x") == "gp"
    assert generate.for_locale(mapping, "en-US", "x") == "doctor"


# --- The validator, one rule at a time ----------------------------------------------------------


def minimal_model() -> dict[str, Any]:
    """The smallest model that passes every rule; each test below breaks exactly one."""
    built_ins = [{"name": name, "samples": []} for name in validate.REQUIRED_BUILT_INS]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": "muscle weakness guide",
                "modelConfiguration": {"fallbackIntentSensitivity": {"level": "LOW"}},
                "intents": [
                    *built_ins,
                    {
                        "name": "TopicIntent",
                        "slots": [{"name": "topic", "type": "TOPIC"}],
                        "samples": ["what is {topic}", "is {topic} common in d. c."],
                    },
                    {
                        "name": "AskQuestionIntent",
                        "slots": [{"name": "question", "type": "AMAZON.SearchQuery"}],
                        "samples": ["why {question}", "i'd like to know {question}"],
                    },
                    {"name": "Check_Intent", "samples": ["check my well-being"]},
                ],
                "types": [
                    {
                        "name": "TOPIC",
                        "values": [
                            {
                                "id": "als",
                                "name": {"value": "a l s", "synonyms": ["lou gehrig's disease"]},
                            },
                            {"id": "graves", "name": {"value": "graves' disease"}},
                        ],
                    }
                ],
            }
        }
    }


Mutation = Callable[[dict[str, Any]], None]


def lm(model: dict[str, Any]) -> dict[str, Any]:
    return model["interactionModel"]["languageModel"]


def samples_of(name: str) -> Callable[[dict[str, Any]], list[str]]:
    return lambda model: intent(model, name)["samples"]


def set_invocation(name: str) -> Mutation:
    return lambda model: lm(model).update(invocationName=name)


def add_sample(intent_name: str, sample: str) -> Mutation:
    return lambda model: samples_of(intent_name)(model).append(sample)


def add_intent(item: dict[str, Any]) -> Mutation:
    return lambda model: lm(model)["intents"].append(item)


def topic_values(model: dict[str, Any]) -> list[dict[str, Any]]:
    return lm(model)["types"][0]["values"]


def remove_intent(name: str) -> Mutation:
    def mutate(model: dict[str, Any]) -> None:
        lm(model)["intents"] = [i for i in lm(model)["intents"] if i["name"] != name]

    return mutate


def letters(number: int) -> str:
    """A distinct letters-only word for each number (numbers are not allowed in samples)."""
    word = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        word = chr(ord("a") + rest) + word
    return word


def many_intents(count: int) -> Mutation:
    def mutate(model: dict[str, Any]) -> None:
        for n in range(count):
            name = "Extra" + letters(n).capitalize()
            lm(model)["intents"].append({"name": name, "samples": [f"extra {letters(n)}"]})

    return mutate


def many_types(count: int) -> Mutation:
    def mutate(model: dict[str, Any]) -> None:
        for n in range(count):
            value = {"id": "x", "name": {"value": "thing"}}
            lm(model)["types"].append({"name": "TYPE_" + letters(n).upper(), "values": [value]})

    return mutate


def many_values(count: int) -> Mutation:
    def mutate(model: dict[str, Any]) -> None:
        values = [{"id": letters(n), "name": {"value": letters(n)}} for n in range(count)]
        lm(model)["types"].append({"name": "BIG", "values": values})

    return mutate


def huge_synonym_list(model: dict[str, Any]) -> None:
    synonyms = [f"{letters(n)} " + "long synonym words " * 6 for n in range(14_000)]
    topic_values(model)[0]["name"]["synonyms"] = [" ".join(s.split()) for s in synonyms]


RULES: list[tuple[str, Mutation, str]] = [
    # Invocation name
    ("invocation upper case", set_invocation("Muscle Weakness Guide"), "must be lower case"),
    ("invocation digits", set_invocation("muscle guide two thousand and 1"), "spell numbers out"),
    ("invocation one word", set_invocation("muscles"), "at least two words"),
    ("invocation two words with article", set_invocation("the muscles"), "article or preposition"),
    ("invocation wake word", set_invocation("alexa muscle guide"), 'wake word "alexa"'),
    ("invocation wake word app", set_invocation("muscle app guide"), 'wake word "app"'),
    ("invocation launch word", set_invocation("ask muscle guide"), 'launch word "ask"'),
    ("invocation only connecting", set_invocation("open and start"), "made only of launch phrases"),
    ("invocation hyphen", set_invocation("muscle-weakness guide"), "may not contain hyphens"),
    ("invocation apostrophe", set_invocation("muscle gu'ide"), "only for possessives"),
    ("invocation punctuation", set_invocation("muscle guide!"), "does not accept: '!'"),
    # Samples
    ("sample digits", add_sample("Check_Intent", "check my 2 arms"), "spell numbers out"),
    ("sample punctuation", add_sample("Check_Intent", "check me?"), "does not accept: '?'"),
    ("sample leading space", add_sample("Check_Intent", " check me"), "leading or trailing"),
    ("sample trailing space", add_sample("Check_Intent", "check me "), "leading or trailing"),
    ("sample double space", add_sample("Check_Intent", "check  me"), "repeated spaces"),
    ("sample stray period", add_sample("Check_Intent", "check me now."), "periods belong only"),
    ("sample stray hyphen", add_sample("Check_Intent", "check - me"), "not between two letters"),
    ("sample stray apostrophe", add_sample("Check_Intent", "check 'em"), "apostrophe"),
    ("sample undeclared slot", add_sample("TopicIntent", "about {thing}"), "does not declare"),
    (
        "sample slot twice",
        add_sample("TopicIntent", "{topic} or {topic}"),
        "{topic} more than once",
    ),
    ("sample malformed slot", add_sample("TopicIntent", "about {topic"), "malformed slot"),
    ("sample slot joined", add_sample("TopicIntent", "about {topic}s"), "joins slot reference"),
    ("sample too long", add_sample("Check_Intent", "check " * 40 + "me"), "longer than 200"),
    ("sample empty", add_sample("Check_Intent", ""), "is empty"),
    (
        "sample repeated in intent",
        add_sample("Check_Intent", "Check my well-being"),
        "repeated within the intent",
    ),
    (
        "sample in two intents",
        add_intent({"name": "Other", "samples": ["CHECK my well-being"]}),
        "appears in both intents Check_Intent and Other",
    ),
    # Overlaps once slot values are filled in
    (
        "utterance in two intents once a slot value is filled in",
        add_intent({"name": "Other", "samples": ["what is lou gehrig's disease"]}),
        'utterance "what is lou gehrig\'s disease" belongs to both intents TopicIntent and Other',
    ),
    (
        "two templates that meet on a value",
        add_intent(
            {
                "name": "Other",
                "slots": [{"name": "thing", "type": "TOPIC"}],
                "samples": ["is {thing} common in d. c."],
            }
        ),
        'utterance "is a l s common in d. c." belongs to both intents TopicIntent and Other',
    ),
    (
        "utterance that is exactly a search query carrier",
        add_intent({"name": "Other", "samples": ["I'd like to know"]}),
        'utterance "i\'d like to know" belongs to both intents AskQuestionIntent and Other '
        "once slot values are filled in (as an AMAZON.SearchQuery carrier",
    ),
    (
        "the same carrier in two intents",
        add_intent(
            {
                "name": "Other",
                "slots": [{"name": "words", "type": "AMAZON.SearchQuery"}],
                "samples": ["why {words}"],
            }
        ),
        'utterance "why" belongs to both intents AskQuestionIntent and Other',
    ),
    # AMAZON.SearchQuery
    ("search query alone", add_sample("AskQuestionIntent", "{question}"), "carrier words"),
    (
        "search query with another slot",
        add_intent(
            {
                "name": "Mixed",
                "slots": [
                    {"name": "question", "type": "AMAZON.SearchQuery"},
                    {"name": "topic", "type": "TOPIC"},
                ],
                "samples": ["ask {question} about {topic}"],
            }
        ),
        "with another slot",
    ),
    (
        "two search query slots",
        add_intent(
            {
                "name": "Twice",
                "slots": [
                    {"name": "first", "type": "AMAZON.SearchQuery"},
                    {"name": "second", "type": "AMAZON.SearchQuery"},
                ],
                "samples": ["why {first}", "how {second}"],
            }
        ),
        "more than one AMAZON.SearchQuery slot",
    ),
    # Slot types
    (
        "undefined slot type",
        add_intent({"name": "Odd", "slots": [{"name": "x", "type": "NOPE"}], "samples": ["odd"]}),
        "neither an AMAZON.* type nor defined in types",
    ),
    (
        "repeated value id",
        lambda m: topic_values(m).append({"id": "als", "name": {"value": "motor neurone"}}),
        'value id "als" is repeated',
    ),
    (
        "name reused as a synonym",
        lambda m: topic_values(m)[1]["name"].update(synonyms=["A L S"]),
        '"A L S" is used more than once',
    ),
    (
        "synonym repeats its own name",
        lambda m: topic_values(m)[0]["name"]["synonyms"].append("a l s"),
        '"a l s" is used more than once',
    ),
    (
        "synonym with digits",
        lambda m: topic_values(m)[0]["name"]["synonyms"].append("covid 19"),
        'synonym "covid 19" contains digits',
    ),
    (
        "synonym with bad characters",
        lambda m: topic_values(m)[0]["name"]["synonyms"].append("a/l/s"),
        "does not accept: '/'",
    ),
    (
        "value too long",
        lambda m: topic_values(m)[1]["name"].update(value="word " * 29 + "end"),
        "longer than 140 characters",
    ),
    ("type without values", lambda m: lm(m)["types"][0].update(values=[]), "has no values"),
    (
        "type defined twice",
        lambda m: lm(m)["types"].append(lm(m)["types"][0]),
        "TOPIC is defined more",
    ),
    (
        "type name",
        lambda m: lm(m)["types"][0].update(name="TOPIC-TYPE"),
        "slot type name 'TOPIC-TYPE' must be letters and underscores",
    ),
    # Built-ins
    *[
        (f"missing {name}", remove_intent(name), f"required built-in intent {name} is missing")
        for name in validate.REQUIRED_BUILT_INS
    ],
    # Names
    (
        "intent name with digits",
        add_intent({"name": "Topic2Intent", "samples": ["topic two"]}),
        "intent name 'Topic2Intent' must be letters and underscores",
    ),
    (
        "intent name starting with underscore",
        add_intent({"name": "_Hidden", "samples": ["hidden"]}),
        "intent name '_Hidden' must be letters",
    ),
    (
        "slot name",
        add_intent(
            {"name": "Odd", "slots": [{"name": "my-slot", "type": "TOPIC"}], "samples": ["x"]}
        ),
        "slot name 'my-slot' must be letters and underscores",
    ),
    (
        "slot declared twice",
        lambda m: intent(m, "TopicIntent")["slots"].append({"name": "topic", "type": "TOPIC"}),
        "slot topic is declared more than once",
    ),
    (
        "duplicate intent",
        add_intent({"name": "TopicIntent", "samples": ["another topic"]}),
        "intent TopicIntent is defined more than once",
    ),
    # Samples required
    ("custom intent without samples", add_intent({"name": "Empty"}), "has no sample utterances"),
    # Sizes
    ("too many intents", many_intents(250), "Alexa allows at most 250"),
    (
        "too many intents and types",
        lambda m: (many_intents(200)(m), many_types(150)(m)),
        "Alexa allows at most 350",
    ),
    ("model too big", huge_synonym_list, "Alexa allows at most 1500000"),
    ("too many slot values", many_values(50_001), "Alexa allows at most 50000"),
    # Model configuration
    (
        "modelConfiguration in the wrong place",
        lambda m: m["interactionModel"].update(modelConfiguration=lm(m).pop("modelConfiguration")),
        "belongs inside languageModel",
    ),
    (
        "unknown fallback sensitivity",
        lambda m: lm(m)["modelConfiguration"]["fallbackIntentSensitivity"].update(level="LOWEST"),
        "fallbackIntentSensitivity level 'LOWEST'",
    ),
]


def test_the_minimal_model_is_valid():
    assert validate.validate(minimal_model(), "en-US") == []


def test_built_ins_may_have_no_samples():
    model = minimal_model()
    assert all(not i["samples"] for i in lm(model)["intents"] if i["name"].startswith("AMAZON."))
    assert validate.validate(model, "en-US") == []


@pytest.mark.parametrize(("mutate", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_validator_reports_each_broken_rule(mutate, expected):
    model = copy.deepcopy(minimal_model())
    mutate(model)
    problems = validate.validate(model, "en-GB")
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("en-GB: ") for problem in problems)


def test_overlaps_name_the_utterance_and_both_intents():
    model = minimal_model()
    add_intent({"name": "Other", "samples": ["what is graves' disease", "what is a l s"]})(model)
    assert validate.find_overlaps(model) == [
        validate.Overlap("what is a l s", "TopicIntent", "Other"),
        validate.Overlap("what is graves' disease", "TopicIntent", "Other"),
    ]


def test_overlaps_are_found_in_every_slot_type_not_only_topic():
    model = minimal_model()
    lm(model)["types"].append(
        {
            "name": "CHOICE",
            "values": [{"id": "first", "name": {"value": "first", "synonyms": ["one"]}}],
        }
    )
    add_intent(
        {
            "name": "Choose",
            "slots": [{"name": "choice", "type": "CHOICE"}],
            "samples": ["the {choice}"],
        }
    )(model)
    add_intent({"name": "Other", "samples": ["the one"]})(model)
    problems = validate.validate(model, "en-US")
    assert problems == [
        'en-US: utterance "the one" belongs to both intents Choose and Other '
        "once slot values are filled in"
    ]


def test_a_search_query_carrier_is_a_prefix_so_longer_utterances_do_not_overlap():
    model = minimal_model()
    # "why {question}" would also cover these words, but Alexa prefers the exact sample; only
    # an utterance that is the bare carrier ("why") is ambiguous.
    add_intent({"name": "Other", "samples": ["why do muscles ache", "i'd like to know more"]})(
        model
    )
    assert validate.find_overlaps(model) == []
    assert validate.validate(model, "en-US") == []


def test_the_same_words_twice_in_one_intent_are_not_an_overlap():
    model = minimal_model()
    add_sample("TopicIntent", "what is a l s")(model)
    assert validate.find_overlaps(model) == []


def test_validator_command_line_fails_on_a_broken_file(tmp_path, capsys):
    model = minimal_model()
    lm(model)["invocationName"] = "alexa"
    path = tmp_path / "en-AU.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    assert validate.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "en-AU: invocation name" in out and 'wake word "alexa"' in out

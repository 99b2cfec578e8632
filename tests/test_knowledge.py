"""The knowledge base: its schema, its coverage of FACTS.md, and its links."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from muscle_guide import knowledge
from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.knowledge import KNOWLEDGE_FILE as _KB
from muscle_guide.knowledge import SCHEMA_FILE as _SCHEMA
from muscle_guide.speech import MAX_SPEECH_CHARS, to_ssml

KNOWLEDGE_FILE, SCHEMA_FILE = Path(_KB), Path(_SCHEMA)

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT.parent / "shared" / "seed" / "FACTS.md"
GENERAL = [
    "overview",
    "causes",
    "how_muscles_work",
    "short_term_weakness",
    "when_to_see_doctor",
    "emergency",
    "diagnosis",
    "treatment",
]


def fact_ids() -> set[str]:
    """Every topic id FACTS.md names in backticks."""
    if not FACTS.exists():
        if os.environ.get("CI"):  # CI always has shared/ beside the clone: never pass silently
            pytest.fail(f"{FACTS} is missing: the knowledge base cannot be checked against it")
        pytest.skip(f"{FACTS} not present (it lives in shared/seed beside the checkout)")
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", FACTS.read_text(encoding="utf-8")))


def test_knowledge_base_matches_its_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    data = json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_schema_rejects_speech_with_parentheses_or_digits():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    speech = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/speech"})
    assert not speech.is_valid("Call 911 now.")
    assert not speech.is_valid("A L S (a disease).")
    assert speech.is_valid("Call {emergency_number} now.")


def test_general_topics_exist():
    assert set(GENERAL) <= set(KNOWLEDGE.topics)


def test_every_facts_md_topic_exists():
    missing = fact_ids() - set(KNOWLEDGE.topics)
    assert not missing, f"FACTS.md topics missing from the knowledge base: {sorted(missing)}"


def test_topic_ids_are_unique():
    data = json.loads(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    ids = [topic["id"] for topic in data["topics"]]
    assert len(ids) == len(set(ids))


def test_every_related_id_exists_and_is_not_self():
    for topic in KNOWLEDGE:
        for related in topic.related:
            assert related in KNOWLEDGE.topics, f"{topic.id} -> {related}"
            assert related != topic.id


def test_every_cited_source_is_listed():
    for topic in KNOWLEDGE:
        for source in topic.sources:
            assert source in KNOWLEDGE.sources, f"{topic.id} cites unknown source {source}"


def test_no_answer_exceeds_what_alexa_will_speak():
    for topic in KNOWLEDGE:
        for text in (topic.brief, topic.full):
            assert len(to_ssml(text, "en-US")) < MAX_SPEECH_CHARS // 4, topic.id


def test_emergency_topic_tells_to_call_the_number_now():
    emergency = KNOWLEDGE.get("emergency")
    assert emergency is not None
    assert "{emergency_number}" in emergency.brief
    assert "{emergency_number}" in emergency.card


ARTICLE = FACTS.with_name("muscle-weakness-article.txt")
#: A run of this many words shared with the source article would be its wording, not ours.
COPIED_RUN = 7


def _word_runs(text: str, size: int) -> set[tuple[str, ...]]:
    said = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    return {tuple(said[i : i + size]) for i in range(len(said) - size + 1)}


def test_no_knowledge_text_repeats_seven_words_of_the_article():
    # Facts carry over from the article; its wording does not. Every spoken and shown text of
    # every topic (brief, full, card, facets, heading) against every seven-word run of it.
    if not ARTICLE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{ARTICLE} is missing: the knowledge base cannot be checked against it")
        pytest.skip(f"{ARTICLE} not present (it lives in shared/seed beside the checkout)")
    article = _word_runs(ARTICLE.read_text(encoding="utf-8"), COPIED_RUN)
    copied = {}
    for topic in KNOWLEDGE:
        texts = [topic.brief, topic.full, topic.card, *(text for _, text in topic.facets)]
        shared = set().union(*(_word_runs(text, COPIED_RUN) for text in texts)) & article
        if shared:
            copied[topic.id] = sorted(" ".join(run) for run in shared)[:3]
    assert not copied, copied


def test_the_seven_word_check_finds_a_copied_sentence():
    article = (
        _word_runs(ARTICLE.read_text(encoding="utf-8"), COPIED_RUN) if ARTICLE.exists() else set()
    )
    if not article:
        pytest.skip("the article is not present")
    copied = " ".join(next(iter(article)))
    assert _word_runs(f"Here it is: {copied}.", COPIED_RUN) & article


def test_saved_slices_are_current():
    """`make index` records where each topic lies in the file; a test holds it to the file."""
    assert knowledge.slices_are_current(), "knowledge_slices.json is stale: run `make index`"


def test_a_sliced_knowledge_base_decodes_only_what_is_asked():
    whole = knowledge.KnowledgeBase(json.loads(Path(_KB).read_text(encoding="utf-8")))
    sliced = knowledge.KnowledgeBase.load()
    assert len(sliced) == len(whole)
    assert sliced.get("statins") == whole.get("statins")
    assert sliced.sources == whole.sources
    assert list(sliced._topics) == ["statins"]  # one topic decoded, not ninety
    assert sliced.get("no_such_topic") is None and sliced.get(None) is None
    assert list(sliced.topics) == list(whole.topics)  # iteration reads the rest
    assert all(sliced.get(topic.id) == topic for topic in whole)


def test_stale_slices_fall_back_to_the_whole_file(tmp_path):
    text = Path(_KB).read_text(encoding="utf-8")
    spans = json.loads(Path(knowledge.SLICES_FILE).read_text(encoding="utf-8"))
    edited = tmp_path / "knowledge_base.json"
    edited.write_text(text.replace('"version"', ' "version"', 1), encoding="utf-8")
    saved = tmp_path / "slices.json"
    saved.write_text(json.dumps(spans), encoding="utf-8")
    assert not knowledge.slices_are_current(str(edited), str(saved))
    loaded = knowledge.KnowledgeBase.load(str(edited), str(saved))
    assert loaded._complete  # the length changed: parsed whole
    assert loaded.get("statins") == KNOWLEDGE.get("statins")
    # Spans that still add up but point at the wrong topic are caught when a topic is read.
    first, second = spans["topics"][0], spans["topics"][1]
    first[1:], second[1:] = second[1:], first[1:]
    saved.write_text(json.dumps(spans), encoding="utf-8")
    swapped = knowledge.KnowledgeBase.load(_KB, str(saved))
    assert not swapped._complete
    assert swapped.get(first[0]) == KNOWLEDGE.get(first[0])
    assert swapped._complete
    assert knowledge.KnowledgeBase.load(_KB, str(tmp_path / "missing.json"))._complete

"""The topic model: current weights, a real guess, and the ranking's use of it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from muscle_guide import classifier, retrieval
from muscle_guide.classifier import guess
from muscle_guide.retrieval import retriever
from muscle_guide_tools import evaluate, topic_classifier

from .support import ROOT


def query(question: str) -> list[str]:
    return retriever().search_terms(question)


def test_saved_weights_are_current():
    assert topic_classifier.is_current(), "topic_weights.json is stale: run `make index`"


def test_a_changed_input_makes_the_weights_stale(tmp_path):
    saved = json.loads(classifier.WEIGHTS_FILE.read_text(encoding="utf-8"))
    saved["inputs"] = "0" * 64
    edited = tmp_path / "topic_weights.json"
    edited.write_text(json.dumps(saved), encoding="utf-8")
    assert not topic_classifier.is_current(edited)
    assert not topic_classifier.is_current(tmp_path / "missing.json")


def test_the_model_learns_only_from_the_tuned_sets_it_names():
    """Every other labelled set still measures the model: none of their questions is trained on,
    unless the same words are also an example question or a name."""
    trained = {question for question, _ in topic_classifier.training_rows()}
    styles = {q for path in topic_classifier.STYLES_SETS for q, _ in evaluate.load(path)[0]}
    examples = {q for qs in retrieval.example_questions().values() for q in qs}
    names_and_examples = (trained - styles) | examples
    for path in (*evaluate.BLIND, evaluate.DATA, evaluate.DEV, evaluate.NEW, evaluate.STYLES_DEV):
        questions = {q for q, _ in evaluate.load(path)[0]}
        assert questions & trained <= names_and_examples, path.name


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("my nan has gone so frail and her legs are like sticks", "sarcopenia"),
        ("i get shaky and sweaty and weak when i skip a meal on insulin", "hypoglycemia"),
        ("what is myasthenia gravis", "myasthenia_gravis"),
    ],
)
def test_the_model_reads_a_description(question, topic):
    found = guess(query(question))
    assert found.topic == topic
    assert 0.0 < found.probability <= 1.0


def test_a_question_of_unknown_words_gets_no_guess():
    assert guess(["zzzz", "qqqq"]) == classifier.Guess(None, 0.0)


def test_a_weak_guess_leaves_the_general_answer_for_a_plain_complaint():
    """A plain complaint ("my dad's legs are weak") names nothing: it hears the causes answer,
    not a condition it never mentioned."""
    for question in ("my dad's legs are weak", "my hands are weak", "grandma is getting weaker"):
        match = retriever().match(question)
        assert (match.kind, match.topic) == ("answer", "causes"), question


def test_a_confident_guess_settles_what_was_a_menu(monkeypatch):
    """The same question, with the model and without it: a menu becomes the answer."""
    question = "how do the nerves tell the muscles what to do mate"
    with_model = retriever().match(question)
    monkeypatch.setattr(retrieval, "guess", lambda query: classifier.Guess(None, 0.0))
    without = retriever().match(question)
    assert with_model.kind == "answer"
    assert with_model.topic == "how_muscles_work"
    assert (without.kind, without.topic) != ("answer", "how_muscles_work")


def test_a_guess_of_a_topic_we_do_not_have_is_ignored(monkeypatch):
    monkeypatch.setattr(retrieval, "guess", lambda query: classifier.Guess("no_such_topic", 1.0))
    match = retriever().match("my dad's legs are weak")
    assert match.topic == "causes"


def test_a_question_the_ranking_names_never_loads_the_weights():
    """The cold start of a plain question pays nothing for the model."""
    code = (
        "import sys; sys.path.insert(0, 'lambda')\n"
        "from muscle_guide import classifier\n"
        "from muscle_guide.retrieval import retriever\n"
        "assert retriever().match('what causes muscle weakness').kind == 'answer'\n"
        "print(classifier._model.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0"


def test_without_the_weights_file_the_ranking_decides_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(classifier, "WEIGHTS_FILE", tmp_path / "missing.json")
    classifier._model.cache_clear()
    try:
        assert guess(query("what is myasthenia gravis")) == classifier.Guess(None, 0.0)
        assert retriever().match("what is myasthenia gravis").topic == "myasthenia_gravis"
    finally:
        classifier._model.cache_clear()

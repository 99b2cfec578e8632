"""``make index``: train the second-opinion topic model and write ``data/topic_weights.json``.

A multinomial logistic regression (scikit-learn, a development dependency only: the skill reads
the weights with plain Python, ``muscle_guide.classifier``) over each question's search terms and
neighbouring pairs of them. It learns from the example questions, every topic's title and
aliases, and the two large tuned styles sets (``tests/data/questions_styles_dev2.yaml`` and
``questions_styles_dev3.yaml``), whose figures therefore no longer measure anything. No blind
set, nor any other tuned set, is read: those still measure it.

Only the strongest ``KEEP`` weights of each topic are kept, which loses nothing measurable and
keeps the file to a few hundred kilobytes. ``inputs`` records a digest of everything the weights
follow from, so that a test can tell when they are stale without training again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from muscle_guide import classifier
from muscle_guide.knowledge import KNOWLEDGE_FILE
from muscle_guide.paths import data_file
from muscle_guide.retrieval import example_questions, retriever
from muscle_guide.text import FOLDING_VERSION

ROOT = Path(__file__).resolve().parent.parent
#: The large tuned sets in the users' styles: the model learns from them, so their figures no
#: longer measure it.
STYLES_SETS = (
    ROOT / "tests" / "data" / "questions_styles_dev2.yaml",
    ROOT / "tests" / "data" / "questions_styles_dev3.yaml",
)
#: Inverse regularisation strength, and weights kept per topic (chosen on the tuned sets the
#: model does not learn from: the main, dev, new-topics and first styles sets).
C = 10.0
KEEP = 300
DIGITS = 3
INPUTS = (
    Path(KNOWLEDGE_FILE),
    Path(data_file("examples.json")),
    Path(data_file("synonyms.json")),
    Path(data_file("search_index.idx")),
    *STYLES_SETS,
)


def inputs_digest() -> str:
    """A digest of the training data, the folding and the settings the weights come from."""
    digest = hashlib.sha256(repr((1, FOLDING_VERSION, C, KEEP, DIGITS)).encode())
    for path in INPUTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def training_rows() -> list[tuple[str, str]]:
    """(question or name, topic id) pairs to learn from."""
    rows = [(q, topic) for topic, qs in example_questions().items() for q in qs]
    topics = json.loads(Path(KNOWLEDGE_FILE).read_text(encoding="utf-8"))["topics"]
    for topic in topics:
        rows += [(name, topic["id"]) for name in [topic["title"], *topic.get("aliases", [])]]
    for path in STYLES_SETS:
        styles = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        rows += [(item["q"], item["topic"]) for item in styles]
    return rows


def train() -> dict[str, Any]:
    """The pruned weights as ``classifier`` reads them."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    search = retriever()
    rows = training_rows()
    bags = [Counter(classifier.features(search.search_terms(q))) for q, _ in rows]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(bags)
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(matrix, [topic for _, topic in rows])
    names = vectorizer.get_feature_names_out()
    kept: dict[str, list[tuple[int, float]]] = {}
    for index, row in enumerate(model.coef_):
        strongest = sorted(range(len(row)), key=lambda f: (-abs(row[f]), f))[:KEEP]
        for feature in strongest:
            weight = round(float(row[feature]), DIGITS)
            if weight:
                kept.setdefault(str(names[feature]), []).append((index, weight))
    return {
        "_comment": (
            "Written by `make index` (muscle_guide_tools/topic_classifier.py); do not edit. "
            "weights: feature -> 'topic-index weight ...' (topics in the order of `topics`)."
        ),
        "inputs": inputs_digest(),
        "topics": [str(topic) for topic in model.classes_],
        "intercepts": [round(float(b), DIGITS) for b in model.intercept_],
        "weights": {
            feature: " ".join(f"{topic} {weight:g}" for topic, weight in sorted(entries))
            for feature, entries in sorted(kept.items())
        },
    }


def is_current(path: Path = classifier.WEIGHTS_FILE) -> bool:
    """Whether the saved weights were trained on today's data and settings."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    return bool(saved.get("inputs") == inputs_digest())


def main() -> int:
    data = train()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    classifier.WEIGHTS_FILE.write_text(text + "\n", encoding="utf-8")
    print(
        f"wrote {classifier.WEIGHTS_FILE} ({len(data['weights'])} features, "
        f"{len(text) // 1024} KB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

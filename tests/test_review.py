"""The clinician review packet: built by reportlab, read back with pypdf."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from muscle_guide.knowledge import KNOWLEDGE
from muscle_guide.paths import data_file
from muscle_guide.speech import plain, to_ssml
from muscle_guide_tools import review


@pytest.fixture(scope="module")
def packet(tmp_path_factory) -> str:
    path = review.build(tmp_path_factory.mktemp("review") / "review.pdf", "en-GB")
    reader = PdfReader(str(path))
    assert reader.metadata is not None and "review packet" in (reader.metadata.title or "")
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_topic_is_there_as_heard_with_its_sources_and_date(packet: str) -> None:
    for topic in KNOWLEDGE:
        assert squash(topic.title) in packet, topic.id
        first_words = " ".join(plain(to_ssml(topic.brief, "en-GB")).split()[:8])
        assert first_words in packet, topic.id
        assert f"reviewed {topic.reviewed}" in packet, topic.id
        for source in topic.sources:
            assert (
                KNOWLEDGE.sources[source].url[:40] in packet.replace(" ", "").replace("\n", "")
                or KNOWLEDGE.sources[source].title in packet
            ), (topic.id, source)


def test_the_emergency_number_is_the_locales_as_heard(packet: str) -> None:
    assert "Call 999 now." in packet
    assert "{emergency_number}" not in packet


def test_it_says_what_reviewed_means(packet: str) -> None:
    assert squash(review.REVIEWED_MEANS) in packet
    assert "not a clinical sign-off" in packet


def test_the_red_flags_and_the_check_are_there_with_their_sources(packet: str) -> None:
    flags = json.loads(Path(data_file("red_flags.json")).read_text(encoding="utf-8"))
    for sign in flags["signs"].values():
        assert squash(sign["describes"])[:50] in packet
    check = json.loads(Path(data_file("symptom_check.json")).read_text(encoding="utf-8"))
    for question in check["questions"].values():
        assert " ".join(question["ask"].split()[:6]) in packet
    for key in check["sources"]:
        assert key in packet


def test_it_has_a_table_of_contents_with_page_numbers(packet: str) -> None:
    contents = packet.split("Contents", 1)[1].split("Short answer (as heard)", 1)[0]
    assert re.search(r"Conditions[ .]+\d+", contents)
    entries = re.findall(r"\. \d+", contents)  # dot leaders, then a page number
    assert len(entries) >= len(KNOWLEDGE), len(entries)  # about one per topic and section
    assert "Red flags" in contents and "The weakness check" in contents

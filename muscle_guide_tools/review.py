"""``make review``: the clinician review packet, ``build/review.pdf``.

Everything the skill can say about health, laid out for a clinician to read and annotate: every
topic's brief and full answer and card as a listener in the United States hears and sees them,
with its sources and review date; the red-flag signs with the first-aid steps each one gets; and
the weakness check's questions and outcomes, with their sources. Wide right margins and a notes
box after each topic leave room for comments.

``reviewed`` on a topic is the date the maintainers last checked its text against the sources it
cites. It is not a clinical sign-off; this packet exists so that a clinician can give one.

    python -m muscle_guide_tools.review [--out build/review.pdf] [--locale en-US]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from muscle_guide.knowledge import CATEGORIES, KNOWLEDGE, Topic
from muscle_guide.paths import data_file
from muscle_guide.phrases import phrases
from muscle_guide.speech import plain, to_card, to_ssml
from muscle_guide_tools import ROOT

OUT = ROOT / "build" / "review.pdf"
REVIEWED_MEANS = (
    "Each topic's reviewed date is the day the maintainers last checked its text against the "
    "sources it cites. It is not a clinical sign-off: no clinician has approved this content "
    "unless this packet comes back signed."
)
CATEGORY_TITLES = {
    "general": "General questions",
    "safety": "Safety",
    "cause_group": "Groups of causes",
    "condition": "Conditions",
    "test": "Tests",
    "treatment": "Treatment and self-help",
}


def heard(text: str, locale: str) -> str:
    """What a listener hears: the SSML the skill would send, read back as text."""
    return plain(to_ssml(text, locale))


def _load(name: str) -> dict[str, Any]:
    with open(data_file(name), encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


class Packet:
    """Builds the story (the flowables) of the PDF, section by section."""

    def __init__(self, locale: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        self.locale = locale
        self.colors = colors
        base = getSampleStyleSheet()
        self.styles = {
            "title": base["Title"],
            "h1": ParagraphStyle("h1", parent=base["Heading1"], spaceBefore=6),
            "h2": ParagraphStyle("h2", parent=base["Heading2"], spaceBefore=10),
            "label": ParagraphStyle("label", parent=base["Heading4"], spaceBefore=6, spaceAfter=1),
            "body": ParagraphStyle("body", parent=base["BodyText"], leading=14),
            "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
            "toc1": ParagraphStyle("toc1", fontSize=11, leftIndent=10, leading=15),
            "toc2": ParagraphStyle("toc2", fontSize=9, leftIndent=28, leading=12),
        }
        self.story: list[Any] = []

    # -- building blocks ------------------------------------------------------------------------

    def para(self, text: str, style: str = "body") -> None:
        from reportlab.platypus import Paragraph

        self.story.append(Paragraph(escape(text).replace("\n", "<br/>"), self.styles[style]))

    def heading(self, text: str, level: int) -> None:
        """A heading that also goes into the table of contents (see ``_Document.afterFlowable``)."""
        from reportlab.platypus import Paragraph

        paragraph = Paragraph(escape(text), self.styles["h1" if level == 0 else "h2"])
        paragraph.toc_level = level  # type: ignore[attr-defined]
        self.story.append(paragraph)

    def labelled(self, label: str, text: str) -> None:
        self.para(label, "label")
        self.para(text)

    def notes_box(self) -> None:
        from reportlab.platypus import Spacer, Table, TableStyle

        box = Table([["Reviewer notes:"], [""]], colWidths=[380], rowHeights=[14, 46])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, self.colors.grey),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("TEXTCOLOR", (0, 0), (-1, -1), self.colors.grey),
                ]
            )
        )
        self.story += [Spacer(1, 6), box]

    def table(self, rows: list[list[str]], widths: list[int]) -> None:
        from reportlab.platypus import Paragraph, Table, TableStyle

        cells = [[Paragraph(escape(cell), self.styles["small"]) for cell in row] for row in rows]
        grid = Table(cells, colWidths=widths, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, self.colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), self.colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.story.append(grid)

    def page_break(self) -> None:
        from reportlab.platypus import PageBreak

        self.story.append(PageBreak())

    # -- sections ------------------------------------------------------------------------------

    def front(self) -> None:
        from reportlab.platypus.tableofcontents import TableOfContents

        self.para("Muscle Weakness Guide: clinician review packet", "title")
        self.para(
            f"Generated {date.today().isoformat()} from knowledge base version "
            f"{KNOWLEDGE.version}: {len(KNOWLEDGE)} topics, as heard in {self.locale}."
        )
        self.para(
            "The skill answers spoken questions about muscle weakness with general "
            "information, not medical advice. It never diagnoses or prescribes. Answers are "
            "shown here exactly as the listener hears them; the emergency number is the one "
            f"for {self.locale}."
        )
        self.labelled("What 'reviewed' means", REVIEWED_MEANS)
        self.labelled(
            "How to review",
            "Please check each answer against current practice and its sources, and write "
            "corrections in the margins or the notes box after each topic. The red-flag signs "
            "and the weakness check come last: they decide when the skill tells someone to "
            "call for emergency help.",
        )
        toc = TableOfContents()
        toc.levelStyles = [self.styles["toc1"], self.styles["toc2"]]
        self.para("Contents", "h1")
        self.story.append(toc)
        self.page_break()

    def topics(self) -> None:
        sources = KNOWLEDGE.sources
        for category in CATEGORIES:
            members = [topic for topic in KNOWLEDGE if topic.category == category]
            if not members:
                continue
            self.heading(CATEGORY_TITLES.get(category, category), 0)
            for topic in members:
                self.topic(topic, sources)
            self.page_break()

    def topic(self, topic: Topic, sources: Any) -> None:
        locale = self.locale
        self.heading(topic.title, 1)
        self.para(f"id {topic.id} | reviewed {topic.reviewed} | heard as: {topic.name}", "small")
        self.labelled("Short answer (as heard)", heard(topic.brief, locale))
        self.labelled("Full answer (as heard)", heard(topic.full, locale))
        for facet, text in topic.facets:
            self.labelled(f"When asked about {facet} (as heard)", heard(text, locale))
        self.labelled("Card in the Alexa app", to_card(topic.card, locale))
        cited = [sources[s] for s in topic.sources if s in sources]
        self.labelled(
            "Sources",
            "\n".join(f"{s.title}, {s.publisher}. {s.url}" for s in cited) or "none",
        )
        self.notes_box()

    def red_flags(self) -> None:
        data = _load("red_flags.json")
        words = phrases(self.locale)
        self.heading("Red flags: when the skill says to call for help now", 0)
        self.para(
            "When a person describes one of these signs as happening now, the skill's first "
            f"words are: {heard(words['emergency_call'], self.locale)} Then it gives the steps "
            "below for that kind of emergency, and the disclaimer. History ('I had a stroke "
            "years ago'), hypotheticals and questions about the signs do not raise the alarm."
        )
        advice_sources = data.get("advice_sources", {})
        rows = [["Sign", "What it covers", "Then the skill says", "Sources"]]
        for name, sign in data["signs"].items():
            advice = sign["advice"]
            steps = words.get(f"emergency_steps_{advice}", words["emergency_steps_general"])
            cited = advice_sources.get(advice, [])
            rows.append(
                [
                    name.replace("_", " "),
                    sign.get("describes", ""),
                    heard(steps, self.locale),
                    ", ".join(cited),
                ]
            )
        self.table(rows, [70, 170, 150, 90])
        self.sources_list(data["sources"])
        self.notes_box()
        self.page_break()

    def check(self) -> None:
        data = _load("symptom_check.json")
        self.heading("The weakness check", 0)
        self.para(
            "A short run of yes or no questions, red flags first. An unsure answer to a red-flag "
            "question is asked once more in other words, then counted as yes. Outcomes never "
            "name a diagnosis."
        )
        rows = [["Question", "Asked as", "Yes leads to", "No leads to", "Sources"]]
        for step, question in data["questions"].items():
            flag = " (red flag)" if question.get("red_flag") else ""
            rows.append(
                [
                    step + flag,
                    heard(question["ask"], self.locale),
                    question["yes"],
                    question["no"],
                    ", ".join(question.get("sources", [])),
                ]
            )
        self.table(rows, [70, 200, 60, 60, 90])
        self.para("Outcomes", "label")
        rows = [["Outcome", "What the skill says", "Card"]]
        for name, result in data["outcomes"].items():
            rows.append(
                [
                    name + (" (urgent)" if result.get("urgent") else ""),
                    heard(result["say"], self.locale),
                    to_card(result["card"], self.locale),
                ]
            )
        self.table(rows, [70, 220, 190])
        self.sources_list(data["sources"])
        self.notes_box()

    def sources_list(self, sources: dict[str, Any]) -> None:
        self.para("Sources", "label")
        for key, source in sources.items():
            used = f" Used for: {source['used_for']}" if source.get("used_for") else ""
            self.para(
                f"{key}: {source['title']}, {source['publisher']}. {source['url']}.{used}", "small"
            )


def build(out: Path = OUT, locale: str = "en-US") -> Path:
    """Write the packet to ``out`` and return its path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    class _Document(SimpleDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:
            level = getattr(flowable, "toc_level", None)
            if level is not None:
                self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))

    packet = Packet(locale)
    packet.front()
    packet.topics()
    packet.red_flags()
    packet.check()
    out.parent.mkdir(parents=True, exist_ok=True)
    document = _Document(
        str(out),
        pagesize=A4,
        leftMargin=50,
        rightMargin=110,  # room to write
        topMargin=50,
        bottomMargin=50,
        title="Muscle Weakness Guide: clinician review packet",
        author="Muscle Weakness Guide maintainers",
        invariant=True,  # the same content gives the same file
    )

    def footer(canvas: Any, doc: Any) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(50, 30, f"Muscle Weakness Guide review packet, page {doc.page}")

    document.multiBuild(packet.story, onFirstPage=footer, onLaterPages=footer)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--locale", default="en-US")
    args = parser.parse_args(argv)
    path = build(args.out, args.locale)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What screens show: an APL document for devices that have one, filled per answer.

The document is data (``data/apl_answer.json``); this module only decides whether the device can
show it and fills the data source. Devices without a screen never get the directive.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces

from .paths import data_file

APL_INTERFACE = "Alexa.Presentation.APL"
_DOCUMENT_FILE = data_file("apl_answer.json")
MAX_POINTS = 6


@cache
def document() -> dict[str, Any]:
    """The APL document, read on first use (screens are the minority of requests)."""
    with open(_DOCUMENT_FILE, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def supports_apl(handler_input: HandlerInput) -> bool:
    """True when the device declares the APL interface in its supported interfaces."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except AttributeError:
        return False
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def points(card_text: str) -> list[str]:
    """Short lines for bullet points, taken from a topic's card text.

    >>> points("Title line:\\n- one\\n- two")
    ['Title line:', 'one', 'two']
    """
    lines = [line.strip().lstrip("-\u2022* ").strip() for line in card_text.splitlines()]
    return [line for line in lines if line][:MAX_POINTS]


def render_directive(title: str, brief: str, card_text: str, sources: str, disclaimer: str) -> Any:
    """An ``Alexa.Presentation.APL.RenderDocument`` directive for one answer."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    data = {
        "answer": {
            "title": title,
            "brief": brief,
            "points": points(card_text),
            "sources": sources,
            "disclaimer": disclaimer,
        }
    }
    return RenderDocumentDirective(token="answer", document=document(), datasources=dict(data))

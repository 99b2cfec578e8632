"""The project's own tools, as one importable package (none of it ships to Lambda).

- ``model_generate`` and ``model_validate``: the Alexa interaction models, generated from
  ``interaction_model/model.yaml`` and checked against Alexa's rules (``make model``).
- ``red_flag_anchors``: the red-flag screen's anchors, derived from its patterns.
- ``evaluate``: accuracy of free questions on the labelled sets (``make eval``).
- ``load`` and ``signing``: a bounded load test of the web service with real request
  signatures from a local test CA (``make load``; the web-service tests use ``signing`` too).

The Makefile runs them as ``python -m muscle_guide_tools.<name>``; tests import them.
"""

from pathlib import Path

#: The checkout the tools work on: data, models and tests live beside this package.
ROOT = Path(__file__).resolve().parents[1]

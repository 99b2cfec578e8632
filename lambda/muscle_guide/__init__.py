"""Muscle Weakness Guide: an Alexa skill that answers spoken questions about muscle weakness.

The package is what ships to Lambda. Content lives in ``data/``; the modules here only read it.
"""

__version__ = "0.1.0"

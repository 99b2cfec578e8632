"""The skill hosted as an HTTPS web service, Alexa's other way to reach a skill.

``app`` builds the Flask application around the same skill Lambda runs, behind Alexa's request
verification (``verification``: signature, certificate chain, timestamp and skill id), and runs
it under gunicorn for ``muscle-guide serve``. It does not ship to Lambda.
"""

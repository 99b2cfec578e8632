"""The skill without Alexa: the offline simulator, Alexa request builders and the CLI.

None of this ships to Lambda. ``muscle-guide chat``, ``ask`` and ``invoke`` build the envelopes
Alexa would send (``envelopes``), turn typed words into requests the way the interaction model
would (``simulator``) and run them through the real ``lambda_handler``.
"""

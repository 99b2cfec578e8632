"""The web baseline: the same hello-world skill behind a bare flask-ask-sdk ``SkillAdapter``.

Verification is off here, as it is for our service in the throughput run: the load client
cannot sign requests as Amazon does, and the comparison is of the skills, not of the checks.
"""

from flask import Flask
from flask_ask_sdk.skill_adapter import SkillAdapter
from hello_skill import skill

app = Flask(__name__)
app.config["ASK_SDK_VERIFY_SIGNATURE"] = False
app.config["ASK_SDK_VERIFY_TIMESTAMP"] = False
SkillAdapter(skill=skill, skill_id="hello", app=app).register(app=app, route="/")

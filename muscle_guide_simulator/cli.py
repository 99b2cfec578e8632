"""``muscle-guide``: the skill's local front door (chat, ask, invoke), fully offline.

muscle-guide chat [--locale en-GB] [--json] [--screen]
muscle-guide ask "what is muscle weakness" [--json]
muscle-guide invoke events/launch.json
muscle-guide serve [--host 127.0.0.1] [--port 5000] [--workers 2] [--no-verify]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from muscle_guide.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES
from muscle_guide.speech import plain


def render(response: dict[str, Any]) -> str:
    """A response envelope as a person would take it in: speech, reprompt, card."""
    body = response.get("response") or {}
    lines = [f"Alexa: {plain((body.get('outputSpeech') or {}).get('ssml'))}"]
    reprompt = ((body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    if reprompt:
        lines.append(f"  (reprompt) {plain(reprompt)}")
    card = body.get("card")
    if card:
        lines.append(f"  [card] {card.get('title')}")
        lines.extend(f"    {line}" for line in str(card.get("content", "")).splitlines())
    if body.get("shouldEndSession") is not False:
        lines.append("  (session ended)")
    return "\n".join(lines)


def _print(response: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(response, separators=(",", ":")) + "\n")
    else:
        out.write(render(response) + "\n")
    out.flush()


def chat(locale: str, as_json: bool, screen: bool, stdin: TextIO, out: TextIO) -> int:
    """Talk to the skill line by line; each non-blank line is one thing said to Alexa."""
    from .simulator import Conversation

    conversation = Conversation(locale=locale, screen=screen)
    interactive = stdin.isatty() and not as_json
    if interactive:
        out.write(
            "Muscle Weakness Guide, offline. Type what you would say to Alexa, for example\n"
            "'open muscle weakness guide' or 'what causes muscle weakness'. Ctrl-D quits.\n"
        )
    while True:
        if interactive:
            out.write("You: ")
            out.flush()
        line = stdin.readline()
        if not line:
            return 0
        if not line.strip():
            continue
        _print(conversation.say(line), as_json, out)


def ask(text: str, locale: str, as_json: bool, out: TextIO) -> int:
    """One-shot, as in "Alexa, ask muscle weakness guide TEXT"."""
    from .simulator import Conversation

    _print(Conversation(locale=locale).say(f"ask muscle weakness guide {text}"), as_json, out)
    return 0


def invoke(path: Path, out: TextIO) -> int:
    """Run the Lambda handler on an event file, as ``sam local invoke`` would."""
    from lambda_function import lambda_handler

    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"muscle-guide invoke: cannot read {path}: {error}", file=sys.stderr)
        return 2
    out.write(json.dumps(lambda_handler(event, None), indent=2) + "\n")
    return 0


def serve(host: str, port: int, verify: bool, workers: int) -> int:
    """Run the skill as an HTTPS-ready web service (put TLS in front; Alexa needs port 443).

    Refuses to start (exit 2, the reason on stderr) with verification on and no ``SKILL_ID``,
    or with ``--no-verify`` on a host that is not loopback.
    """
    from muscle_guide.config import Settings
    from muscle_guide_webservice.app import NO_VERIFY_WARNING, create_app, run, serving_problem

    settings = Settings.from_env()
    problem = serving_problem(verify, settings.skill_id, host)
    if problem:
        print(f"muscle-guide serve: error: {problem}", file=sys.stderr, flush=True)
        return 2
    if not verify:
        banner = "!" * 100
        print(f"{banner}\n{NO_VERIFY_WARNING}\n{banner}", file=sys.stderr, flush=True)
    run(create_app(settings, verify=verify), host, port, workers)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="muscle-guide", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    def locale_option(command: argparse.ArgumentParser) -> None:
        command.add_argument("--locale", default=DEFAULT_LOCALE, choices=SUPPORTED_LOCALES)
        command.add_argument("--json", action="store_true", help="print response envelopes as JSON")

    talk = commands.add_parser("chat", help="talk to the skill as you would to Alexa")
    locale_option(talk)
    talk.add_argument("--screen", action="store_true", help="pretend the device has a screen")
    once = commands.add_parser(
        "ask", help="one question, as 'Alexa, ask muscle weakness guide ...'"
    )
    once.add_argument("text", nargs="+")
    locale_option(once)
    run = commands.add_parser("invoke", help="run lambda_handler on a Lambda event file")
    run.add_argument("event", type=Path)
    web = commands.add_parser("serve", help="serve the skill over HTTP for Alexa (see README)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=5000, help="port to listen on (0: any free)")
    web.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    web.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip Alexa signature and timestamp checks (local testing only: loopback hosts only)",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command != "serve":
        # The skill logs a JSON line per request; in a terminal conversation that is noise.
        # A server keeps them (LOG_LEVEL, default INFO).
        os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.command == "chat":
        return chat(args.locale, args.json, args.screen, sys.stdin, sys.stdout)
    if args.command == "ask":
        return ask(" ".join(args.text), args.locale, args.json, sys.stdout)
    if args.command == "serve":
        return serve(args.host, args.port, args.verify, args.workers)
    return invoke(args.event, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())

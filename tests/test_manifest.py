"""skill-package/skill.json: what the Alexa skill store and certification will read.

The example phrases are the ones people see first, and certification rejects phrases the model
does not accept, so each one goes through the simulator, and an intent's phrase must be one of
that intent's sample utterances. The icons must be the project's own drawing: they are compared
with what scripts/make_icons.py draws.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from muscle_guide.locales import SUPPORTED_LOCALES, emergency_number
from muscle_guide_simulator.simulator import normalise, understand
from support import load_script

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skill-package"
MANIFEST = json.loads((PACKAGE / "skill.json").read_text(encoding="utf-8"))["manifest"]
LOCALES = MANIFEST["publishingInformation"]["locales"]
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}


def model(locale: str) -> dict[str, Any]:
    path = PACKAGE / "interactionModels" / "custom" / f"{locale}.json"
    return json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]


def samples(locale: str, intent: str) -> set[str]:
    for entry in model(locale)["intents"]:
        if entry["name"] == intent:
            return {normalise(sample) for sample in entry.get("samples", [])}
    return set()


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of an 8-bit RGB, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) == (8, 2, 0), "expected 8-bit RGB, not interlaced"
    return width, height, zlib.decompress(idat)


# --------------------------------------------------------------------------- locales


def test_manifest_covers_exactly_the_five_model_locales() -> None:
    models = {p.stem for p in (PACKAGE / "interactionModels" / "custom").glob("*.json")}
    assert set(LOCALES) == set(SUPPORTED_LOCALES) == models


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_store_text_says_what_the_skill_is_and_is_not(locale: str) -> None:
    entry = LOCALES[locale]
    assert entry["name"] == "Muscle Weakness Guide"
    assert 0 < len(entry["summary"]) <= 160
    assert 0 < len(entry["description"]) <= 4000
    description = entry["description"]
    assert "general information" in description
    assert "not a substitute for professional medical advice" in description
    number = emergency_number(locale)
    assert number is not None and number.digits in description
    assert 1 <= len(entry["keywords"]) <= 30


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_example_phrases_are_accepted_by_the_interaction_model(locale: str) -> None:
    phrases = LOCALES[locale]["examplePhrases"]
    assert 1 <= len(phrases) <= 3
    invocation = model(locale)["invocationName"]
    for index, phrase in enumerate(phrases):
        assert phrase.startswith("Alexa, "), phrase
        spoken = phrase.removeprefix("Alexa, ")
        assert invocation in spoken.lower(), phrase
        heard = understand(spoken, locale)
        if index == 0:
            assert heard.kind == "launch", f"the first phrase must open the skill: {phrase}"
            continue
        assert heard.kind in ("launch", "intent"), phrase
        if heard.kind == "intent":
            assert heard.intent not in (None, "AMAZON.FallbackIntent"), phrase
            # Not just the catch-all free question: one of the intent's own samples.
            assert heard.intent != "AskQuestionIntent", phrase
            request = normalise(spoken).split(invocation, 1)[1].strip()
            assert request in samples(locale, heard.intent), f"{phrase} is not a sample"


# --------------------------------------------------------------------------- publishing


def test_publishing_information() -> None:
    publishing = MANIFEST["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert publishing["isAvailableWorldwide"] is False
    countries = {locale.split("-")[1] for locale in LOCALES}
    assert set(publishing["distributionCountries"]) == countries
    assert publishing["testingInstructions"].strip()


def test_testing_instructions_cover_memory_the_check_and_emergencies() -> None:
    """What the certification tester must try, each with the words to say."""
    text = MANIFEST["publishingInformation"]["testingInstructions"]
    assert len(text) <= 4000
    for must in ("check my symptoms", "my face is drooping", "Memory", "disclaimer was heard"):
        assert must in text, must
    for locale in LOCALES:
        number = emergency_number(locale)
        assert number is not None and f"{number.digits} in" in text
        assert locale in text
    assert "108" in text, "India's ambulance line is named beside 112"


def test_privacy_and_compliance_answers() -> None:
    privacy = MANIFEST["privacyAndCompliance"]
    assert privacy["allowsPurchases"] is False
    assert privacy["usesPersonalInfo"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["isExportCompliant"] is True
    assert privacy["containsAds"] is False
    # Stated, not left to the default: no protected health information is processed.
    assert privacy["usesHealthInfo"] is False


def test_committed_manifest_has_no_links_the_deploy_adds_them(tmp_path) -> None:
    """The repository holds no placeholder link; the deploy injects the real ones."""
    assert "locales" not in MANIFEST["privacyAndCompliance"]
    for path in ROOT.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix in {".md", ".json", ".py"}:
            if any(part in {".venv", "node_modules", "build"} for part in path.parts):
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not re.search(r"(//|www\.)example\.(com|org|net)", text), path
    deploy = load_script("deploy")
    links = ("https://docs.acme-health.org/mwg/privacy", "https://docs.acme-health.org/mwg/terms")
    deploy.package_skill(PACKAGE, tmp_path / "p.zip", links=links)
    uploaded = json.loads(zipfile.ZipFile(tmp_path / "p.zip").read("skill.json"))["manifest"]
    privacy = uploaded["privacyAndCompliance"]
    assert set(privacy["locales"]) == set(LOCALES)
    for urls in privacy["locales"].values():
        assert urls == {"privacyPolicyUrl": links[0], "termsOfUseUrl": links[1]}
    assert privacy["usesHealthInfo"] is False
    uploaded["privacyAndCompliance"].pop("locales")
    assert uploaded == MANIFEST, "nothing else changes"


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "http://docs.acme-health.org/privacy",
        "https://" + ".".join(("www", "example", "com")) + "/privacy",  # not written as a link
        "https://localhost/privacy",
        "https://<PRIVACY_POLICY_URL>",
    ],
)
def test_deploy_refuses_links_that_are_not_real(url) -> None:
    assert load_script("deploy").link_problem(url) is not None


def test_skill_disabled_events_reach_the_same_function() -> None:
    """Disabling the skill must be able to delete the person's record (PRIVACY.md)."""
    events = MANIFEST["events"]
    assert events["subscriptions"] == [{"eventName": "SKILL_DISABLED"}]
    assert events["endpoint"] == MANIFEST["apis"]["custom"]["endpoint"], "replaced on deploy"


def test_custom_api_endpoint_is_a_placeholder_with_apl() -> None:
    custom = MANIFEST["apis"]["custom"]
    uri = custom["endpoint"]["uri"]
    assert uri.startswith("arn:aws:lambda:") and ":000000000000:" in uri
    types = [interface["type"] for interface in custom["interfaces"]]
    assert "ALEXA_PRESENTATION_APL" in types
    apl = next(i for i in custom["interfaces"] if i["type"] == "ALEXA_PRESENTATION_APL")
    assert apl["supportedViewports"]


# --------------------------------------------------------------------------- icons


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_icons_are_packaged_pngs_of_the_right_size(locale: str) -> None:
    for key, size in ICON_SIZES.items():
        uri = LOCALES[locale][key]
        assert uri.startswith("file://assets/images/"), uri
        path = PACKAGE / uri.removeprefix("file://")
        width, height, _ = png_pixels(path.read_bytes())
        assert (width, height) == (size, size)


def test_icons_are_what_the_generator_draws() -> None:
    icons = load_script("make_icons")
    for name, size in icons.ICONS.items():
        _, _, committed = png_pixels((PACKAGE / "assets" / "images" / name).read_bytes())
        drawn = icons.render(size)
        assert len(committed) == len(drawn)
        worst = max(abs(a - b) for a, b in zip(committed, drawn, strict=True))
        assert worst <= 1, f"{name} differs from scripts/make_icons.py: run `make icons`"


# --------------------------------------------------------------------------- the package zip


def test_skill_package_zip_holds_manifest_models_and_icons(tmp_path) -> None:
    deploy = load_script("deploy")
    first = deploy.package_skill(PACKAGE, tmp_path / "one.zip")
    second = deploy.package_skill(PACKAGE, tmp_path / "two.zip")
    assert first == second == hashlib.sha256((tmp_path / "one.zip").read_bytes()).hexdigest()
    names = set(zipfile.ZipFile(tmp_path / "one.zip").namelist())
    expected = {"skill.json", "assets/images/smallIcon.png", "assets/images/largeIcon.png"}
    expected |= {f"interactionModels/custom/{locale}.json" for locale in LOCALES}
    assert names == expected

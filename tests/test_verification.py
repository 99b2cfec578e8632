"""Only requests Alexa really signed reach the skill; everything else is a 400.

The real signature path runs end to end: a local root CA, intermediate and echo-api.amazon.com
signing certificate (``signing.py``) sign each body, and the web service's verifier is pointed at
that root and served that chain through its constructor, the way production never configures it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from ask_sdk_webservice_support.verifier import VerificationException
from cryptography.x509.oid import ExtendedKeyUsageOID

from muscle_guide.config import Settings
from muscle_guide_simulator import envelopes as ev
from muscle_guide_tools.signing import (
    CERT_URL,
    LocalPKI,
    body_of,
    ca_certificate,
    leaf_certificate,
    new_key,
    pem,
    shared_pki,
)
from muscle_guide_webservice.app import create_app
from muscle_guide_webservice.verification import (
    CERT_URL_HEADER,
    SIGNATURE_HEADER,
    HttpsFetch,
    SignatureHeadersVerifier,
    SignatureVerifier,
    SkillIdVerifier,
    TimestampVerifier,
    check_cert_url,
    default_trust_roots,
    fetch_https,
)
from support import assert_valid_response, said, topic_of

OTHER_SKILL = "amzn1.ask.skill.11111111-1111-1111-1111-111111111111"


@pytest.fixture(scope="module")
def pki() -> LocalPKI:
    return shared_pki()


@pytest.fixture
def client(pki):
    """The web service with verification on, trusting only the local test root."""
    pki.fetched.clear()
    return create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=pki.verifier()
    ).test_client()


def causes_event(timestamp: datetime | None = None, skill_id: str = ev.TEST_SKILL_ID) -> dict:
    request = ev.intent_request("CausesIntent")
    if timestamp is not None:
        request["timestamp"] = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ev.envelope(request, ev.new_session(skill_id=skill_id), ev.context(skill_id=skill_id))


def post(client, body: bytes, headers: dict[str, str]):
    return client.post("/", data=body, headers=headers)


class _Reasons(logging.Handler):
    """Keeps the reason of every rejection the web service logs, and every record."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.reasons: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.exc_info and record.exc_info[1] is not None:
            self.reasons.append(str(record.exc_info[1]))
        elif "request rejected" in record.getMessage():
            self.reasons.append(record.getMessage())


@pytest.fixture
def rejected():
    """Assert a 400 and why. The caller only learns flask-ask-sdk's generic "failed verification"
    (or our envelope check's reason), so probes learn nothing; the reason is in the log."""
    reasons = _Reasons()
    logger = logging.getLogger("muscle_guide_webservice")
    logger.addHandler(reasons)
    level = logger.level
    logger.setLevel(logging.DEBUG)

    def check(response, reason: str) -> None:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.is_json
        message = response.get_json()["message"]
        logged = reasons.reasons[-1:]
        assert reason in message or (
            message == "Incoming request failed verification" and logged and reason in logged[0]
        ), (message, logged)
        reasons.reasons.clear()
        reasons.records.clear()

    check.handler = reasons  # type: ignore[attr-defined]
    yield check
    logger.removeHandler(reasons)
    logger.setLevel(level)


# --- the happy path, end to end ----------------------------------------------------------------


def test_signed_request_is_answered(client, pki):
    body = body_of(causes_event())
    response = post(client, body, pki.headers(body))
    assert response.status_code == 200
    envelope = response.get_json()
    assert_valid_response(envelope)
    assert "muscle" in said(envelope).lower()
    assert topic_of(envelope) == "causes"
    assert pki.fetched == [CERT_URL]


def test_validated_chain_is_reused_not_downloaded_per_request(client, pki):
    for _ in range(3):
        body = body_of(causes_event())
        assert post(client, body, pki.headers(body)).status_code == 200
    assert pki.fetched == [CERT_URL]


def test_equivalent_certificate_urls_are_accepted_and_fetched_exactly_as_checked(client, pki):
    body = body_of(causes_event())
    for url in (
        "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert-test.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    ):
        assert post(client, body, pki.headers(body, cert_url=url)).status_code == 200, url
    assert pki.fetched == [CERT_URL]


# --- missing or broken headers -----------------------------------------------------------------


def test_request_without_signature_headers_is_rejected(client, pki, rejected):
    body = body_of(causes_event())
    rejected(post(client, body, {"Content-Type": "application/json"}), "missing")
    only_url = {CERT_URL_HEADER: CERT_URL}
    rejected(post(client, body, only_url), "missing")
    only_signature = {SIGNATURE_HEADER: pki.signature(body)}
    rejected(post(client, body, only_signature), "missing")
    assert pki.fetched == []


def test_legacy_sha1_signature_header_alone_is_not_enough(client, pki, rejected):
    body = body_of(causes_event())
    headers = {CERT_URL_HEADER: CERT_URL, "Signature": pki.signature(body)}
    rejected(post(client, body, headers), "missing")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem", "malformed"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com//echo.api/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com", "path"),
        ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        # Checked as it will be requested: nothing a server (or S3) would decode or fold.
        ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/%2E%2E%2Finvalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api%2f..%2finvalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert%2Epem", "path"),
        ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/./echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api//echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem/", "path"),
        ("https://s3.amazonaws.com/echo.api/..\\invalid.path\\echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x-id=GetObject", "path"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem#fragment", "path"),
        (" https://s3.amazonaws.com/echo.api/echo-api-cert.pem", "path"),
    ],
)
def test_certificate_urls_breaking_amazons_rules_are_rejected_before_download(
    client, pki, url, reason, rejected
):
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), reason)
    assert pki.fetched == []


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
    ],
)
def test_amazons_valid_url_examples_are_the_same_download(url):
    assert check_cert_url(url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def test_amazons_dot_segment_example_is_refused_deliberately():
    """Amazon lists /echo.api/../echo.api/ as valid; Alexa never sends it, and a URL is checked
    only in the form it will be fetched in (README, "What is checked")."""
    with pytest.raises(VerificationException, match="dot segments"):
        check_cert_url("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem")


# --- bad signatures ----------------------------------------------------------------------------


def test_signature_of_another_body_is_rejected(client, pki, rejected):
    body = body_of(causes_event())
    headers = pki.headers(body)
    tampered = body.replace(b"CausesIntent", b"TreatmentIntent")
    rejected(post(client, tampered, headers), "does not match")


def test_one_extra_byte_breaks_the_signature(client, pki, rejected):
    body = body_of(causes_event())
    rejected(post(client, body + b" ", pki.headers(body)), "does not match")


def test_signature_by_another_key_is_rejected(client, pki, rejected):
    body = body_of(causes_event())
    headers = pki.headers(body)
    headers[SIGNATURE_HEADER] = pki.signature(body, key=new_key())
    rejected(post(client, body, headers), "does not match")


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("not base64!", "not base64"),
        ("", "missing"),
        ("   ", "does not match"),
        ("QUJD", "does not match"),
        ("=" * 8, "not base64"),
    ],
)
def test_malformed_signatures_are_rejected(client, pki, signature, reason, rejected):
    body = body_of(causes_event())
    headers = {**pki.headers(body), SIGNATURE_HEADER: signature}
    rejected(post(client, body, headers), reason)


# --- untrusted certificate chains --------------------------------------------------------------


def publish(pki: LocalPKI, name: str, chain: bytes) -> str:
    url = f"https://s3.amazonaws.com/echo.api/{name}.pem"
    pki.published[url] = chain
    return url


def test_chain_from_an_untrusted_root_is_rejected(client, pki, rejected):
    impostor_root_key = new_key()
    impostor_root = ca_certificate(impostor_root_key, "Impostor Root")
    impostor_leaf = leaf_certificate(pki.key, (impostor_root, impostor_root_key))
    url = publish(pki, "impostor", pem(impostor_leaf))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


def test_self_signed_signing_certificate_is_rejected(client, pki, rejected):
    self_signed = ca_certificate(pki.key, "echo-api.amazon.com")
    url = publish(pki, "self-signed", pem(self_signed))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


def test_chain_missing_its_intermediate_is_rejected(client, pki, rejected):
    url = publish(pki, "no-intermediate", pem(pki.leaf))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


def test_expired_signing_certificate_is_rejected(client, pki, rejected):
    now = datetime.now(UTC)
    expired = leaf_certificate(
        pki.key,
        (pki.intermediate, pki.intermediate_key),
        not_before=now - timedelta(days=30),
        not_after=now - timedelta(days=1),
    )
    url = publish(pki, "expired", pem(expired, pki.intermediate))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


def test_not_yet_valid_signing_certificate_is_rejected(client, pki, rejected):
    now = datetime.now(UTC)
    future = leaf_certificate(
        pki.key,
        (pki.intermediate, pki.intermediate_key),
        not_before=now + timedelta(days=1),
        not_after=now + timedelta(days=30),
    )
    url = publish(pki, "future", pem(future, pki.intermediate))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


def test_signing_certificate_for_another_domain_is_rejected(client, pki, rejected):
    other = leaf_certificate(
        pki.key, (pki.intermediate, pki.intermediate_key), domain="echo-api.evil.example"
    )
    url = publish(pki, "other-domain", pem(other, pki.intermediate))
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "not trusted")


@pytest.mark.parametrize("chain", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\n"])
def test_garbage_instead_of_a_chain_is_rejected(client, pki, chain, rejected):
    url = publish(pki, f"garbage-{len(chain)}", chain)
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "PEM")


def test_oversized_chain_is_rejected(client, pki, rejected):
    url = publish(pki, "huge", pem(pki.leaf, pki.intermediate) * 40)
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body, cert_url=url)), "too large")


def test_download_failure_is_a_rejection_not_a_crash(client, pki, rejected):
    body = body_of(causes_event())
    url = "https://s3.amazonaws.com/echo.api/never-published.pem"
    rejected(post(client, body, pki.headers(body, cert_url=url)), "nothing published")


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [timedelta(seconds=151), timedelta(minutes=10), timedelta(days=2)])
def test_stale_signed_request_is_rejected(client, pki, age, rejected):
    body = body_of(causes_event(datetime.now(UTC) - age))
    rejected(post(client, body, pki.headers(body)), "timestamp")


def test_request_from_the_future_is_rejected(client, pki, rejected):
    body = body_of(causes_event(datetime.now(UTC) + timedelta(minutes=5)))
    rejected(post(client, body, pki.headers(body)), "timestamp")


def test_request_within_tolerance_is_answered(client, pki):
    body = body_of(causes_event(datetime.now(UTC) - timedelta(seconds=100)))
    assert post(client, body, pki.headers(body)).status_code == 200


def test_timestamp_tolerance_edges():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    verifier = TimestampVerifier(clock=lambda: now)

    def envelope_at(offset: timedelta, kind: str = "IntentRequest"):
        from ask_sdk_core.serialize import DefaultSerializer
        from ask_sdk_model import RequestEnvelope

        stamp = (now + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
        raw = {"version": "1.0", "request": {"type": kind, "requestId": "r", "timestamp": stamp}}
        return DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)

    verifier.verify({}, "", envelope_at(timedelta(seconds=-150)))
    verifier.verify({}, "", envelope_at(timedelta(seconds=150)))
    with pytest.raises(VerificationException):
        verifier.verify({}, "", envelope_at(timedelta(seconds=-151)))
    # Skill events (enablement and the like) may arrive up to an hour late.
    verifier.verify({}, "", envelope_at(timedelta(minutes=-30), "AlexaSkillEvent.SkillEnabled"))
    with pytest.raises(VerificationException):
        verifier.verify({}, "", envelope_at(timedelta(minutes=-61), "AlexaSkillEvent.SkillEnabled"))
    with pytest.raises(ValueError, match="tolerance"):
        TimestampVerifier(tolerance=timedelta(seconds=151))


# --- skill id ----------------------------------------------------------------------------------


def test_request_for_another_skill_is_rejected_when_skill_id_is_set(pki, rejected):
    client = create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=pki.verifier()
    ).test_client()
    body = body_of(causes_event(skill_id=OTHER_SKILL))
    rejected(post(client, body, pki.headers(body)), "another skill")
    body = body_of(causes_event())
    response = post(client, body, pki.headers(body))
    assert response.status_code == 200
    assert topic_of(response.get_json()) == "causes"


def test_skill_id_is_checked_even_without_signature_verification(rejected):
    client = create_app(Settings(skill_id=ev.TEST_SKILL_ID), verify=False).test_client()
    body = body_of(causes_event(skill_id=OTHER_SKILL))
    rejected(post(client, body, {}), "another skill")
    mixed = causes_event()
    mixed["session"]["application"]["applicationId"] = OTHER_SKILL
    rejected(post(client, body_of(mixed), {}), "another skill")
    no_context = causes_event()
    del no_context["context"]
    rejected(post(client, body_of(no_context), {}), "another skill")


def test_skill_id_verifier_accepts_only_its_skill():
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    def envelope(skill_id: str):
        return DefaultSerializer().deserialize(
            json.dumps(causes_event(skill_id=skill_id)), RequestEnvelope
        )

    SkillIdVerifier(ev.TEST_SKILL_ID).verify({}, "", envelope(ev.TEST_SKILL_ID))
    with pytest.raises(VerificationException):
        SkillIdVerifier(ev.TEST_SKILL_ID).verify({}, "", envelope(OTHER_SKILL))


# --- what production is configured with --------------------------------------------------------


def test_production_verifier_uses_public_roots_and_https_download():
    verifier = SignatureVerifier()
    assert verifier._fetch is fetch_https
    assert verifier._roots is None  # resolved lazily to certifi's roots
    subjects = {root.subject.rfc4514_string() for root in default_trust_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in subjects


def test_default_app_verifies_signature_and_timestamp_with_our_verifiers_only():
    app = create_app(Settings(skill_id=ev.TEST_SKILL_ID))
    kinds = [type(v) for v in app.extensions["muscle_guide.verifiers"]]
    # Cheapest first; the signature, which may download a chain, last.
    assert kinds == [
        SignatureHeadersVerifier,
        TimestampVerifier,
        SkillIdVerifier,
        SignatureVerifier,
    ]
    adapter = next(iter(app.extensions["ASK_SDK_SKILL_ADAPTER"].values()))
    # The package's own default verifiers (switched off by app config) must not be in the chain.
    in_chain = [type(v) for v in adapter._webservice_handler._verifiers]
    assert in_chain == kinds


def test_unsigned_request_to_the_default_app_is_rejected_without_any_download(rejected):
    client = create_app(Settings(skill_id=ev.TEST_SKILL_ID)).test_client()
    body = body_of(causes_event())
    rejected(post(client, body, {"Content-Type": "application/json"}), "missing")
    bad_url = {CERT_URL_HEADER: "http://s3.amazonaws.com/echo.api/x.pem", SIGNATURE_HEADER: "QQ=="}
    rejected(post(client, body, bad_url), "scheme")


def test_web_service_never_loads_the_broken_oscrypto_chain():
    """Root fix of wbond/oscrypto#78: the module that imports certvalidator/oscrypto is not used."""
    code = (
        "import sys, muscle_guide_webservice.app, flask_ask_sdk.skill_adapter\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('oscrypto', 'certvalidator'))\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- cheap checks before any download ------------------------------------------------------------


def test_stale_request_is_rejected_before_any_certificate_download(client, pki, rejected):
    body = body_of(causes_event(datetime.now(UTC) - timedelta(minutes=10)))
    url = "https://s3.amazonaws.com/echo.api/not-downloaded-for-a-stale-request.pem"
    rejected(post(client, body, pki.headers(body, cert_url=url)), "timestamp")
    assert pki.fetched == []


def test_request_for_another_skill_is_rejected_before_any_certificate_download(
    client, pki, rejected
):
    body = body_of(causes_event(skill_id=OTHER_SKILL))
    url = "https://s3.amazonaws.com/echo.api/not-downloaded-for-another-skill.pem"
    rejected(post(client, body, pki.headers(body, cert_url=url)), "another skill")
    assert pki.fetched == []


def test_rejection_is_logged_as_one_line_without_traceback(client, pki, rejected):
    body = body_of(causes_event())
    rejected(post(client, body, {"Content-Type": "application/json"}), "missing")
    response = post(client, body, {"Content-Type": "application/json"})
    records = list(rejected.handler.records)
    assert response.status_code == 400
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert record.exc_info is None and record.levelno == logging.WARNING
    assert "\n" not in record.getMessage()
    assert "missing the SignatureCertChainUrl" in record.getMessage()


# --- certificate download: one deadline, failures are 400 and cached ----------------------------


def test_a_fetcher_that_fails_is_a_400_not_a_500(pki, rejected):
    def broken(url: str) -> bytes:
        raise ConnectionResetError("peer reset the connection")

    verifier = SignatureVerifier(trust_roots=[pki.root], fetch=broken)
    client = create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=verifier
    ).test_client()
    body = body_of(causes_event())
    rejected(post(client, body, pki.headers(body)), "download failed")


def test_failed_download_is_cached_for_a_minute_per_url(pki, rejected):
    now = [datetime.now(UTC)]
    verifier = pki.verifier(clock=lambda: now[0])
    client = create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=verifier
    ).test_client()
    pki.fetched.clear()
    url = "https://s3.amazonaws.com/echo.api/missing-for-a-minute.pem"
    for _ in range(3):
        body = body_of(causes_event())
        rejected(post(client, body, pki.headers(body, cert_url=url)), "nothing published")
    assert pki.fetched == [url]
    now[0] += timedelta(seconds=61)
    rejected(post(client, body, pki.headers(body, cert_url=url)), "nothing published")
    assert pki.fetched == [url, url]
    # Another URL is its own entry; a good one is still answered and cached as before.
    body = body_of(causes_event())
    assert post(client, body, pki.headers(body)).status_code == 200
    assert pki.fetched == [url, url, CERT_URL]


class _FakeS3:
    """A local TLS server for s3.amazonaws.com (certificate from the test PKI) that answers
    each connection with ``behaviour``: serve the chain, 404, or trickle it a byte at a time."""

    def __init__(self, pki: LocalPKI, folder, behaviour: str) -> None:
        import socket
        import ssl
        import threading

        cert = leaf_certificate(pki.key, (pki.intermediate, pki.intermediate_key), domain=S3)
        (folder / "s3.pem").write_bytes(pem(cert, pki.intermediate))
        from cryptography.hazmat.primitives import serialization

        (folder / "s3.key").write_bytes(
            pki.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.context = ssl.create_default_context(cadata=pem(pki.root).decode())
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(folder / "s3.pem", folder / "s3.key")
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()[:2]
        self.connections = 0
        self.chain = pki.published[CERT_URL]
        self.behaviour = behaviour
        self._tls = server_context
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while not self._stop.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(raw,), daemon=True).start()

    def _answer(self, raw) -> None:
        try:
            with self._tls.wrap_socket(raw, server_side=True) as conn:
                conn.recv(65536)
                if self.behaviour == "404":
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    return
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(self.chain)}\r\n\r\n"
                conn.sendall(head.encode())
                if self.behaviour == "serve":
                    conn.sendall(self.chain)
                    return
                for byte in self.chain:  # "trickle": one byte every 50 ms, for minutes
                    if self._stop.wait(0.05):
                        return
                    conn.sendall(bytes([byte]))
        except OSError:
            pass

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


S3 = "s3.amazonaws.com"


@pytest.fixture
def fake_s3(pki, tmp_path):
    servers: list[_FakeS3] = []

    def start(behaviour: str) -> _FakeS3:
        servers.append(_FakeS3(pki, tmp_path, behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_https_fetch_downloads_the_chain_over_tls(fake_s3):
    s3 = fake_s3("serve")
    fetch = HttpsFetch(deadline=2.0, address=s3.address, context=s3.context)
    assert fetch(CERT_URL) == s3.chain


def test_https_fetch_has_one_total_deadline_against_a_trickling_server(fake_s3):
    s3 = fake_s3("trickle")
    fetch = HttpsFetch(deadline=1.0, address=s3.address, context=s3.context)
    started = time.monotonic()
    with pytest.raises(VerificationException, match="longer than 1 s"):
        fetch(CERT_URL)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed  # every single read was quick; the whole was not


def test_https_fetch_refuses_an_answer_that_is_not_200(fake_s3):
    s3 = fake_s3("404")
    with pytest.raises(VerificationException, match="HTTP 404"):
        HttpsFetch(deadline=2.0, address=s3.address, context=s3.context)(CERT_URL)


def test_trickling_certificate_server_costs_one_deadline_then_a_cached_400(pki, fake_s3, rejected):
    s3 = fake_s3("trickle")
    fetch = HttpsFetch(deadline=1.0, address=s3.address, context=s3.context)
    verifier = SignatureVerifier(trust_roots=[pki.root], fetch=fetch)
    client = create_app(
        Settings(skill_id=ev.TEST_SKILL_ID), signature_verifier=verifier
    ).test_client()
    body = body_of(causes_event())
    started = time.monotonic()
    rejected(post(client, body, pki.headers(body)), "longer than 1 s")
    first = time.monotonic() - started
    started = time.monotonic()
    rejected(post(client, body, pki.headers(body)), "cached")
    again = time.monotonic() - started
    assert first < 1.5 and again < 0.5, (first, again)
    assert s3.connections == 1


# --- what a signing certificate must be ---------------------------------------------------------


def signed_with(pki: LocalPKI, name: str, rejected_or_none, client, **leaf_options):
    key = leaf_options.pop("key", pki.key)
    leaf = leaf_certificate(key, (pki.intermediate, pki.intermediate_key), **leaf_options)
    url = publish(pki, name, pem(leaf, pki.intermediate))
    body = body_of(causes_event())
    headers = pki.headers(body, cert_url=url)
    headers[SIGNATURE_HEADER] = pki.signature(body, key=key)
    return post(client, body, headers)


def test_signing_key_under_2048_bits_is_rejected(client, pki, rejected):
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    response = signed_with(pki, "rsa-1024", rejected, client, key=small)
    rejected(response, "bits")


def test_signing_certificate_without_key_usage_is_rejected(client, pki, rejected):
    rejected(signed_with(pki, "no-ku", rejected, client, key_usage=None), "key usage")


def test_signing_certificate_whose_key_usage_cannot_sign_is_rejected(client, pki, rejected):
    from cryptography import x509

    encipher_only = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=True,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    response = signed_with(pki, "ku-no-sign", rejected, client, key_usage=encipher_only)
    rejected(response, "digitalSignature")


@pytest.mark.parametrize(
    "purposes",
    [
        (ExtendedKeyUsageOID.CODE_SIGNING,),
        (ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.TIME_STAMPING),
        (ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,),
    ],
)
def test_signing_certificate_issued_for_another_purpose_is_rejected(
    client, pki, rejected, purposes
):
    name = "eku-" + "-".join(p.dotted_string for p in purposes)
    response = signed_with(pki, name, rejected, client, extended_key_usage=purposes)
    rejected(response, "extended key usage")


@pytest.mark.parametrize(
    "purposes",
    [
        None,  # no EKU at all: Amazon documents none
        (ExtendedKeyUsageOID.CLIENT_AUTH,),
        (ExtendedKeyUsageOID.SERVER_AUTH,),
        (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),  # Amazon's
    ],
)
def test_signing_certificate_with_a_fitting_or_no_eku_is_accepted(client, pki, purposes):
    name = "eku-ok-" + ("none" if purposes is None else "-".join(p.dotted_string for p in purposes))
    response = signed_with(pki, name, None, client, extended_key_usage=purposes)
    assert response.status_code == 200, response.get_data(as_text=True)

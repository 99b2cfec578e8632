"""Proof that a request to the web service was sent by Alexa, checked the way Amazon documents it.

A skill hosted as a web service (rather than on Lambda) must refuse any request it cannot prove
came from Alexa: anyone on the internet can POST to it. Amazon's rules, from "Host a Custom Skill
as a Web Service" (see ``AMAZON_DOCS``):

* ``SignatureCertChainUrl`` must be an ``https`` URL on host ``s3.amazonaws.com`` (any case),
  port 443 if a port is given, whose normalised path starts with ``/echo.api/`` (exact case);
* the PEM chain found there must chain to a trusted root CA, every certificate must be within its
  validity dates, and ``echo-api.amazon.com`` must be among the signing certificate's SANs;
* ``Signature-256`` is the base64 RSA signature (PKCS #1 v1.5, SHA-256) of the raw request body
  under the signing certificate's key;
* the request timestamp must be within 150 seconds of now (an hour for skill events).

Failures raise ``VerificationException``, which flask-ask-sdk's ``SkillAdapter`` turns into
``400 Bad Request``, as Amazon asks. The checks are built on the maintained ``cryptography``
package (its X.509 path validation) instead of ask-sdk-webservice-support 1.3's verifier, whose
``certvalidator``/``oscrypto`` dependency cannot load against OpenSSL 3.0.10 and later. The legacy
SHA-1 ``Signature`` header is deliberately not accepted: Alexa sends ``Signature-256`` with every
request, and a SHA-1 signature proves less.

The trust roots and the certificate fetcher are constructor parameters whose defaults are the
production ones (certifi's Mozilla roots, an HTTPS download); tests pass their own CA and a local
fetcher, so the real signature path runs end to end without Amazon's private key.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier, VerificationException
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from muscle_guide.addressing import envelope_is_for

AMAZON_DOCS = (
    "https://developer.amazon.com/en-US/docs/alexa/custom-skills/"
    "host-a-custom-skill-as-a-web-service.html"
)
CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
CERT_URL_SCHEME = "https"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PORT = 443
CERT_URL_PATH_PREFIX = "/echo.api/"
SIGNING_DOMAIN = "echo-api.amazon.com"
#: Amazon: "no more than 150 seconds"; a longer tolerance fails certification.
TIMESTAMP_TOLERANCE = timedelta(seconds=150)
#: Skill events may be delivered late; Amazon's SDKs allow them an hour.
SKILL_EVENT_TOLERANCE = timedelta(hours=1)
SKILL_EVENTS = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillAccountLinked",
    }
)
#: Amazon's chain is a few kilobytes; anything far larger is not it.
MAX_CHAIN_BYTES = 64 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
#: A validated chain is reused for at most this long (and never past its certificates' expiry),
#: so a busy service does not download and re-validate it on every request.
CHAIN_CACHE_TTL = timedelta(hours=1)
CHAIN_CACHE_SIZE = 8

Clock = Callable[[], datetime]
_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
Fetch = Callable[[str], bytes]


def utc_now() -> datetime:
    return datetime.now(UTC)


def header(headers: Mapping[str, Any] | Any, name: str) -> str | None:
    """A header's value by case-insensitive name, from a dict or a werkzeug header object.

    >>> header({"signature-256": "abc"}, "Signature-256")
    'abc'
    >>> header({}, "Signature-256") is None
    True
    """
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def check_cert_url(url: str) -> str:
    """Apply Amazon's rules to a ``SignatureCertChainUrl``; return the canonical URL to fetch.

    The URL fetched is rebuilt from the checked parts, so nothing that slipped past a parser
    (user info, odd ports, fragments) can steer the download elsewhere.

    >>> check_cert_url("https://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert.pem")
    'https://s3.amazonaws.com/echo.api/echo-api-cert.pem'
    >>> check_cert_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem")
    Traceback (most recent call last):
    ...
    ask_sdk_webservice_support.verifier.VerificationException: certificate URL path must start \
with /echo.api/
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise VerificationException(f"certificate URL is malformed: {error}") from None
    if parts.scheme.lower() != CERT_URL_SCHEME:
        raise VerificationException("certificate URL scheme must be https")
    if (parts.hostname or "").lower() != CERT_URL_HOST or parts.username or parts.password:
        raise VerificationException(f"certificate URL host must be {CERT_URL_HOST}")
    if port is not None and port != CERT_URL_PORT:
        raise VerificationException(f"certificate URL port must be {CERT_URL_PORT}")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_URL_PATH_PREFIX) or path.startswith("//"):
        raise VerificationException(f"certificate URL path must start with {CERT_URL_PATH_PREFIX}")
    query = f"?{parts.query}" if parts.query else ""
    return f"{CERT_URL_SCHEME}://{CERT_URL_HOST}{path}{query}"


def fetch_https(url: str) -> bytes:
    """Download a certificate chain: no redirects (they could leave Amazon's bucket), bounded."""
    import requests

    try:
        with requests.get(
            url, timeout=FETCH_TIMEOUT_SECONDS, allow_redirects=False, stream=True
        ) as reply:
            if reply.status_code != 200:
                raise VerificationException(f"certificate download failed: {reply.status_code}")
            body = reply.raw.read(MAX_CHAIN_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise VerificationException(f"certificate download failed: {error}") from None
    if len(body) > MAX_CHAIN_BYTES:
        raise VerificationException("certificate chain is too large")
    return body


def default_trust_roots() -> list[x509.Certificate]:
    """The Mozilla root programme's CAs, as shipped by certifi (Amazon's roots are among them).

    Loaded one by one: a few old roots (Starfield's among them, which cross-signs Amazon's) have
    non-positive serial numbers, which ``cryptography`` warns about today and may refuse later; a
    refused root is skipped rather than taking the whole store down with it.
    """
    import certifi

    roots = []
    for block in _PEM_BLOCK.findall(certifi.contents()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(block.encode("ascii")))
            except ValueError:
                continue
    return roots


#: The signing certificate is held to the Web PKI profile (what browsers accept for a site), with
#: one relaxation: Amazon documents no extended key usage for it, so none is demanded.
def _leaf_policy() -> ExtensionPolicy:
    return ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None
    )


@dataclass(frozen=True)
class _Trusted:
    key: RSAPublicKey
    expires: datetime


class SignatureVerifier(AbstractVerifier):
    """Checks ``Signature-256`` against the certificate chain named by ``SignatureCertChainUrl``.

    ``trust_roots`` and ``fetch`` exist for tests (a local CA and a local certificate source);
    production leaves them at their defaults. Validated chains are cached per URL, bounded in count
    and age, and thread-safe for threaded WSGI servers.
    """

    def __init__(
        self,
        *,
        trust_roots: Sequence[x509.Certificate] | None = None,
        fetch: Fetch = fetch_https,
        clock: Clock = utc_now,
    ) -> None:
        self._roots = list(trust_roots) if trust_roots is not None else None
        self._store: Store | None = None
        self._fetch = fetch
        self._clock = clock
        self._cache: OrderedDict[str, _Trusted] = OrderedDict()
        self._lock = threading.Lock()

    def verify(
        self,
        headers: Mapping[str, Any] | Any,
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        cert_url = header(headers, CERT_URL_HEADER)
        signature = header(headers, SIGNATURE_HEADER)
        if not cert_url or not signature:
            raise VerificationException(
                f"request is missing the {CERT_URL_HEADER} or {SIGNATURE_HEADER} header"
            )
        key = self._signing_key(check_cert_url(cert_url))
        try:
            asserted = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise VerificationException("signature is not base64") from None
        try:
            key.verify(asserted, serialized_request_env.encode("utf-8"), PKCS1v15(), SHA256())
        except InvalidSignature:
            raise VerificationException("signature does not match the request body") from None

    def _signing_key(self, url: str) -> RSAPublicKey:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and now < cached.expires:
                self._cache.move_to_end(url)
                return cached.key
        trusted = self._validate(self._fetch(url), now)
        with self._lock:
            self._cache[url] = trusted
            self._cache.move_to_end(url)
            while len(self._cache) > CHAIN_CACHE_SIZE:
                self._cache.popitem(last=False)
        return trusted.key

    def _trust_store(self) -> Store:
        if self._store is None:
            self._store = Store(self._roots if self._roots is not None else default_trust_roots())
        return self._store

    def _validate(self, pem: bytes, now: datetime) -> _Trusted:
        """Amazon's certificate checks, on top of full RFC 5280 path validation."""
        if len(pem) > MAX_CHAIN_BYTES:
            raise VerificationException("certificate chain is too large")
        try:
            certificates = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationException("certificate chain is not PEM") from None
        leaf, *intermediates = certificates
        verifier = (
            PolicyBuilder()
            .store(self._trust_store())
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=_leaf_policy()
            )
            .build_server_verifier(x509.DNSName(SIGNING_DOMAIN))
        )
        try:
            chain = verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise VerificationException(f"certificate chain is not trusted: {error}") from None
        # Path validation already enforces these; they are repeated literally, as Amazon words them.
        for certificate in chain:
            if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
                raise VerificationException("certificate chain has an expired certificate")
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            raise VerificationException("signing certificate has no SAN") from None
        if SIGNING_DOMAIN not in {name.lower() for name in names.get_values_for_type(x509.DNSName)}:
            raise VerificationException(f"{SIGNING_DOMAIN} is not in the signing certificate")
        try:
            usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
            if not usage.digital_signature:
                raise VerificationException("signing certificate may not sign")
        except x509.ExtensionNotFound:
            pass
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise VerificationException("signing certificate key is not RSA")
        expires = min([now + CHAIN_CACHE_TTL, *(c.not_valid_after_utc for c in chain)])
        return _Trusted(key=key, expires=expires)


class TimestampVerifier(AbstractVerifier):
    """Refuses requests stamped more than 150 seconds from now, so captured ones can't be replayed.

    The timestamp is inside the signed body, so it can't be changed without breaking the signature.
    """

    def __init__(self, tolerance: timedelta = TIMESTAMP_TOLERANCE, clock: Clock = utc_now) -> None:
        if tolerance > TIMESTAMP_TOLERANCE or tolerance < timedelta(0):
            raise ValueError(f"tolerance must be between 0 and {TIMESTAMP_TOLERANCE}")
        self._tolerance = tolerance
        self._clock = clock

    def verify(
        self,
        headers: Mapping[str, Any] | Any,
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        request = getattr(deserialized_request_env, "request", None)
        stamp = getattr(request, "timestamp", None)
        if not isinstance(stamp, datetime):
            raise VerificationException("request has no timestamp")
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        kind = getattr(request, "object_type", None)
        allowed = SKILL_EVENT_TOLERANCE if kind in SKILL_EVENTS else self._tolerance
        drift = abs(self._clock() - stamp)
        if drift > allowed:
            raise VerificationException(
                f"request timestamp is {drift.total_seconds():.0f} s from now "
                f"(at most {allowed.total_seconds():.0f} s allowed)"
            )


class SkillIdVerifier(AbstractVerifier):
    """Refuses requests addressed to another skill with a 400, before the skill runs.

    The rule is ``muscle_guide.addressing``'s, the one the Lambda handler uses too; checking it
    here makes a request for another skill a 400 (the caller's error), before the skill runs.
    """

    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def verify(
        self,
        headers: Mapping[str, Any] | Any,
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        if not envelope_is_for(self._skill_id, deserialized_request_env):
            raise VerificationException("request is for another skill")

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
import contextlib
import http.client
import posixpath
import re
import socket
import ssl
import threading
import time
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
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from muscle_guide.addressing import envelope_is_for

from .body import WATCHDOG

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
#: One deadline for the whole certificate download: connect, TLS handshake and every read.
FETCH_DEADLINE_SECONDS = 5.0
#: A failed download is remembered this long per URL, so a bad URL is not fetched per request.
FAILURE_CACHE_TTL = timedelta(seconds=60)
FAILURE_CACHE_SIZE = 256
#: NIST SP 800-57 and the CA/Browser Forum's baseline: no RSA key under 2048 bits.
MIN_RSA_BITS = 2048
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


#: A path Alexa sends, character for character: no percent escapes, no dot segments, no empty
#: segments, no query or fragment. Anything else would be checked in one form and could be
#: fetched (or decoded by S3) in another.
_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
_CERT_PATH = re.compile(rf"/echo\.api/{_SEGMENT}(?:/{_SEGMENT})*")


def check_cert_url(url: str) -> str:
    """Apply Amazon's rules to a ``SignatureCertChainUrl``; return the URL to fetch.

    The path is taken exactly as given and must already be in normal form: a percent escape
    (``%2e%2e``, ``%2f``), a dot segment (``/./``, ``/../``), an empty segment, a query or a
    fragment is refused rather than normalised, so the URL checked is the URL requested. Only
    what RFC 3986 makes equivalent is folded: the case of scheme and host, and an explicit
    ``:443``.

    >>> check_cert_url("HTTPS://S3.amazonaws.com:443/echo.api/echo-api-cert.pem")
    'https://s3.amazonaws.com/echo.api/echo-api-cert.pem'
    >>> check_cert_url("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem")
    Traceback (most recent call last):
    ...
    ask_sdk_webservice_support.verifier.VerificationException: certificate URL path must be \
/echo.api/ and a plain file path, as given (no dot segments or percent escapes)
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationException(f"certificate URL is malformed: {error}") from None
    if parts.scheme.lower() != CERT_URL_SCHEME:
        raise VerificationException("certificate URL scheme must be https")
    if (parts.hostname or "").lower() != CERT_URL_HOST or "@" in parts.netloc:
        raise VerificationException(f"certificate URL host must be {CERT_URL_HOST}")
    if port is not None and port != CERT_URL_PORT:
        raise VerificationException(f"certificate URL port must be {CERT_URL_PORT}")
    path = parts.path
    segments = path.split("/")
    if (
        not _CERT_PATH.fullmatch(path)
        or any(segment in (".", "..") for segment in segments)
        or posixpath.normpath(path) != path
        or "?" in url
        or "#" in url
        or url != url.strip()
    ):
        raise VerificationException(
            f"certificate URL path must be {CERT_URL_PATH_PREFIX} and a plain file path, as given "
            "(no dot segments or percent escapes)"
        )
    return f"{CERT_URL_SCHEME}://{CERT_URL_HOST}{path}"


class HttpsFetch:
    """Downloads a certificate chain with ONE total deadline for connect, TLS and every read.

    The process's watchdog (``body.WATCHDOG``) shuts the socket down when the deadline passes,
    so a server that trickles bytes cannot hold the thread longer than ``deadline`` seconds
    (per-read timeouts would let it, one slow byte at a time); name resolution is the one step
    it cannot interrupt, and is left to the system resolver's own timeouts. No redirects are
    followed (they could leave Amazon's bucket), and at most ``MAX_CHAIN_BYTES`` are read.
    ``address`` and ``context`` exist for tests: a local TLS server standing in for S3, and a
    context that trusts its test root.

    >>> HttpsFetch(deadline=2.0).deadline
    2.0
    """

    def __init__(
        self,
        deadline: float = FETCH_DEADLINE_SECONDS,
        *,
        address: tuple[str, int] | None = None,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.deadline = deadline
        self._address = address
        self._context = context

    def __call__(self, url: str) -> bytes:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or CERT_URL_PORT
        context = self._context or ssl.create_default_context(cafile=_certifi_where())
        expired = threading.Event()
        connection = _Connection(
            host,
            port,
            address=self._address,
            expired=expired,
            timeout=self.deadline,
            context=context,
        )

        def cut() -> None:
            expired.set()
            sock = connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

        started = time.monotonic()
        entry = WATCHDOG.arm(self.deadline, cut)
        try:
            connection.request(
                "GET",
                parts.path,
                headers={"Accept-Encoding": "identity", "Connection": "close"},
            )
            reply = connection.getresponse()
            if reply.status != 200:
                raise VerificationException(f"certificate download failed: HTTP {reply.status}")
            body = b""
            while len(body) <= MAX_CHAIN_BYTES:
                chunk = reply.read1(MAX_CHAIN_BYTES + 1 - len(body))
                if not chunk:
                    break
                body += chunk
                if expired.is_set():
                    break
        except VerificationException:
            raise
        except (OSError, http.client.HTTPException, ValueError) as error:
            if expired.is_set():
                raise VerificationException(
                    f"certificate download took longer than {self.deadline:g} s"
                ) from None
            raise VerificationException(f"certificate download failed: {error}") from None
        finally:
            WATCHDOG.cancel(entry)
            connection.close()
        if expired.is_set() or time.monotonic() - started > self.deadline:
            raise VerificationException(
                f"certificate download took longer than {self.deadline:g} s"
            )
        if len(body) > MAX_CHAIN_BYTES:
            raise VerificationException("certificate chain is too large")
        return body


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection that gives up once ``expired`` is set, and whose TCP peer may differ
    from the host it checks (``address``, tests only)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        address: tuple[str, int] | None,
        expired: threading.Event,
        **options: Any,
    ) -> None:
        super().__init__(host, port, **options)
        self._peer = address or (host, port)
        self._expired = expired

    def connect(self) -> None:
        self.sock = socket.create_connection(self._peer, self.timeout)
        if self._expired.is_set():  # the deadline passed while connecting: nothing to cut yet
            raise TimeoutError("deadline passed while connecting")
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _certifi_where() -> str:
    import certifi

    return certifi.where()


#: The production certificate source.
fetch_https = HttpsFetch()


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


#: Extended key usages that fit the signing certificate. Amazon documents none, and its
#: echo-api.amazon.com certificate (an Amazon Trust Services TLS certificate) carries
#: serverAuth and clientAuth; a certificate whose EKU names neither was issued for something
#: else (code or e-mail signing, timestamping) and is refused.
FITTING_EKUS = frozenset({ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH})


@dataclass(frozen=True)
class _Trusted:
    key: RSAPublicKey
    expires: datetime


@dataclass(frozen=True)
class _Failed:
    reason: str
    expires: datetime


def signature_headers(headers: Mapping[str, Any] | Any) -> tuple[str, str]:
    """The certificate URL (checked, as it will be fetched) and the signature, or a rejection.

    Cheap: no download. ``SignatureHeadersVerifier`` runs it first, before the timestamp and
    skill-id checks, and ``SignatureVerifier`` again before it downloads anything.
    """
    cert_url = header(headers, CERT_URL_HEADER)
    signature = header(headers, SIGNATURE_HEADER)
    if not cert_url or not signature:
        raise VerificationException(
            f"request is missing the {CERT_URL_HEADER} or {SIGNATURE_HEADER} header"
        )
    return check_cert_url(cert_url), signature


class SignatureHeadersVerifier(AbstractVerifier):
    """Refuses a request without both signature headers or with a certificate URL that breaks
    Amazon's rules: the first, cheapest check, so nothing costly runs for such a request."""

    def verify(
        self,
        headers: Mapping[str, Any] | Any,
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        signature_headers(headers)


class SignatureVerifier(AbstractVerifier):
    """Checks ``Signature-256`` against the certificate chain named by ``SignatureCertChainUrl``.

    ``trust_roots`` and ``fetch`` exist for tests (a local CA and a local certificate source);
    production leaves them at their defaults. Validated chains are cached per URL, bounded in count
    and age; failed downloads or validations are cached per URL for ``FAILURE_CACHE_TTL``; both
    are thread-safe for threaded WSGI servers, and one download per URL runs at a time.
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
        self._failed: OrderedDict[str, _Failed] = OrderedDict()
        self._lock = threading.Lock()
        self._download_lock = threading.Lock()

    def verify(
        self,
        headers: Mapping[str, Any] | Any,
        serialized_request_env: str,
        deserialized_request_env: RequestEnvelope | None,
    ) -> None:
        url, signature = signature_headers(headers)
        try:
            asserted = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise VerificationException("signature is not base64") from None
        key = self._signing_key(url)
        try:
            key.verify(asserted, serialized_request_env.encode("utf-8"), PKCS1v15(), SHA256())
        except InvalidSignature:
            raise VerificationException("signature does not match the request body") from None

    def _cached(self, url: str, now: datetime) -> RSAPublicKey | None:
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and now < cached.expires:
                self._cache.move_to_end(url)
                return cached.key
            failed = self._failed.get(url)
            if failed is not None and now < failed.expires:
                raise VerificationException(f"{failed.reason} (cached)")
        return None

    def _signing_key(self, url: str) -> RSAPublicKey:
        key = self._cached(url, self._clock())
        if key is not None:
            return key
        # One download at a time: concurrent requests for a URL wait for the first one's result
        # (and its cache entry) instead of each opening a connection of their own.
        with self._download_lock:
            now = self._clock()
            key = self._cached(url, now)
            if key is not None:
                return key
            try:
                trusted = self._validate(self._download(url), now)
            except VerificationException as error:
                with self._lock:
                    self._failed[url] = _Failed(str(error), now + FAILURE_CACHE_TTL)
                    self._failed.move_to_end(url)
                    while len(self._failed) > FAILURE_CACHE_SIZE:
                        self._failed.popitem(last=False)
                raise
            with self._lock:
                self._failed.pop(url, None)
                self._cache[url] = trusted
                self._cache.move_to_end(url)
                while len(self._cache) > CHAIN_CACHE_SIZE:
                    self._cache.popitem(last=False)
            return trusted.key

    def _download(self, url: str) -> bytes:
        """The chain at ``url``; any failure of the fetcher is a rejection (400), never a 500."""
        try:
            return self._fetch(url)
        except VerificationException:
            raise
        except Exception as error:
            raise VerificationException(f"certificate download failed: {error}") from None

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
        check_signing_usage(leaf)
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise VerificationException("signing certificate key is not RSA")
        if key.key_size < MIN_RSA_BITS:
            raise VerificationException(
                f"signing certificate key has {key.key_size} bits (at least {MIN_RSA_BITS})"
            )
        expires = min([now + CHAIN_CACHE_TTL, *(c.not_valid_after_utc for c in chain)])
        return _Trusted(key=key, expires=expires)


def check_signing_usage(leaf: x509.Certificate) -> None:
    """A signing certificate must say it may sign (key usage ``digitalSignature``, required), and
    an extended key usage, if it has one, must include serverAuth or clientAuth (``FITTING_EKUS``).
    """
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise VerificationException("signing certificate has no key usage") from None
    if not usage.digital_signature:
        raise VerificationException("signing certificate key usage lacks digitalSignature")
    try:
        purposes = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return
    if not purposes & FITTING_EKUS:
        raise VerificationException(
            "signing certificate extended key usage has neither serverAuth nor clientAuth"
        )


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

"""A private stand-in for Amazon's request signing: a local root CA, an intermediate, a signing
certificate for echo-api.amazon.com, and its key, all made here with ``cryptography``.

The verifier is pointed at this root and served this chain through its constructor parameters,
so the production path (certifi's roots, a download from S3) is never configured by tests. The load
test runs the web service under gunicorn with the same trust through ``signed_app``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from muscle_guide_webservice.verification import (
    CERT_URL_HEADER,
    SIGNATURE_HEADER,
    SIGNING_DOMAIN,
    SignatureVerifier,
)

#: A URL that passes Amazon's rules; the test fetcher serves the local chain for it.
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
PKI_DIR_ENV = "MUSCLE_GUIDE_TEST_PKI"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Muscle Guide Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ca_certificate(
    key: rsa.RSAPrivateKey,
    name: str,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
) -> x509.Certificate:
    """A CA certificate: self-signed root, or an intermediate signed by ``issuer``."""
    now = datetime.now(UTC)
    issuer_name = issuer[0].subject if issuer else _name(name)
    signer = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


#: Amazon's signing certificate's key usage: digital signature and key encipherment.
SIGNING_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=True,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
#: ... and its extended key usage: TLS server and client authentication.
SIGNING_EKU = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
_DEFAULT: Any = object()


def leaf_certificate(
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    domain: str = SIGNING_DOMAIN,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key_usage: x509.KeyUsage | None = _DEFAULT,
    extended_key_usage: Sequence[x509.ObjectIdentifier] | None = _DEFAULT,
) -> x509.Certificate:
    """A signing certificate like Amazon's: SAN ``domain``, digital signature usage.

    ``key_usage`` and ``extended_key_usage`` replace Amazon's (``None`` leaves the extension
    out), for tests of certificates that were issued for something else.
    """
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(domain))
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    usage = SIGNING_KEY_USAGE if key_usage is _DEFAULT else key_usage
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    purposes = SIGNING_EKU if extended_key_usage is _DEFAULT else extended_key_usage
    if purposes is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(purposes)), critical=False)
    return builder.sign(issuer[1], hashes.SHA256())


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@dataclass
class LocalPKI:
    """Root, intermediate, signing certificate and key, and the chain Alexa would publish."""

    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    key: rsa.RSAPrivateKey
    #: What the local "S3" serves, by URL; tests add entries for broken chains.
    published: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    @classmethod
    def create(cls) -> LocalPKI:
        root_key, intermediate_key, key = new_key(), new_key(), new_key()
        root = ca_certificate(root_key, "Muscle Guide Test Root CA")
        intermediate = ca_certificate(
            intermediate_key, "Muscle Guide Test Intermediate CA", issuer=(root, root_key)
        )
        leaf = leaf_certificate(key, (intermediate, intermediate_key))
        pki = cls(root, intermediate, intermediate_key, leaf, key)
        pki.published[CERT_URL] = pem(leaf, intermediate)
        return pki

    def fetch(self, url: str) -> bytes:
        """The verifier's certificate source: only what this PKI published."""
        self.fetched.append(url)
        if url not in self.published:
            from ask_sdk_webservice_support.verifier import VerificationException

            raise VerificationException(f"nothing published at {url}")
        return self.published[url]

    def verifier(self, **options: Any) -> SignatureVerifier:
        return SignatureVerifier(trust_roots=[self.root], fetch=self.fetch, **options)

    def signature(self, body: bytes, key: rsa.RSAPrivateKey | None = None) -> str:
        raw = (key or self.key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode("ascii")

    def headers(self, body: bytes, cert_url: str = CERT_URL) -> dict[str, str]:
        """The headers Alexa sends with a signed request."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            CERT_URL_HEADER: cert_url,
            SIGNATURE_HEADER: self.signature(body),
        }

    def save(self, folder: Path) -> None:
        """Write root, chain and key for another process (the load test's gunicorn server)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root.pem").write_bytes(pem(self.root))
        (folder / "chain.pem").write_bytes(self.published[CERT_URL])
        (folder / "key.pem").write_bytes(
            self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def body_of(event: dict[str, Any]) -> bytes:
    """An envelope serialised the way Alexa sends it: compact UTF-8 JSON."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_app() -> Any:
    """The web service with verification on, trusting the test root saved in $MUSCLE_GUIDE_TEST_PKI.

    For gunicorn in the load test only: ``gunicorn --pythonpath tests 'signing:signed_app()'``.
    """
    from muscle_guide.config import Settings
    from muscle_guide_simulator.envelopes import TEST_SKILL_ID
    from muscle_guide_webservice.app import create_app

    folder = Path(os.environ[PKI_DIR_ENV])
    root = x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())
    chain = (folder / "chain.pem").read_bytes()

    def fetch(url: str) -> bytes:
        return chain

    settings = Settings.from_env()
    if not settings.skill_id:  # the load test's envelopes are addressed to the test skill
        settings = settings._replace(skill_id=TEST_SKILL_ID)
    return create_app(
        settings, signature_verifier=SignatureVerifier(trust_roots=[root], fetch=fetch)
    )


@lru_cache(maxsize=1)
def shared_pki() -> LocalPKI:
    """One PKI per test process: RSA key generation is the slow part, so it is done once."""
    return LocalPKI.create()

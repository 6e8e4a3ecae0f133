"""Real TLS material for the lab and the tests (cryptography): a CA, leaf certificates, PEM bundles."""
from __future__ import annotations

import datetime as _dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class Issued:
    cert: x509.Certificate
    key: object

    @property
    def cert_pem(self) -> bytes:
        return cert_pem(self.cert)

    @property
    def key_pem(self) -> bytes:
        return key_pem(self.key)


class CA:
    """A throw-away certificate authority; `issue()` makes server certificates it signs."""

    def __init__(self, name: str = "fsnb lab CA"):
        self.key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _dt.datetime.now(_dt.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + _dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))

    @property
    def cert_pem(self) -> bytes:
        return cert_pem(self.cert)

    def issue(self, names: list[str], days: int = 825, not_before_days: int = 1, cn: str | None = None) -> Issued:
        """A server certificate for DNS names / IP addresses; negative `days` makes an expired one."""
        key = _key()
        now = _dt.datetime.now(_dt.timezone.utc)
        sans = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        start = now - _dt.timedelta(days=not_before_days)
        end = now + _dt.timedelta(days=days) if days > 0 else now + _dt.timedelta(days=days)
        if end <= start:
            start = end - _dt.timedelta(days=30)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn or names[0])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(self.key, hashes.SHA256()))
        return Issued(cert, key)


def wss_pem(leaf: Issued, ca: CA | None = None, variant: str = "good") -> bytes:
    """A wss.pem as an operator might build it; variants reproduce the fixtures 304a-c."""
    if variant == "good":          # key, leaf, chain: FreeSWITCH's documented order
        return leaf.key_pem + leaf.cert_pem + (ca.cert_pem if ca else b"")
    if variant == "cert-only":     # 304a
        return leaf.cert_pem
    if variant == "wrong-key":     # 304b
        return _key_pem_other() + leaf.cert_pem
    if variant == "ca-first":      # 304c2
        assert ca is not None
        return ca.cert_pem + leaf.cert_pem + leaf.key_pem
    if variant == "key-after":     # 304c3 control: leaf, CA, key works
        return leaf.cert_pem + (ca.cert_pem if ca else b"") + leaf.key_pem
    raise ValueError(f"unknown wss.pem variant {variant!r}")


def _key_pem_other() -> bytes:
    return key_pem(_key())

"""wss.pem as FreeSWITCH loads it: key and certificate(s) in one file; the first certificate is the leaf."""
from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s.*?-----END \1-----", re.S)


@dataclass
class PemReport:
    blocks: list[str]
    problems: list[str] = field(default_factory=list)     # make FreeSWITCH reject it ("Bad WSS.PEM")
    warnings: list[str] = field(default_factory=list)     # browsers/clients may refuse it
    subject: str = ""
    issuer: str = ""
    not_after: str = ""
    sans: list[str] = field(default_factory=list)
    self_signed_freeswitch: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def analyse(pem: str, hostnames: list[str], now: _dt.datetime | None = None) -> PemReport:
    now = now or _dt.datetime.now(_dt.timezone.utc)
    blocks = [(m.group(1), m.group(0)) for m in _BLOCK.finditer(pem)]
    rep = PemReport([b[0] for b in blocks])
    certs = [b for b in blocks if b[0] == "CERTIFICATE"]
    keys = [b for b in blocks if "PRIVATE KEY" in b[0]]
    if not certs:
        rep.problems.append("no CERTIFICATE block")
    if not keys:
        rep.problems.append("no PRIVATE KEY block (FreeSWITCH: 'Bad WSS.PEM certificate.')")
    if "ENCRYPTED PRIVATE KEY" in rep.blocks:
        rep.problems.append("the private key is encrypted (FreeSWITCH cannot read it)")
    if not certs:
        return rep
    try:
        leaf = x509.load_pem_x509_certificate(certs[0][1].encode())
    except ValueError as exc:
        rep.problems.append(f"first certificate unreadable: {exc}")
        return rep
    rep.subject, rep.issuer = leaf.subject.rfc4514_string(), leaf.issuer.rfc4514_string()
    rep.not_after = leaf.not_valid_after_utc.isoformat()
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        rep.sans = [str(n) for n in san.get_values_for_type(x509.DNSName)] + \
                   [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        rep.sans = []
    cn = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    rep.self_signed_freeswitch = bool(cn and cn[0].value == "FreeSWITCH" and leaf.issuer == leaf.subject)
    if keys and "ENCRYPTED" not in keys[0][0]:
        try:
            key = serialization.load_pem_private_key(keys[0][1].encode(), password=None)
            same = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
                leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            if not same:
                matches_later = any(
                    x509.load_pem_x509_certificate(c[1].encode()).public_key().public_bytes(
                        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) ==
                    key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
                    for c in certs[1:])
                rep.problems.append("the key belongs to a later certificate: the leaf must come first (CA first?)"
                                    if matches_later else "the key does not match the first certificate (key of another certificate)")
        except (ValueError, TypeError) as exc:
            rep.problems.append(f"private key unreadable: {exc}")
    if leaf.not_valid_after_utc < now:
        rep.problems.append(f"certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d}")
    elif leaf.not_valid_before_utc > now:
        rep.problems.append(f"certificate not valid before {leaf.not_valid_before_utc:%Y-%m-%d}")
    if rep.self_signed_freeswitch:
        rep.warnings.append("self-signed CN=FreeSWITCH: FreeSWITCH generated it because no wss.pem was found here")
    uncovered = [h for h in hostnames if h and not _covered(h, rep.sans)]
    if uncovered:
        rep.warnings.append(f"SAN does not cover {', '.join(uncovered)}")
    return rep


def _covered(host: str, sans: list[str]) -> bool:
    try:
        ipaddress.ip_address(host)
        return host in sans
    except ValueError:
        pass
    for s in sans:
        if s == host or (s.startswith("*.") and host.split(".", 1)[-1] == s[2:]):
            return True
    return False

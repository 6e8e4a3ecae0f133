"""wss.pem as FreeSWITCH loads it: key and certificate(s) in one file; the first certificate is the leaf.

The file comes from the target and may be hostile: it is size-capped (MAX_PEM), its blocks are found in one
linear pass over its lines (no regex backtracking: 336 KB of `-----BEGIN CERTIFICATE-----` lines used to take
~25 s), and certificates and keys are read by cryptography's own PEM parsers. `analyse_async` runs it off the event
loop under a deadline.
"""
from __future__ import annotations

import datetime as _dt
import ipaddress
from dataclasses import dataclass, field

from fsnb.i18n import T

MAX_PEM = 1024 * 1024          # a key and a chain are a few KB
MAX_KEY_PEM = 8 * 1024         # one private key block (an RSA-16384 key took 29 s to validate)
MAX_BLOCKS = 64                # certificates and keys read at most


def pem_blocks(pem: str) -> tuple[list[tuple[str, str]], int]:
    """(label, block text) of each complete `-----BEGIN X----- … -----END X-----` block, in order, found in one
    pass over the lines; and how many blocks were left unread past MAX_BLOCKS. A BEGIN inside an open block
    restarts it (as OpenSSL's reader does); an unterminated block is dropped."""
    out: list[tuple[str, str]] = []
    skipped = 0
    # a file saved by a Windows editor starts with a UTF-8 BOM: OpenSSL (and FreeSWITCH) read past it (seen)
    pem = pem.removeprefix("\ufeff")
    label, start, lines = None, 0, pem.split("\n")
    pos = 0
    for line in lines:
        s = line.strip()
        if s.startswith("-----BEGIN ") and s.endswith("-----") and len(s) > 16:
            label, start = s[11:-5], pos
        elif label is not None and s == f"-----END {label}-----":
            if len(out) < MAX_BLOCKS:
                out.append((label, pem[start:pos + len(line)]))
            else:
                skipped += 1
            label = None
        pos += len(line) + 1
    return out, skipped


@dataclass
class PemReport:
    blocks: list[str]
    problems: list[T] = field(default_factory=list)     # make FreeSWITCH reject it ("Bad WSS.PEM") or clients refuse it
    warnings: list[T] = field(default_factory=list)     # browsers/clients may refuse it
    subject: str = ""
    issuer: str = ""
    not_after: str = ""
    not_before: str = ""
    validity: str | None = None        # ok | expired | not-yet-valid (FreeSWITCH loads it anyway; clients refuse)
    sans: list[str] = field(default_factory=list)
    self_signed_freeswitch: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unusable(self) -> bool:
        """FreeSWITCH itself refuses it ('Bad WSS.PEM certificate.'): every problem but the validity dates."""
        return len(self.problems) > (self.validity not in (None, "ok"))


def analyse(pem: str, hostnames: list[str], now: _dt.datetime | None = None) -> PemReport:
    """What FreeSWITCH and clients make of `pem` today: the file's facts judged
    against the clock and the host names clients dial."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if len(pem) > MAX_PEM:
        return PemReport([], problems=[f"wss.pem holds {len(pem)} characters, more than the {MAX_PEM} fsnb reads "
                                       "(a key and its chain are a few KB): not analysed"])
    f = read(pem)
    rep = PemReport(list(f["blocks"]), problems=[T(*p) for p in f["problems"]], warnings=[T(*w) for w in f["warnings"]],
                    subject=f["subject"], issuer=f["issuer"], not_after=f["not_after"], not_before=f["not_before"],
                    sans=list(f["sans"]), self_signed_freeswitch=f["self_signed_freeswitch"])
    if not f["leaf"]:
        return rep
    not_after, not_before = _dt.datetime.fromisoformat(f["not_after"]), _dt.datetime.fromisoformat(f["not_before"])
    rep.validity = "ok"
    if not_after < now:
        rep.validity = "expired"
        rep.problems.append(T(f"Zertifikat abgelaufen am {not_after:%Y-%m-%d}", f"certificate expired on {not_after:%Y-%m-%d}"))
    elif not_before > now:
        rep.validity = "not-yet-valid"
        rep.problems.append(T(f"Zertifikat erst gültig ab {not_before:%Y-%m-%d}",
                               f"certificate not valid before {not_before:%Y-%m-%d}"))
    if rep.self_signed_freeswitch:
        rep.warnings.append(T("selbstsigniert CN=FreeSWITCH: FreeSWITCH hat es erzeugt, weil hier kein wss.pem lag",
                               "self-signed CN=FreeSWITCH: FreeSWITCH generated it because no wss.pem was found here"))
    uncovered = [h for h in hostnames if h and not _covered(h, rep.sans)]
    if uncovered:
        rep.warnings.append(T(f"SAN deckt {', '.join(uncovered)} nicht ab", f"SAN does not cover {', '.join(uncovered)}"))
    return rep


def read(pem: str) -> dict:
    """The facts of a PEM text that depend on its bytes only (JSON-able: texts as [de, en]): its blocks, what
    makes FreeSWITCH reject it, the leaf's names and dates. cryptography reads the certificates and the key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    blocks, skipped = pem_blocks(pem)
    problems: list[T] = []
    f = {"blocks": [b[0] for b in blocks], "problems": problems, "warnings": [], "subject": "", "issuer": "",
         "not_after": "", "not_before": "", "sans": [], "self_signed_freeswitch": False, "leaf": False}
    if skipped:
        f["warnings"].append(T(f"{skipped} weitere PEM-Blöcke nach den ersten {MAX_BLOCKS} nicht gelesen",
                               f"{skipped} more PEM blocks after the first {MAX_BLOCKS} were not read"))
    certs = [b for b in blocks if b[0] == "CERTIFICATE"]
    keys = [b for b in blocks if "PRIVATE KEY" in b[0]]
    if not certs:
        problems.append(T("kein CERTIFICATE-Block", "no CERTIFICATE block"))
    if not keys:
        problems.append(T("kein PRIVATE-KEY-Block (FreeSWITCH: 'Bad WSS.PEM certificate.')",
                          "no PRIVATE KEY block (FreeSWITCH: 'Bad WSS.PEM certificate.')"))
    if "ENCRYPTED PRIVATE KEY" in f["blocks"]:
        problems.append(T("der private Schlüssel ist verschlüsselt (FreeSWITCH kann ihn nicht lesen)",
                          "the private key is encrypted (FreeSWITCH cannot read it)"))
    if not certs:
        return _jsonable(f)
    import warnings
    try:   # cryptography reads the PEM list; the first one is the leaf
        # what cryptography warns about (e.g. a negative serial number, as in certificates FreeSWITCH generated
        # itself) is a finding about the file, not a line on the operator's stderr
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chain = x509.load_pem_x509_certificates("\n".join(c[1] for c in certs).encode())
        for w in caught[:4]:
            msg = str(w.message)[:300]
            f["warnings"].append(T(f"cryptography warnt: {msg}", f"cryptography warns: {msg}"))
        leaf = chain[0]
    except ValueError as exc:
        try:
            x509.load_pem_x509_certificate(certs[0][1].encode())
            problems.append(T(f"ein späteres Zertifikat ist unlesbar: {exc}", f"a later certificate is unreadable: {exc}"))
        except ValueError as exc0:
            problems.append(T(f"erstes Zertifikat unlesbar: {exc0}", f"first certificate unreadable: {exc0}"))
        return _jsonable(f)
    f["leaf"] = True
    f["subject"], f["issuer"] = leaf.subject.rfc4514_string(), leaf.issuer.rfc4514_string()
    f["not_after"] = leaf.not_valid_after_utc.isoformat()
    f["not_before"] = leaf.not_valid_before_utc.isoformat()
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        f["sans"] = [str(n) for n in san.get_values_for_type(x509.DNSName)] + \
                    [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    cn = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    f["self_signed_freeswitch"] = bool(cn and cn[0].value == "FreeSWITCH" and leaf.issuer == leaf.subject)
    bits = _weak_key_bits(leaf)
    if bits:    # OpenSSL 3 at security level 2 (Debian/Ubuntu's default) refuses it: 'ee key too small' → Bad WSS.PEM
        problems.append(T(f"der Schlüssel des Zertifikats hat nur {bits} Bit: OpenSSL 3 (Sicherheitsstufe 2, Standard "
                          f"bei Debian/Ubuntu) lehnt ihn ab ('ee key too small'), Browser ebenso — mindestens RSA 2048 "
                          f"bzw. EC 256",
                          f"the certificate's key has only {bits} bits: OpenSSL 3 (security level 2, Debian/Ubuntu's "
                          f"default) refuses it ('ee key too small'), and so do browsers — at least RSA 2048 or EC 256"))
    if keys and "ENCRYPTED" not in keys[0][0]:
        spki = lambda k: k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        try:
            if len(keys[0][1]) > MAX_KEY_PEM:
                raise ValueError(f"{len(keys[0][1])} characters, larger than any key FreeSWITCH needs "
                                 f"(RSA 8192 is ~6.4 KB): not loaded")
            # only its public half is compared with the leaf's: the (slow, GIL-holding) RSA checks of the
            # private numbers add nothing here — OpenSSL in FreeSWITCH checks the pair when it loads it
            key = serialization.load_pem_private_key(keys[0][1].encode(), password=None,
                                                     unsafe_skip_rsa_key_validation=True)
            if spki(key.public_key()) != spki(leaf.public_key()):
                matches_later = any(spki(c.public_key()) == spki(key.public_key()) for c in chain[1:])
                problems.append(
                    T("der Schlüssel gehört zu einem späteren Zertifikat: das eigene Zertifikat muss zuerst kommen (CA zuerst?)",
                      "the key belongs to a later certificate: the leaf must come first (CA first?)") if matches_later else
                    T("der Schlüssel passt nicht zum ersten Zertifikat (Schlüssel eines anderen Zertifikats)",
                      "the key does not match the first certificate (key of another certificate)"))
        except (ValueError, TypeError) as exc:
            problems.append(T(f"privater Schlüssel unlesbar: {exc}", f"private key unreadable: {exc}"))
    return _jsonable(f)


def _weak_key_bits(cert) -> int | None:
    """The key size of a certificate whose RSA/DSA key is under 2048 bits or EC key under 224 (OpenSSL's level 2)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
    k = cert.public_key()
    if isinstance(k, (rsa.RSAPublicKey, dsa.DSAPublicKey)) and k.key_size < 2048:
        return k.key_size
    if isinstance(k, ec.EllipticCurvePublicKey) and k.curve.key_size < 224:
        return k.curve.key_size
    return None


def _jsonable(f: dict) -> dict:
    f["problems"] = [[t.de, t.en] for t in f["problems"]]
    f["warnings"] = [[t.de, t.en] for t in f["warnings"]]
    return f


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


async def analyse_async(pem: str, hostnames: list[str], timeout: float, now: _dt.datetime | None = None) -> PemReport:
    """analyse() off the event loop, under `timeout` (CheckTimeout past it): one file cannot delay another check."""
    from fsnb.read.files import off_loop
    return await off_loop(analyse, pem, hostnames, now, timeout=timeout, what="wss.pem analysis")

"""From results to causes. `diagnose()` is a pure function of the results: each cause of the catalogue
has one rule here that reads only the typed observations its catalogue entry declares (`reads`); a finding
explains the failed checks its cause declares (`explains`); every other failed check becomes an
`unexplained-failure` finding. Failures rank above warnings, then the catalogue's order decides. Also the verdicts on the analysis' own guesses.
Over 500 lines: one small rule per cause of the catalogue, by design side by side.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Callable

from fsnb.diagnosis import observed as obs
from fsnb.diagnosis.catalogue import (
    ALTERNATIVE,
    BINDING,
    CALL,
    CAUSES,
    CERT,
    CURL,
    ESL,
    ESL_CONF,
    HOP_NGINX,
    HOP_PUBLIC,
    HOP_WSS,
    HOPS,
    LOG,
    MEDIA_CONF,
    NEXT,
    NGINX_CONF,
    PORTS,
    PROFILE,
    TUNNEL,
)
from fsnb.i18n import T, same
from fsnb.result import Result, Status


@dataclass
class Finding:
    cause: str
    severity: str
    score: int          # higher is more likely: the catalogue rank, turned round (catalogue.Cause.score)
    text_de: str
    text_en: str
    fix_de: str
    fix_en: str
    evidence: list[str] = field(default_factory=list)   # "check-id: summary"
    explains: list[str] = field(default_factory=list)   # the failed checks this finding accounts for
    evidence_en: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def text(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" else self.text_de

    def fix(self, lang: str = "de") -> str:
        return self.fix_en if lang == "en" else self.fix_de

    def _repr_html_(self) -> str:
        from fsnb.present import render
        return f"<div class='fsnb-nb'>{render.finding(self)}</div>"

    def proof(self, lang: str = "de") -> list[str]:
        return self.evidence_en if lang == "en" and self.evidence_en else self.evidence


@dataclass
class Verdict:
    hypothesis: str     # as the analysis words it (German)
    verdict: str        # bestätigt | widerlegt | teilweise | offen
    verdict_en: str
    reason_de: str
    reason_en: str
    hypothesis_en: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def claim(self, lang: str = "de") -> str:
        return self.hypothesis_en if lang == "en" and self.hypothesis_en else self.hypothesis

    def word(self, lang: str = "de") -> str:
        return self.verdict_en if lang == "en" else self.verdict

    @property
    def judgement(self) -> "Judgement | None":
        return Judgement.parse(self.verdict)

    def reason(self, lang: str = "de") -> str:
        return self.reason_en if lang == "en" else self.reason_de


class Facts:
    """The results as typed observations (fsnb/observed.py), optionally restricted to the checks a rule declares."""

    def __init__(self, results: list[Result], allowed: tuple[str, ...] | None = None, by: dict | None = None,
                 typed: dict | None = None):
        self._by = by if by is not None else {r.id: r for r in results}
        self._allowed = allowed
        self._typed = typed if typed is not None else {}    # check id -> its typed observation, built once

    def only(self, reads: tuple[str, ...]) -> "Facts":
        return Facts([], reads, self._by, self._typed)

    def _result(self, cid: str) -> Result | None:
        if self._allowed is not None and cid not in self._allowed:
            raise KeyError(f"rule reads {cid}, which its cause does not declare in `reads`")
        return self._by.get(cid)

    def status(self, cid: str) -> Status | None:
        r = self._result(cid)
        return r.status if r else None

    def failed(self, cid: str) -> bool:
        r = self._result(cid)
        return bool(r and r.status.failed)

    def get(self, cid: str):
        """The typed observation of a check, or None when it did not run or observed nothing."""
        r = self._result(cid)
        if r is None or not r.observed:
            return None
        if cid not in self._typed:
            kind = _observes().get(cid)
            self._typed[cid] = kind.of(r.observed) if kind else None
        return self._typed[cid]

    def hop(self, cid: str) -> str | None:
        h = self.get(cid)
        return h.outcome if h else None

    def line(self, cid: str, lang: str = "de") -> str | None:
        r = self._by.get(cid)
        return f"{cid}: {r.text(lang)}" if r else None


def _observes() -> dict:
    """check id -> its declared observation type (built once)."""
    global _OBSERVES
    if _OBSERVES is None:
        from fsnb.checks import all_checks
        _OBSERVES = {c.id: c.observes for c in all_checks()}
    return _OBSERVES


_OBSERVES: dict | None = None


# -- rules: one per cause; a rule says whether its cause is present (its rank is the catalogue's) ----------------
RULES: dict[str, Callable[[Facts], bool | None]] = {}


def rule(cause: str):
    def deco(fn):
        RULES[cause] = fn
        return fn
    return deco


def _ports(f: Facts) -> obs.Ports:
    return f.get(PORTS) or obs.Ports()


def _wss_listening(p: obs.Ports) -> bool:
    if p.wss.listening_on is not None:
        return bool(p.wss.listening_on)
    return p.wss.from_here == "open"    # the socket table could not be read: judge by reachability


def _profile_running(f: Facts) -> bool | None:
    if f.status(PROFILE) not in (None, Status.SKIP):
        prof = f.get(PROFILE)
        if prof and prof.running is not None:
            return prof.running
    return _ports(f).profile_running


@rule("wss-pem-bad")
def _wss_pem_bad(f):
    log, cert = f.get(LOG) or obs.Log(), f.get(CERT) or obs.Certificate()
    if log.bad_pem or (cert.unusable and _ports(f).wss.from_here != "open"):
        return True


@rule("bind-failed")
def _bind_failed(f):
    log = f.get(LOG) or obs.Log()
    if log.bind_error or (_profile_running(f) is False and _ports(f).wss.from_here == "open"):
        return True


@rule("bound-elsewhere")
def _bound_elsewhere(f):
    p = _ports(f)
    if _wss_listening(p) and p.wss.from_here != "open":
        return True
    direct_ok = f.hop(HOP_WSS) == "ok" or f.status(HOP_WSS) == Status.WARN
    up = p.nginx_upstream
    if up and up.listening_on and not up.covered and direct_ok:
        return True


# -- red team (#18.5): a binding sofia-sip cannot read, a binding in the wrong profile ------------------------------
@rule("wss-binding-malformed")
def _binding_malformed(f):
    b = f.get(BINDING)
    return bool(b and b.binding_malformed)


@rule("wss-bound-by-other-profile")
def _bound_by_other(f):
    b = f.get(BINDING)
    return bool(b and b.wss_in_other_profile)


@rule("wss-binding-not-applied")
def _binding_not_applied(f):
    p = _ports(f)
    if _profile_running(f) and not _wss_listening(p):
        return True
    b = f.get(BINDING)
    if f.failed(BINDING) and b and b.read and b.wss_binding is None and not _wss_listening(p):
        return True


@rule("profile-not-running")
def _profile_not_running(f):
    if _profile_running(f) is False:
        return True


@rule("freeswitch-down")
def _freeswitch_down(f):
    esl, log, conf = f.get(ESL), f.get(LOG) or obs.Log(), f.get(ESL_CONF) or obs.EslConfig()
    if not esl or esl.outcome not in ("refused", "connect-timeout", "unreachable"):
        return None
    p = _ports(f)
    nothing = not any(port.listening_on for port in (p.wss, p.ws, p.sip))
    if nothing and not log.esl_socket_error and f.status(ESL_CONF) != Status.FAIL and not conf.problems:
        return True


# -- red team (#18.5): Docker's state of the container (a paused one accepts every connection and answers none) ---
@rule("container-paused")
def _container_paused(f):
    return _ports(f).container_status == "paused"


@rule("freeswitch-process-stopped")
def _process_stopped(f):
    return _ports(f).process_state in ("T", "t")


# -- issue #18, Docker's own view: FreeSWITCH in the container's own network namespace -------------------------
def _in_container_only(p: obs.Ports) -> bool:
    """WSS listens by the container's own socket table, but not from here (its 127.0.0.1 is not ours)."""
    return bool(p.own_netns and p.wss.listening_on and p.wss.from_here != "open")


def _wss_published(p: obs.Ports) -> bool:
    return any(x.endswith(f"-> {p.wss.port}/tcp") for x in p.published)


@rule("container-ports-not-published")
def _container_unpublished(f):
    p = _ports(f)
    return _in_container_only(p) and not _wss_published(p)


@rule("container-listens-on-loopback")
def _container_loopback(f):
    p = _ports(f)
    loopback = all(ip.startswith("127.") or ip == "::1" for ip in p.wss.listening_on or [])
    return _in_container_only(p) and _wss_published(p) and loopback


@rule("esl-address-mismatch")
def _esl_address(f):
    esl = f.get(ESL)
    if not esl or esl.outcome not in ("refused", "connect-timeout", "unreachable") or not esl.listening_on:
        return None
    host = esl.address.rpartition(":")[0].strip("[]")
    host = "127.0.0.1" if host == "localhost" else host
    return not any(ip in ("0.0.0.0", "::", host) for ip in esl.listening_on) and not _ports(f).own_netns


@rule("esl-not-listening")
def _esl_not_listening(f):
    esl = f.get(ESL)
    if esl and esl.outcome in ("refused", "connect-timeout", "unreachable"):
        return True


def _esl_outcome(outcome: str):
    def fn(f):
        esl = f.get(ESL)
        return bool(esl and esl.outcome == outcome)
    return fn


RULES["esl-acl-rejects"] = _esl_outcome("acl")
RULES["esl-bad-password"] = _esl_outcome("bad-password")
RULES["esl-port-not-esl"] = _esl_outcome("not-esl")
RULES["esl-no-answer"] = lambda f: bool((e := f.get(ESL)) and e.outcome in ("no-answer", "closed"))


@rule("nginx-not-listening")
def _nginx_not_listening(f):
    n = f.get(NGINX_CONF)
    if n and n.listening is False:
        return True


@rule("nginx-scheme-mismatch")
def _nginx_scheme(f):
    n = f.get(NGINX_CONF)
    if n and n.scheme_mismatch:
        return True


@rule("via-transport-mismatch")
def _via(f):
    nginx, public = f.hop(HOP_NGINX), f.hop(HOP_PUBLIC)
    if nginx == "sip-no-answer" or (public == "sip-no-answer" and nginx in (None, "ok", "sip-no-answer")):
        return True


@rule("nginx-upstream-down")
def _upstream_down(f):
    n, h = f.get(NGINX_CONF), f.get(HOP_NGINX)
    direct_ok = f.hop(HOP_WSS) == "ok" or f.status(HOP_WSS) == Status.WARN
    # nginx itself answered 502/504 about its upstream, and its log (if read) says refused or nothing else
    bad_gateway = h and h.outcome == "http-status" and h.status in (502, 504)
    if direct_ok and n and n.listening and bad_gateway and h.nginx_reason in (None, "upstream-refused"):
        return True


# -- red team (#18.5): nginx answers itself — a redirect, an access rule, a listener that speaks only HTTP/2 -------
@rule("nginx-redirects")
def _nginx_redirects(f):
    h = f.get(HOP_NGINX)
    return bool(h and h.outcome == "http-status" and h.status is not None and 300 <= h.status < 400)


@rule("nginx-rate-limited")
def _nginx_rate_limited(f):
    return any((h := f.get(cid)) and h.nginx_reason == "rate-limited" for cid in (HOP_NGINX, HOP_PUBLIC))


@rule("nginx-refuses-request")
def _nginx_refuses(f):
    h = f.get(HOP_NGINX)
    # FreeSWITCH answers a WebSocket handshake with 101 or closes; a 401/403 at this hop is nginx's own rule
    return bool(h and h.outcome == "http-status" and h.status in (401, 403))


@rule("nginx-listen-http2")
def _nginx_h2c(f):
    n = f.get(NGINX_CONF)
    return bool(n and n.listen_h2c)


@rule("nginx-other-default-server")
def _nginx_other_default(f):
    n = f.get(NGINX_CONF)
    return bool(n and n.other_default)


# -- issue #18, nginx's own view: the reason its error log gives for this very request ---------------------------
def _nginx_said(reason: str):
    def fn(f):
        h = f.get(HOP_NGINX)
        return bool(h and h.outcome in ("http-status", "timeout", "error") and h.nginx_reason == reason)
    return fn


RULES["nginx-upstream-tls-failed"] = _nginx_said("upstream-tls-handshake")
RULES["nginx-upstream-protocol"] = _nginx_said("upstream-closed")
RULES["nginx-upstream-timeout"] = _nginx_said("upstream-timeout")
RULES["nginx-upstream-tls-mismatch"] = _nginx_said("upstream-tls-params")


@rule("wss-cert-expired")
def _cert_expired(f):
    c = f.get(CERT)
    if c and c.validity == "expired":
        return True


@rule("wss-cert-not-yet-valid")
def _cert_not_yet(f):
    c = f.get(CERT)
    if c and c.validity == "not-yet-valid":
        return True


@rule("tunnel-origin-unreachable")
def _tunnel(f):
    t = f.get(TUNNEL)
    if (t and t.config_read and f.failed(TUNNEL)) or (
            f.hop(HOP_NGINX) == "ok" and f.hop(HOP_PUBLIC) not in (None, "ok", "sip-no-answer")):
        return True


@rule("subprotocol-missing")
def _subprotocol(f):
    if any(f.hop(h) == "no-subprotocol" for h in HOPS):
        return True


@rule("sip-register-rejected")
def _register(f):
    h = f.get(HOP_PUBLIC)
    if h and h.register_failed:
        return True


# -- Step 5: media --------------------------------------------------------------------------------------
NOT_ROUTED = (403, 404, 410, 480, 484, 500, 502, 503, 603, 604)   # the dialplan's answers to a call it cannot place


@rule("call-not-routed")
def _not_routed(f):
    c = f.get(CALL)
    return bool(c and c.outcome == "invite-failed" and c.invite_status in NOT_ROUTED)


@rule("no-common-codec")
def _no_codec(f):
    c = f.get(CALL)
    return bool(c and c.outcome == "invite-failed" and c.invite_status in (488, 415, 606))


@rule("media-only-tunnel")
def _only_tunnel(f):
    m = f.get(MEDIA_CONF)
    return bool(m and m.client == "internet" and not m.public_address and not m.turn and m.reachable is False)


@rule("turn-unusable")
def _turn_unusable(f):
    c = f.get(CALL)
    return bool(c and c.outcome == "turn-failed")


@rule("rtp-ports-not-published")
def _rtp_unpublished(f):
    """Docker's record (schritt5.config's view of it) proves the range is not published, and the config or the call
    shows no audio path: never for host networking, nor without Docker's view (own_netns None)."""
    m, c = f.get(MEDIA_CONF), f.get(CALL)
    if not (m and m.own_netns is True and m.rtp_unpublished):
        return None
    no_path = bool(c and (c.outcome in ("ice-failed", "unreachable") or (c.unreachable and not m.turn)))
    return f.failed(MEDIA_CONF) or no_path


@rule("media-address-unreachable")
def _address_unreachable(f):
    m, c = f.get(MEDIA_CONF), f.get(CALL)
    if m and m.reachable is False and not m.turn:
        return True
    return bool(c and (c.outcome in ("ice-failed", "unreachable") or (c.unreachable and not (m and m.turn))))


@rule("dtls-srtp-failed")
def _dtls(f):
    c = f.get(CALL)
    return bool(c and (c.outcome == "dtls-failed" or (c.invite_status == 200 and c.dtls_offered is False)))


@rule("one-way-audio")
def _one_way(f):
    c = f.get(CALL)
    return bool(c and (c.outcome in ("no-media-back", "no-media-out")
                       or (c.invite_status == 200 and c.direction in ("sendonly", "recvonly", "inactive"))))


@rule("ws-wss-port-shared")
def _port_shared(f):
    b = f.get(BINDING)
    return bool(b and b.port_shared)


@rule("wss-port-shared-by-profiles")
def _shared_by_profiles(f):
    b = f.get(BINDING)
    return bool(b and b.shared_by_profiles)


@rule("wss-cert-shadowed")
def _cert_shadowed(f):
    c = f.get(CERT)
    return bool(c and c.shadowed_by and f.failed(CERT))


@rule("nginx-port-taken")
def _nginx_port_taken(f):
    h = f.get(HOP_NGINX)
    # nginx's log says it could not bind, and what answers there does not speak HTTP as nginx would
    if h and h.nginx_reason == "port-taken" and h.outcome in ("not-http", "tls-error", "error", "timeout"):
        return True


@rule("nginx-upstream-cert-rejected")
def _upstream_cert(f):
    h = f.get(HOP_NGINX)
    return bool(h and h.nginx_reason == "upstream-cert-rejected")


@rule("wss-port-mismatch")
def _wss_port_mismatch(f):
    b, p = f.get(BINDING), f.get(PROFILE)
    if (p and p.running and p.wss_port_mismatch) or (b and b.port_mismatch and not (p and p.running)):
        return True


@rule("wss-binding-change-pending")
def _binding_pending(f):
    b, p = f.get(BINDING), f.get(PROFILE)
    # the file names another port, but the running profile still binds the right one: the next restart breaks it
    if b and b.port_mismatch and p and p.running and not p.wss_port_mismatch:
        return True


@rule("profile-not-configured")
def _profile_not_configured(f):
    log = f.get(LOG)
    return bool(log and log.no_such_profile and _profile_running(f) is not True)


@rule("mod-sofia-not-loaded")
def _no_mod_sofia(f):
    p = f.get(PROFILE)
    return bool(p and p.sofia_loaded is False)


@rule("esl-port-mismatch")
def _esl_port_mismatch(f):
    esl, conf = f.get(ESL), f.get(ESL_CONF)
    if esl and esl.outcome in ("refused", "connect-timeout") and conf and conf.port_mismatch:
        return True


@rule("nginx-location-mismatch")
def _nginx_location(f):
    h = f.get(HOP_NGINX)
    return bool(h and h.outcome == "http-status" and h.status == 404)


@rule("nginx-listen-ssl")
def _nginx_listen_ssl(f):
    h = f.get(HOP_NGINX)
    return bool(h and h.http_hint == "plain-http-to-https-port")


@rule("tunnel-config-invalid")
def _tunnel_invalid(f):
    t = f.get(TUNNEL)
    return bool(t and (t.parse_error or t.invalid))


@rule("tunnel-origin-tls")
def _tunnel_origin_tls(f):
    t = f.get(TUNNEL)
    return bool(t and t.origin_tls_mismatch)


@rule("wss-pem-bad-pending")
def _pem_pending(f):
    c, p = f.get(CERT), f.get(PORTS)
    serving = f.hop(HOP_WSS) == "ok" or f.status(HOP_WSS) == Status.WARN
    if c and c.unusable and p and p.wss.from_here == "open" and serving:
        return True


# -- issue #18: the operator's certificate at another usual place than the certs_dir FreeSWITCH reads -----------
@rule("wss-pem-in-other-dir")
def _pem_other_dir(f):
    c = f.get(CERT)
    return bool(c and c.other_pem and (c.self_signed_freeswitch or c.present is False))


# -- issue #18: FreeSWITCH's XML, as strict XML and as FreeSWITCH reads it ----------------------------------------
@rule("profile-xml-broken")
def _xml_broken(f):
    b = f.get(BINDING)
    return bool(b and b.xml_error)


@rule("profile-xml-not-well-formed")
def _xml_flaw(f):
    b = f.get(BINDING)
    return bool(b and b.xml_flaw)


# warnings: they do not break the path
@rule("nginx-websocket-config")
def _nginx_ws_config(f):
    return bool(f.status(NGINX_CONF) == Status.WARN)


@rule("certificate-untrusted")
def _untrusted(f):
    h = f.get(HOP_WSS)
    return bool(f.status(HOP_WSS) == Status.WARN and h and h.tls_verified is False)


@rule("wss-pem-warning")
def _pem_warning(f):
    return bool(f.status(CERT) == Status.WARN)


def diagnose(results: list[Result]) -> list[Finding]:
    """The findings, most likely first: every failed check is explained by a fail-level finding or by an
    `unexplained-failure` finding; a warning never ranks above a failure."""
    facts = Facts(results)
    failed = [r.id for r in results if r.status.failed]
    matched = [cause for cause, fn in RULES.items() if fn(facts.only(CAUSES[cause].reads))]
    findings: list[Finding] = []
    for cause in matched:
        c = CAUSES[cause]
        if any(s in matched for s in c.superseded_by):
            continue
        explains = [cid for cid in c.explains if cid in failed]
        # a fail-level cause that accounts for no failed check is a warning here, not a reason to exit 1
        severity = c.severity if explains else "warn"
        shown = [cid for cid in dict.fromkeys(c.reads + c.explains) if cid in facts._by]
        findings.append(Finding(cause, severity, c.score, c.de, c.en, c.fix_de, c.fix_en,
                                [facts.line(cid) for cid in shown], explains, [facts.line(cid, "en") for cid in shown]))
    explained = {cid for f in findings if f.severity == "fail" for cid in f.explains}
    by = {r.id: r for r in results}
    u = CAUSES["unexplained-failure"]
    for cid in failed:
        if cid in explained:
            continue
        r = by[cid]
        de, en = NEXT.get(cid, ("Die Belege dieser Prüfung lesen.", "Read this check's evidence."))
        findings.append(Finding(
            u.id, "fail", u.score,
            f"{cid} ist fehlgeschlagen ({r.text('de')}) — keine bekannte Ursache erklärt das.",
            f"{cid} failed ({r.text('en')}) — no known cause explains it.",
            f"Als Nächstes: {de}", f"Next: {en}",
            [f"{cid}: {e.title('de')}: {e.body('de')[:300]}" for e in r.evidence[:3]] or [f"{cid}: {r.text('de')}"], [cid],
            [f"{cid}: {e.title('en')}: {e.body('en')[:300]}" for e in r.evidence[:3]] or [f"{cid}: {r.text('en')}"]))
    findings.sort(key=lambda f: (f.severity != "fail", CAUSES[f.cause].rank))
    return findings


HYPOTHESIS = {   # the analysis' own guesses, as it words them
    "autoload": T("1. Profil wird nicht geladen / lädt nicht automatisch", "1. The profile is not loaded / not autoloaded"),
    "binding": T("2. WSS-Binding braucht explizite Aktivierung", "2. The WSS binding needs explicit activation"),
    "esl": T("3. ESL nicht konfiguriert", "3. ESL is not configured"),
    "tunnel": T("4. Cloudflare Tunnel: FreeSWITCH muss HTTP/WS lauschen",
                "4. Cloudflare Tunnel: FreeSWITCH must listen on HTTP/WS"),
    "curl": T("Schritt 4 der Analyse: curl -H 'Upgrade: websocket' http://localhost:7443/",
              "The analysis' step 4: curl -H 'Upgrade: websocket' http://localhost:7443/"),
}


class Judgement(str, Enum):
    """What the checks say about one of the analysis' hypotheses (the value is the English word in the JSON)."""
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    PARTLY = "partly"
    OPEN = "open"

    @classmethod
    def parse(cls, word) -> "Judgement | None":
        """A judgement from its word in either language (a Verdict's `verdict` or `verdict_en`); None: unknown."""
        word = word.de if isinstance(word, T) else word
        return next((j for j, t in VERDICT.items() if word in (t.de, t.en)), None)


# the one table of verdict words, keyed by the typed judgement (the notebook colours them by the same key)
VERDICT: dict[Judgement, T] = {Judgement.CONFIRMED: T("bestätigt", "confirmed"), Judgement.REFUTED: T("widerlegt", "refuted"),
                               Judgement.PARTLY: T("teilweise", "partly"), Judgement.OPEN: T("offen", "open")}
REASON = {
    "autoload-refuted": T("Das Profil internal läuft: FreeSWITCH startet alle Profile aus sofia.conf.xml beim Laden.",
                          "Profile internal is running: FreeSWITCH starts every profile of sofia.conf.xml at load."),
    "autoload-partly": T("Das Profil läuft nicht — aber nicht, weil FreeSWITCH es nicht automatisch lädt: {why}.",
                         "The profile is not running — not because FreeSWITCH does not autoload it: {why}."),
    "why-pem": T("Log: Bad WSS.PEM", "log: Bad WSS.PEM"),
    "why-bind": T("Log: Bind-Fehler", "log: bind error"),
    "why-stopped": T("es wurde gestoppt", "it was stopped"),
    "why-see": T("Grund siehe Diagnose", "see the diagnosis for why"),
    "autoload-open": T("Ohne ESL nicht prüfbar; Sockets und Log siehe Schritt 2/3.",
                       "Not checkable without ESL; see steps 2/3 for sockets and log."),
    "binding-partly": T("wss-binding wirkt nur beim Start des Profils: nötig ist `sofia profile internal restart`, nicht "
                        "`start` (läuft schon) und nicht reloadxml/rescan.",
                        "wss-binding takes effect only when the profile starts: `sofia profile internal restart` is "
                        "needed, not `start` (already running), nor reloadxml/rescan."),
    "binding-refuted": T("Ein wss-binding in internal.xml wird bei jedem Profilstart gebunden; `start` beweist nichts "
                         "('started successfully' kommt vor und unabhängig vom Bind).",
                         "A wss-binding in internal.xml binds at every profile start; `start` proves nothing "
                         "('started successfully' comes before and regardless of the bind)."),
    "esl-refuted": T("ESL antwortet und nimmt das Passwort an.", "ESL answers and accepts the password."),
    "esl-partly": T("ESL scheitert ({esl}) — präzise statt fs_cli's 'Error Connecting []'. Ein ESL-Problem hält das "
                    "Profil aber nicht an: SIP/WSS laufen unabhängig.",
                    "ESL fails ({esl}) — precisely, instead of fs_cli's 'Error Connecting []'. An ESL problem does not "
                    "stop the profile: SIP/WSS run independently."),
    "esl-open": T("ESL wurde nicht geprüft.", "ESL was not checked."),
    "tunnel-refuted": T("Über den Tunnel gelingen Handshake und SIP mit nginx → wss 7443; WS 5066 ist nicht nötig{more}",
                        "Through the tunnel handshake and SIP work with nginx → wss 7443; WS 5066 is not needed{more}"),
    "would-break": T(" und würde Browser brechen (Via WSS ≠ WS).", " and would break browsers (Via WSS ≠ WS)."),
    "tunnel-partly": T("Der öffentliche Weg scheitert ({pub}); die Ursache steht in der Diagnose. WS 5066 hinter TLS löst "
                       "es nicht (Via-Mismatch).", "The public path fails ({pub}); the cause is in the diagnosis. WS 5066 "
                       "behind TLS does not fix it (Via mismatch)."),
    "tunnel-open": T("Der öffentliche Weg wurde nicht geprüft.", "The public path was not checked."),
    "curl": T("Der Test kann nie gelingen (TLS-Port per http://, ohne Sec-WebSocket-Key); beobachtet: {curl}. fsnb macht "
              "stattdessen einen echten Handshake mit 'sip'.", "The test can never succeed (TLS port over http://, no "
              "Sec-WebSocket-Key); observed: {curl}. fsnb does a real handshake offering 'sip' instead."),
    "not-run": T("nicht ausgeführt", "not run"),
}


def _verdict(hypothesis: str, verdict: Judgement, reason: T) -> Verdict:
    h, v = HYPOTHESIS[hypothesis], VERDICT[verdict]
    return Verdict(h.de, v.de, v.en, reason.de, reason.en, h.en)


def hypotheses(results: list[Result]) -> list[Verdict]:
    """The analysis' guesses, each proved or refuted by what the checks saw."""
    f = Facts(results)
    out = []
    prof = f.get(PROFILE) or obs.Profile()
    running = prof.running
    log = f.get(LOG) or obs.Log()
    if running:
        out.append(_verdict("autoload", Judgement.REFUTED, REASON["autoload-refuted"]))
    elif running is False:
        why = REASON["why-pem" if log.bad_pem else "why-bind" if log.bind_error else
                     "why-stopped" if log.stopped_after else "why-see"]
        out.append(_verdict("autoload", Judgement.PARTLY, REASON["autoload-partly"].format(why=why)))
    else:
        out.append(_verdict("autoload", Judgement.OPEN, REASON["autoload-open"]))
    if running and (not prof.wss_bind_url or not _wss_listening(_ports(f))):
        out.append(_verdict("binding", Judgement.PARTLY, REASON["binding-partly"]))
    else:
        out.append(_verdict("binding", Judgement.REFUTED, REASON["binding-refuted"]))
    esl = (f.get(ESL) or obs.Esl()).outcome
    if esl == "ok":
        out.append(_verdict("esl", Judgement.REFUTED, REASON["esl-refuted"]))
    elif esl is None:
        out.append(_verdict("esl", Judgement.OPEN, REASON["esl-open"]))
    else:
        out.append(_verdict("esl", Judgement.PARTLY, REASON["esl-partly"].format(esl=esl)))
    pub = f.hop(HOP_PUBLIC)
    alt = f.get(ALTERNATIVE) or obs.Alternative()
    if pub == "ok":
        more = REASON["would-break"] if alt.browser_sip_dropped else same(".")
        out.append(_verdict("tunnel", Judgement.REFUTED, REASON["tunnel-refuted"].format(more=more)))
    elif pub is None:
        out.append(_verdict("tunnel", Judgement.OPEN, REASON["tunnel-open"]))
    else:
        out.append(_verdict("tunnel", Judgement.PARTLY, REASON["tunnel-partly"].format(pub=pub)))
    curl = (f.get(CURL) or obs.Curl()).result
    out.append(_verdict("curl", Judgement.REFUTED, REASON["curl"].format(curl=curl or REASON["not-run"])))
    return out

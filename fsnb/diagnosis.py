"""From results to causes: rules that name the most likely cause first, with evidence, fix and next step.
Also the verdicts on the analysis' own hypotheses (proved or refuted by the results)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .catalogue import CAUSES
from .result import Result, Status


@dataclass
class Finding:
    cause: str
    severity: str
    score: int
    text_de: str
    text_en: str
    fix_de: str
    fix_en: str
    evidence: list[str] = field(default_factory=list)   # "check-id: summary"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    hypothesis: str
    verdict: str        # bestätigt | widerlegt | teilweise | offen
    verdict_en: str
    reason_de: str
    reason_en: str

    def to_dict(self) -> dict:
        return asdict(self)


class _R:
    def __init__(self, results: list[Result]):
        self.by = {r.id: r for r in results}

    def st(self, cid: str) -> Status | None:
        r = self.by.get(cid)
        return r.status if r else None

    def ob(self, cid: str) -> dict:
        r = self.by.get(cid)
        return r.observed if r else {}

    def hop(self, key: str) -> str | None:
        return self.ob(f"schritt4.{key}").get("outcome")

    def line(self, cid: str) -> str:
        r = self.by.get(cid)
        return f"{cid}: {r.summary}" if r else cid


def diagnose(results: list[Result]) -> list[Finding]:
    R = _R(results)
    out: dict[str, tuple[int, list[str]]] = {}

    def add(cause: str, score: int, *ids: str):
        if cause not in out or out[cause][0] < score:
            out[cause] = (score, [R.line(i) for i in ids if i in R.by])

    log, ports, prof = R.ob("schritt2.log"), R.ob("schritt3.ports"), R.ob("schritt2.profil")
    wss_port = ports.get("wss", {})
    known = wss_port.get("listening_on") is not None      # None: the socket table could not be read
    wss_listening = bool(wss_port.get("listening_on")) if known else wss_port.get("from_here") == "open"
    wss_open = wss_port.get("from_here") == "open"
    profile_running = prof.get("running") if R.st("schritt2.profil") not in (None, Status.SKIP) else None
    if profile_running is None and "profile_running" in ports:
        profile_running = ports.get("profile_running")
    direct_ok = R.hop("wss") == "ok" or R.st("schritt4.wss") == Status.WARN

    # 1. why 7443 does not work at FreeSWITCH itself
    cert = R.ob("wissen.zertifikat")
    if log.get("bad_pem") or (cert.get("problems") and not wss_open):
        add("wss-pem-bad", 100, "schritt2.log", "wissen.zertifikat", "schritt3.ports")
    if log.get("bind_error") or (profile_running is False and wss_open):
        add("bind-failed", 95, "schritt2.log", "schritt3.ports", "schritt4.curl")
    if wss_listening and not wss_open:
        add("bound-elsewhere", 90, "schritt3.ports", "schritt2.profil", "wissen.binding")
    up = ports.get("nginx_upstream") or {}
    if up and up.get("listening_on") and not up.get("covered") and direct_ok:
        add("bound-elsewhere", 90, "schritt3.ports", "schritt4.nginx")
    if profile_running and not wss_listening and "bind-failed" not in out:
        add("wss-binding-not-applied", 88, "schritt2.profil", "wissen.binding", "schritt3.ports")
    binding = R.ob("wissen.binding")   # "wss_binding" is only there when internal.xml was read
    if R.st("wissen.binding") == Status.FAIL and "wss_binding" in binding and binding["wss_binding"] is None \
            and not wss_listening:
        add("wss-binding-not-applied", 88, "wissen.binding", "schritt3.ports")
    if profile_running is False and not out:
        add("profile-not-running", 80, "schritt2.profil", "schritt2.log", "schritt3.ports")

    # 2. the path in front of FreeSWITCH
    n = R.ob("wissen.nginx")
    if n and n.get("listening") is False:
        add("nginx-not-listening", 78, "wissen.nginx")
    if any("proxy_pass http" in p for p in n.get("problems", [])):
        add("nginx-scheme-mismatch", 76, "wissen.nginx", "schritt4.nginx")
    nginx_hop, public_hop = R.hop("nginx"), R.hop("public")
    if nginx_hop == "sip-no-answer" or (public_hop == "sip-no-answer" and nginx_hop in (None, "ok", "sip-no-answer")):
        add("via-transport-mismatch", 74, "schritt4.nginx", "schritt4.public", "alternative.ws5066")
    if (direct_ok and nginx_hop in ("http-status", "timeout") and "nginx-scheme-mismatch" not in out
            and "bound-elsewhere" not in out and n.get("listening")):
        add("nginx-upstream-down", 72, "schritt4.nginx", "wissen.nginx", "schritt3.ports")
    tunnel_wrong = R.st("wissen.tunnel") == Status.FAIL and "service" in R.ob("wissen.tunnel")  # parsed, and wrong
    if tunnel_wrong or (nginx_hop == "ok" and public_hop not in (None, "ok", "sip-no-answer")):
        add("tunnel-origin-unreachable", 65, "wissen.tunnel", "schritt4.public")
    if any(R.hop(k) == "no-subprotocol" for k in ("wss", "ws", "nginx", "public")):
        add("subprotocol-missing", 60, "schritt4.wss", "schritt4.nginx", "schritt4.public")

    # 3. ESL (the analysis' step 1): precise instead of fs_cli's 'Error Connecting []'
    esl = R.ob("schritt1.esl").get("outcome")
    esl_map = {"acl": "esl-acl-rejects", "bad-password": "esl-bad-password", "not-esl": "esl-port-not-esl",
               "no-answer": "esl-no-answer", "closed": "esl-no-answer"}
    if esl in esl_map:
        add(esl_map[esl], 50, "schritt1.esl", "schritt1.esl_config", "schritt2.log")
    elif esl in ("refused", "connect-timeout", "unreachable"):
        nothing = not any((ports.get(k) or {}).get("listening_on") for k in ("wss", "ws", "sip"))
        if nothing and not log.get("esl_socket_error") and R.st("schritt1.esl_config") != Status.FAIL:
            add("freeswitch-down", 55, "schritt1.esl", "schritt3.ports")
        else:
            add("esl-not-listening", 50, "schritt1.esl", "schritt1.esl_config", "schritt2.log")

    # 4. warnings: they do not break the path
    if R.st("wissen.nginx") == Status.WARN:
        add("nginx-websocket-config", 10, "wissen.nginx")
    if R.st("schritt4.wss") == Status.WARN and R.ob("schritt4.wss").get("tls_verified") is False:
        add("certificate-untrusted", 9, "schritt4.wss")
    if R.st("wissen.zertifikat") == Status.WARN:
        add("wss-pem-warning", 8, "wissen.zertifikat")
    if R.st("wissen.tunnel") == Status.WARN:
        add("tunnel-config-warning", 7, "wissen.tunnel")

    findings = []
    for cause, (score, ev) in sorted(out.items(), key=lambda kv: -kv[1][0]):
        c = CAUSES[cause]
        findings.append(Finding(cause, c.severity, score, c.de, c.en, c.fix_de, c.fix_en, ev))
    return findings


def hypotheses(results: list[Result]) -> list[Verdict]:
    """The analysis' guesses, each proved or refuted by what the checks saw."""
    R = _R(results)
    out = []
    prof = R.ob("schritt2.profil")
    running = prof.get("running")
    log = R.ob("schritt2.log")
    if running:
        out.append(Verdict("1. Profil wird nicht geladen / lädt nicht automatisch", "widerlegt", "refuted",
                           "Das Profil internal läuft: FreeSWITCH startet alle Profile aus sofia.conf.xml beim Laden.",
                           "Profile internal is running: FreeSWITCH starts every profile of sofia.conf.xml at load."))
    elif running is False:
        why = ("Log: Bad WSS.PEM" if log.get("bad_pem") else "Log: Bind-Fehler" if log.get("bind_error")
               else "es wurde gestoppt" if log.get("stopped_after") else "Grund siehe Diagnose")
        out.append(Verdict("1. Profil wird nicht geladen / lädt nicht automatisch", "teilweise", "partly",
                           f"Das Profil läuft nicht — aber nicht, weil FreeSWITCH es nicht automatisch lädt: {why}.",
                           f"The profile is not running — not because FreeSWITCH does not autoload it: {why}."))
    else:
        out.append(Verdict("1. Profil wird nicht geladen / lädt nicht automatisch", "offen", "open",
                           "Ohne ESL nicht prüfbar; Sockets und Log siehe Schritt 2/3.", "Not checkable without ESL; see steps 2/3."))
    b = R.ob("wissen.binding")
    if running and not prof.get("wss_bind_url") or (running and not R.ob("schritt3.ports").get("wss", {}).get("listening_on")):
        out.append(Verdict("2. WSS-Binding braucht explizite Aktivierung", "teilweise", "partly",
                           "wss-binding wirkt nur beim Start des Profils: nötig ist `sofia profile internal restart`, "
                           "nicht `start` (läuft schon) und nicht reloadxml/rescan.",
                           "wss-binding takes effect only when the profile starts: `sofia profile internal restart` is "
                           "needed, not `start` (already running), nor reloadxml/rescan."))
    else:
        out.append(Verdict("2. WSS-Binding braucht explizite Aktivierung", "widerlegt", "refuted",
                           "Ein wss-binding in internal.xml wird bei jedem Profilstart gebunden; `start` beweist nichts "
                           "('started successfully' kommt vor und unabhängig vom Bind).",
                           "A wss-binding in internal.xml binds at every profile start; `start` proves nothing "
                           "('started successfully' comes before and regardless of the bind)." + ("" if b else "")))
    esl = R.ob("schritt1.esl").get("outcome")
    if esl == "ok":
        out.append(Verdict("3. ESL nicht konfiguriert", "widerlegt", "refuted", "ESL antwortet und nimmt das Passwort an.",
                           "ESL answers and accepts the password."))
    else:
        out.append(Verdict("3. ESL nicht konfiguriert", "teilweise", "partly",
                           f"ESL scheitert ({esl}) — präzise statt fs_cli's 'Error Connecting []'. Ein ESL-Problem hält "
                           "das Profil aber nicht an: SIP/WSS laufen unabhängig.",
                           f"ESL fails ({esl}) — precisely, instead of fs_cli's 'Error Connecting []'. An ESL problem does "
                           "not stop the profile: SIP/WSS run independently."))
    pub = R.ob("schritt4.public").get("outcome")
    alt = R.ob("alternative.ws5066")
    if pub == "ok":
        out.append(Verdict("4. Cloudflare Tunnel: FreeSWITCH muss HTTP/WS lauschen", "widerlegt", "refuted",
                           "Über den Tunnel gelingen Handshake und SIP mit nginx → wss 7443; WS 5066 ist nicht nötig"
                           + (" und würde Browser brechen (Via WSS ≠ WS)." if alt.get("browser_sip_dropped") else "."),
                           "Through the tunnel handshake and SIP work with nginx → wss 7443; WS 5066 is not needed"
                           + (" and would break browsers (Via WSS ≠ WS)." if alt.get("browser_sip_dropped") else ".")))
    else:
        out.append(Verdict("4. Cloudflare Tunnel: FreeSWITCH muss HTTP/WS lauschen", "offen" if pub is None else "teilweise",
                           "open" if pub is None else "partly",
                           f"Der öffentliche Weg scheitert ({pub}); die Ursache steht in der Diagnose. WS 5066 hinter TLS "
                           "löst es nicht (Via-Mismatch).",
                           f"The public path fails ({pub}); the cause is in the diagnosis. WS 5066 behind TLS does not fix "
                           "it (Via mismatch)."))
    curl = R.ob("schritt4.curl").get("result")
    out.append(Verdict("Schritt 4 der Analyse: curl -H 'Upgrade: websocket' http://localhost:7443/", "widerlegt", "refuted",
                       "Der Test kann nie gelingen (TLS-Port per http://, ohne Sec-WebSocket-Key); beobachtet: "
                       f"{curl}. fsnb macht stattdessen einen echten Handshake mit 'sip'.",
                       "The test can never succeed (TLS port over http://, no Sec-WebSocket-Key); observed: "
                       f"{curl}. fsnb does a real handshake offering 'sip' instead."))
    return out

"""The lab's scenarios: each reproduces one failure of the analysis (or the healthy control).

`cause` is the diagnosis id fsnb's runbook must name first (None when healthy); `exit` the exit
code `fsnb run` must give.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    cause: str | None
    exit: int
    description: str            # German, like the analysis
    description_en: str
    fs: dict = field(default_factory=dict)        # simulator config changes
    after_start: tuple = ()                         # live actions once FreeSWITCH is up
    nginx: dict = field(default_factory=dict)     # nginx :8082 changes
    tunnel: dict = field(default_factory=dict)    # cloudflared ingress changes
    target: dict = field(default_factory=dict)    # what the operator's target gets wrong
    blockers: tuple = ()                            # (kind, port-name) processes started before FreeSWITCH
    real: bool = True           # can run on a real FreeSWITCH (`fsnb lab up --real`, fsnb/lab/real.py)
    real_why_not: str = ""      # why not, when it cannot
    sim: bool = True            # the simulator reproduces it (False: real FreeSWITCH only; sim_why_not says why)
    sim_why_not: str = ""
    hostile: bool = False       # plant hostile strings and files into everything fsnb reads (fsnb/lab/hostile.py)
    log_history: tuple = ()     # freeswitch.log lines of an earlier run (a day old), written before FreeSWITCH starts

    def public(self) -> dict:
        d = asdict(self)
        out = {k: d[k] for k in ("name", "cause", "exit", "description", "description_en", "real")}
        if not self.real:
            out["real_why_not"] = self.real_why_not
        if not self.sim:
            out["sim"], out["sim_why_not"] = False, self.sim_why_not
        return out


SCENARIOS: list[Scenario] = [
    Scenario("healthy", None, 0,
             "Alles in Ordnung: Profil internal läuft, 5066/7443 lauschen, nginx leitet per https an 7443, Tunnel korrekt.",
             "Healthy control: profile internal running, 5066/7443 listening, nginx proxies https to 7443, tunnel correct."),
    Scenario("profile-stopped", "profile-not-running", 1,
             "Die Lage der Analyse: Port 7443 lauscht nicht, weil das Profil internal gestoppt wurde.",
             "The analysis' situation: 7443 is not listening because profile internal was stopped.",
             after_start=("profile-stop",)),
    Scenario("wss-binding-missing", "wss-binding-not-applied", 1,
             "wss-binding ist in internal.xml auskommentiert: das Profil läuft, 7443 nicht.",
             "wss-binding is commented out in internal.xml: the profile runs, 7443 does not.",
             fs={"wss_binding": "commented"}),
    Scenario("wss-binding-reloadxml", "wss-binding-not-applied", 1,
             "wss-binding wurde im laufenden Betrieb ergänzt, aber nur reloadxml/rescan ausgeführt: 7443 bleibt zu.",
             "wss-binding added on a running FreeSWITCH, but only reloadxml/rescan ran: 7443 stays closed.",
             fs={"wss_binding": "commented"}, after_start=("uncomment-wss", "reloadxml", "rescan")),
    Scenario("port-7443-taken", "bind-failed", 1,
             "Ein anderes Programm hält 127.0.0.1:7443: das ganze Profil internal startet nicht (auch 5060/5066 nicht).",
             "Another program holds 127.0.0.1:7443: the whole internal profile fails (5060/5066 too).",
             blockers=(("http", "wss"),)),
    Scenario("wss-pem-cert-only", "wss-pem-bad", 1,
             "wss.pem enthält nur das Zertifikat, keinen Schlüssel: 'Bad WSS.PEM certificate.', Profil aus.",
             "wss.pem holds the certificate only, no key: 'Bad WSS.PEM certificate.', profile down.",
             fs={"wss_pem": "cert-only"}),
    Scenario("wss-pem-wrong-key", "wss-pem-bad", 1,
             "wss.pem enthält den Schlüssel eines anderen Zertifikats.",
             "wss.pem holds the key of another certificate.",
             fs={"wss_pem": "wrong-key"}),
    Scenario("wss-pem-ca-first", "wss-pem-bad", 1,
             "wss.pem: CA-Zertifikat vor dem eigenen Zertifikat.",
             "wss.pem: CA certificate before the leaf.",
             fs={"wss_pem": "ca-first"}),
    Scenario("esl-listen-ip", "esl-not-listening", 1,
             "event_socket listen-ip ist keine lokale Adresse: ESL lauscht nie, SIP läuft.",
             "event_socket listen-ip is not a local address: ESL never listens, SIP runs.",
             fs={"esl_listen_ip": "10.254.254.254"}),
    Scenario("esl-acl", "esl-acl-rejects", 1,
             "Die ESL-ACL weist 127.0.0.1 ab (text/rude-rejection).",
             "The ESL ACL rejects 127.0.0.1 (text/rude-rejection).",
             fs={"esl_acl": "fsnb_deny_all"}),
    Scenario("esl-wrong-password", "esl-bad-password", 1,
             "Das Ziel nutzt ein falsches ESL-Passwort (fs_cli: 'Error Connecting []').",
             "The target uses a wrong ESL password (fs_cli: 'Error Connecting []').",
             target={"esl_password": "wrong"}),
    Scenario("bound-elsewhere", "bound-elsewhere", 1,
             "ws/wss lauschen auf 127.0.0.2, nginx leitet an 127.0.0.1 weiter.",
             "ws/wss listen on 127.0.0.2 while nginx proxies to 127.0.0.1.",
             fs={"ws_ip": "127.0.0.2", "wss_ip": "127.0.0.2"}),
    Scenario("nginx-http-to-tls", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass http:// an den TLS-Port 7443 (502).",
             "nginx: proxy_pass http:// to the TLS port 7443 (502).",
             nginx={"scheme": "http", "upstream": "wss"}),
    Scenario("nginx-tls-to-plain", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass https:// an den Klartext-Port 5066 (502 nach ~10 s).",
             "nginx: proxy_pass https:// to the plain port 5066 (502 after ~10 s).",
             nginx={"scheme": "https", "upstream": "ws"}),
    Scenario("nginx-upstream-down", "nginx-upstream-down", 1,
             "nginx leitet an einen Port weiter, auf dem nichts lauscht (502, Connection refused).",
             "nginx proxies to a port where nothing listens (502, connection refused).",
             nginx={"upstream_port": "closed"}),
    Scenario("alternative-via-mismatch", "via-transport-mismatch", 1,
             "Die Alternative der Analyse: TLS endet vor nginx, nginx leitet an ws 5066; der Browser sendet "
             "'Via: SIP/2.0/WSS' und FreeSWITCH antwortet gar nicht.",
             "The analysis' alternative: TLS ends in front of nginx, nginx proxies to ws 5066; the browser sends "
             "'Via: SIP/2.0/WSS' and FreeSWITCH answers nothing.",
             nginx={"scheme": "http", "upstream": "ws"}),
    Scenario("tunnel-wrong-service", "tunnel-origin-unreachable", 1,
             "Die Tunnel-Ingress-Regel zeigt auf http://localhost:8083 statt auf nginx 8082.",
             "The tunnel ingress rule points at http://localhost:8083 instead of nginx 8082.",
             tunnel={"service_port_delta": 1}),
    Scenario("nginx-no-upgrade-headers", "nginx-websocket-config", 0,
             "nginx ohne proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH antwortet trotzdem (Warnung).",
             "nginx without proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH still answers (a warning).",
             nginx={"upgrade_headers": False}),
    Scenario("esl-tarpit", "esl-no-answer", 1,
             "Auf dem ESL-Port nimmt ein Programm Verbindungen an und antwortet nie.",
             "A program on the ESL port accepts connections and never answers.",
             blockers=(("tarpit", "esl"),)),
    Scenario("wss-tarpit", "bind-failed", 1,
             "Auf 7443 nimmt ein fremdes Programm Verbindungen an und antwortet nie; das Profil internal startet nicht.",
             "A foreign program on 7443 accepts connections and never answers; profile internal fails to start.",
             blockers=(("tarpit", "wss"),)),
    Scenario("esl-port-not-esl", "esl-port-not-esl", 1,
             "Auf dem ESL-Port läuft ein HTTP-Server (fs_cli hängt ohne -T).",
             "An HTTP server runs on the ESL port (fs_cli hangs without -T).",
             blockers=(("http", "esl"),)),
]

SCENARIOS.append(Scenario(
    "hostile-target", None, 0,
    "Gesund, aber jede Zeichenkette und Datei der Zielseite ist feindselig: Markup, Terminal-Escapes, \\r und |, "
    "riesige und bösartige Dateien (Log, internal.xml, wss.pem, Tunnel- und nginx-Konfiguration).",
    "Healthy, but every target-side string and file is hostile: markup, terminal escapes, \\r and |, huge and "
    "adversarial files (log, internal.xml, wss.pem, tunnel and nginx config).",
    hostile=True, real=False, real_why_not="the payloads are planted into the simulator lab's files"))

# freeswitch.log keeps its history across restarts: yesterday's failures are not evidence of now
SCENARIOS.append(Scenario(
    "log-history", None, 0,
    "Gesund — aber freeswitch.log enthält von einem früheren Lauf eine ESL-ACL-Abweisung und 'Bad WSS.PEM': "
    "alte Zeilen sind kein Beleg für jetzt.",
    "Healthy — but freeswitch.log holds an ESL ACL rejection and 'Bad WSS.PEM' from an earlier run: old lines are "
    "no evidence of now.",
    log_history=(
        '[WARNING] mod_event_socket.c:2682 IP 127.0.0.1 Rejected by acl "fsrec_deny_all"',
        "[ERR] sofia.c:3308 Error Creating SIP UA for profile: internal (sip:mod_sofia@127.0.0.1:5060;"
        "maddr=127.0.0.1;transport=udp,tcp). Bad WSS.PEM certificate.")))   # a real Bad WSS.PEM run writes only 3308

# Found with the real FreeSWITCH (fsnb lab up --real): what operators get wrong around certificates and bindings.
SCENARIOS.extend([
    Scenario("wss-cert-expired", "wss-cert-expired", 1,
             "wss.pem ist abgelaufen: FreeSWITCH startet das Profil trotzdem und liefert das Zertifikat aus; "
             "Browser (direkt auf 7443) lehnen es ab.",
             "wss.pem has expired: FreeSWITCH starts the profile anyway and serves it; browsers (direct to 7443) "
             "refuse it.",
             fs={"wss_cert": "expired"}),
    Scenario("wss-cert-not-yet-valid", "wss-cert-not-yet-valid", 1,
             "wss.pem ist noch nicht gültig (notBefore in der Zukunft, z. B. falsche Uhr beim Ausstellen): "
             "FreeSWITCH liefert es aus, Browser lehnen es ab.",
             "wss.pem is not valid yet (notBefore in the future, e.g. a wrong clock when issued): FreeSWITCH serves "
             "it, browsers refuse it.",
             fs={"wss_cert": "not-yet-valid"}),
    Scenario("wss-same-port-as-ws", "ws-wss-port-shared", 1,
             "wss-binding auf demselben Port wie ws-binding (:5066), nginx → https://…:5066: sofia-sip bindet beide "
             "(SO_REUSEPORT), der Kernel verteilt die Verbindungen — WS und WSS gelingen nur mal, mal nicht.",
             "wss-binding on the same port as ws-binding (:5066), nginx → https://…:5066: sofia-sip binds both "
             "(SO_REUSEPORT), the kernel spreads connections between them — WS and WSS work only now and then.",
             fs={"wss_port": "ws"}, nginx={"scheme": "https", "upstream": "ws"}),
    Scenario("wss-crt-shadows-pem", "wss-cert-shadowed", 1,
             "Neues wss.pem, aber ein altes (abgelaufenes) wss.crt/wss.key liegt daneben: FreeSWITCH nimmt "
             "wss.crt/wss.key und liefert das alte Zertifikat aus.",
             "A new wss.pem, but an old (expired) wss.crt/wss.key lies beside it: FreeSWITCH takes wss.crt/wss.key "
             "and serves the old certificate.",
             fs={"wss_crt_key": "old-expired"}),
    Scenario("verto-on-nginx-port", "nginx-port-taken", 1,
             "mod_verto behält seinen Standard-Port 8082 (secure) — mit Host-Netzwerk und vor nginx gestartet "
             "belegt FreeSWITCH den nginx-Port; nginx startet nicht.",
             "mod_verto keeps its default port 8082 (secure) — with host networking and started before nginx, "
             "FreeSWITCH holds nginx's port; nginx does not start.",
             fs={"verto": "nginx-port"}, sim=False,
             sim_why_not="the simulator has no mod_verto"),
    Scenario("nginx-verify-expired-wss", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on, eigene CA) und wss.pem ist abgelaufen: "
             "502, im nginx-Log 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on, own CA) and wss.pem has expired: 502, "
             "nginx logs 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             fs={"wss_cert": "expired"}, nginx={"verify": "lab-ca"}),
    Scenario("nginx-verify-system-cas", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on) gegen die System-CAs, wss.pem ist von "
             "einer eigenen CA: 502, '(19:self-signed certificate in certificate chain)' (ohne CA in wss.pem: "
             "'(20:unable to get local issuer certificate)').",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on) against the system CAs while wss.pem is "
             "from a private CA: 502, '(19:self-signed certificate in certificate chain)' (without the CA in "
             "wss.pem: '(20:unable to get local issuer certificate)').",
             nginx={"verify": "system"}),
    Scenario("wss-port-second-profile", "wss-port-shared-by-profiles", 1,
             "Ein zweites Profil internal-b (Kopie von internal.xml mit eigenem SIP-Port) behält wss-binding :7443: "
             "sofia-sip bindet beide Profile ohne Fehler (SO_REUSEPORT), der Kernel verteilt die WSS-Verbindungen "
             "zwischen ihnen.",
             "A second profile internal-b (a copy of internal.xml with its own SIP port) keeps wss-binding :7443: "
             "sofia-sip binds both profiles without an error (SO_REUSEPORT), the kernel spreads WSS connections "
             "between them.",
             fs={"second_profile": "same-wss"}, sim=False, sim_why_not="the simulator runs one sofia profile"),
])

# Causes of the scenarios above that the diagnosis does not know yet: their tests xfail (strict=False) until it does.
PENDING_CAUSES: set[str] = set()   # causes a scenario names that the diagnosis does not know yet

DEFAULT = "profile-stopped"  # the analysis' own situation: 7443 not listening
BY_NAME = {s.name: s for s in SCENARIOS}


def get(name: str) -> Scenario:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(BY_NAME)}") from None

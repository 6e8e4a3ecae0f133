"""The lab's scenarios: each reproduces one failure of the analysis (or the healthy control).

`cause` is the diagnosis id fsnb's runbook must name first (None when healthy); `exit` the exit
code `fsnb run` must give. What a scenario changes is typed (FsSettings, NginxSettings, TunnelSettings,
TargetSettings, Step, Blocker): an unknown setting or value is an error when the scenario is built, never a
healthy lab. The readers: fsnb/lab/layout.py and realconf.py (FreeSWITCH's files), manager.py (nginx, tunnel,
target, blockers, live steps), real.py.
"""
from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, field, fields
from enum import Enum, StrEnum


class _Settings:
    """Frozen settings built from keywords or a dict: unknown names are a TypeError, unknown values a ValueError;
    enum fields take their enum or its value."""

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for f in fields(self):
            v, kinds = getattr(self, f.name), typing.get_args(hints[f.name]) or (hints[f.name],)
            if v is None and type(None) in kinds:
                continue
            kind = next(k for k in kinds if k is not type(None))
            if isinstance(kind, type) and issubclass(kind, Enum):
                try:
                    v = kind(v)
                except ValueError:
                    raise ValueError(f"{type(self).__name__}.{f.name}: {v!r} is not one of "
                                     f"{[m.value for m in kind]}") from None
            elif not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
                raise TypeError(f"{type(self).__name__}.{f.name}: {v!r} is not {kind.__name__}")
            object.__setattr__(self, f.name, v)

    @classmethod
    def of(cls, v=None):
        """From an instance, a dict of settings (unknown keys: TypeError) or None (the defaults)."""
        if isinstance(v, cls):
            return v
        if v is None:
            return cls()
        if isinstance(v, dict):
            unknown = set(v) - {f.name for f in fields(cls)}
            if unknown:
                raise TypeError(f"{cls.__name__}: unknown settings {sorted(unknown)}; known: "
                                f"{[f.name for f in fields(cls)]}")
            return cls(**v)
        raise TypeError(f"{cls.__name__}: cannot build from {type(v).__name__}")


class WssBinding(StrEnum):
    ON = "on"
    COMMENTED = "commented"         # <!-- <param name="wss-binding" .../> -->


class WssPem(StrEnum):              # fsnb/lab/pki.wss_pem variants (fixtures 304a-c)
    GOOD = "good"
    CERT_ONLY = "cert-only"
    WRONG_KEY = "wrong-key"
    CA_FIRST = "ca-first"
    KEY_AFTER = "key-after"
    MISSING = "missing"             # no wss.pem: FreeSWITCH generates one (real lab only)


class WssCert(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"


class WssPort(StrEnum):
    OWN = "own"                     # wss-binding on the wss port
    WS = "ws"                       # wss-binding on the ws port (shared)


class CrtKey(StrEnum):
    NONE = "none"
    OLD_EXPIRED = "old-expired"     # an earlier wss.crt + wss.key beside wss.pem


class Verto(StrEnum):
    OWN_PORTS = "own-ports"         # the lab's verto ports
    NGINX_PORT = "nginx-port"       # vanilla's secure listener, on nginx's port (real lab only)


class Dialplan(StrEnum):
    """What the default context does with the echo extension 9196 (real lab only: the simulator takes no calls)."""
    ECHO = "echo"                   # an extension before the vanilla ones: answer, echo (the build has no mod_hash)
    VANILLA = "vanilla"             # as shipped: the first extensions call `hash` — every call ends 502
    PARK = "park"                   # 9196 answers and parks: FreeSWITCH takes the audio and sends none back


class DtlsPem(StrEnum):
    """certs_dir/dtls-srtp.pem, FreeSWITCH's DTLS-SRTP certificate (real lab only)."""
    GENERATED = "generated"         # none written: FreeSWITCH generates its own at start
    KEY_MISMATCH = "key-mismatch"   # an RSA-4096 key with another key's certificate: FreeSWITCH keeps it (it checks
    #                                 the key's size only) and every DTLS handshake fails ('audio DTLS key err')


class SecondProfile(StrEnum):
    NONE = "none"
    SAME_WSS = "same-wss"           # internal-b keeps internal's wss-binding (real lab only)


@dataclass(frozen=True)
class FsSettings(_Settings):
    """FreeSWITCH's config as the scenario wants it (simulator: layout.write_conf; real: realconf.write)."""
    wss_binding: WssBinding = WssBinding.ON
    wss_pem: WssPem = WssPem.GOOD
    wss_cert: WssCert = WssCert.VALID
    wss_crt_key: CrtKey = CrtKey.NONE
    wss_port: WssPort = WssPort.OWN
    ws_ip: str = ""                 # the address in ws-binding (empty: sip-ip)
    wss_ip: str = ""
    esl_listen_ip: str = "127.0.0.1"
    esl_acl: str = ""               # apply-inbound-acl (empty: none)
    verto: Verto = Verto.OWN_PORTS
    second_profile: SecondProfile = SecondProfile.NONE
    dialplan: Dialplan = Dialplan.ECHO
    dtls_pem: DtlsPem = DtlsPem.GENERATED
    codec_prefs: str = ""           # global_codec_prefs in vars.xml ("" = vanilla's)


class Upstream(StrEnum):
    WSS = "wss"
    WS = "ws"


class Scheme(StrEnum):
    HTTP = "http"
    HTTPS = "https"


class Verify(StrEnum):
    LAB_CA = "lab-ca"               # proxy_ssl_verify on against the lab's CA
    SYSTEM = "system"               # ... against the system CAs


@dataclass(frozen=True)
class NginxSettings(_Settings):
    """nginx :8082 (manager._start_nginx)."""
    upstream: Upstream = Upstream.WSS
    scheme: Scheme | None = None    # None: https to wss, http to ws
    upstream_closed: bool = False   # proxy_pass to a port where nothing listens
    upgrade_headers: bool = True
    verify: Verify | None = None    # None: proxy_ssl_verify off

    @property
    def proxy_scheme(self) -> Scheme:
        return self.scheme or (Scheme.HTTPS if self.upstream is Upstream.WSS else Scheme.HTTP)


class OriginScheme(StrEnum):
    HTTP = "http"
    HTTPS = "https"


@dataclass(frozen=True)
class TunnelSettings(_Settings):
    """cloudflared's ingress (manager._up); the edge stand-in routes as cloudflared's matched rule says."""
    service_port_delta: int = 0     # the ingress service's port, relative to nginx's
    catch_all: bool = True          # the last rule `service: http_status:404`
    catch_all_first: bool = False   # the catch-all before the hostname's rule (cloudflared refuses the order)
    origin_scheme: OriginScheme = OriginScheme.HTTP   # the service's scheme (nginx speaks plain HTTP)
    path: str = ""                  # a `path:` regex on the hostname's rule


class MediaClient(StrEnum):          # target.MEDIA_CLIENTS: where the browsers call from
    HOST = "host"
    LAN = "lan"
    INTERNET = "internet"


class Turn(StrEnum):
    """A TURN server for the browsers (manager: a coturn on the loopback, turnserver from Debian's coturn)."""
    NONE = "none"
    COTURN = "coturn"                       # running; the target names it with its user and password
    WRONG_PASSWORD = "wrong-password"       # running; the target's TURN password is not coturn's


@dataclass(frozen=True)
class TargetSettings(_Settings):
    """What the operator's target file gets wrong (manager._up)."""
    esl_password_wrong: bool = False
    sip_password_wrong: bool = False    # [sip] password: not the directory's
    media_client: MediaClient = MediaClient.HOST   # [media] client: the lab's browser is this host by default
    turn: Turn = Turn.NONE


class Step(StrEnum):
    """Live actions once FreeSWITCH is up (manager._up; real.live_step)."""
    PROFILE_STOP = "profile-stop"
    UNCOMMENT_WSS = "uncomment-wss"
    RELOADXML = "reloadxml"
    RESCAN = "rescan"


class BlockerKind(StrEnum):          # fsnb/lab/blocker.py
    HTTP = "http"
    TARPIT = "tarpit"


class LabPort(StrEnum):              # the fields of layout.Ports
    ESL = "esl"
    SIP = "sip"
    WS = "ws"
    WSS = "wss"
    NGINX = "nginx"
    EDGE = "edge"


class Blocker(typing.NamedTuple):
    kind: BlockerKind
    port: LabPort

    @classmethod
    def of(cls, v) -> "Blocker":
        kind, port = v
        return cls(BlockerKind(kind), LabPort(port))


@dataclass(frozen=True)
class Scenario:
    name: str
    cause: str | None
    exit: int
    description: str            # German, like the analysis
    description_en: str
    fs: FsSettings = field(default_factory=FsSettings)              # simulator config changes
    after_start: tuple[Step, ...] = ()                               # live actions once FreeSWITCH is up
    nginx: NginxSettings = field(default_factory=NginxSettings)      # nginx :8082 changes
    tunnel: TunnelSettings = field(default_factory=TunnelSettings)   # cloudflared ingress changes
    target: TargetSettings = field(default_factory=TargetSettings)   # what the operator's target gets wrong
    blockers: tuple[Blocker, ...] = ()                               # processes started before FreeSWITCH
    real: bool = True           # can run on a real FreeSWITCH (`fsnb lab up --real`, fsnb/lab/real.py)
    real_why_not: str = ""      # why not, when it cannot
    sim: bool = True            # the simulator reproduces it (False: real FreeSWITCH only; sim_why_not says why)
    sim_why_not: str = ""
    hostile: bool = False       # plant hostile strings and files into everything fsnb reads (fsnb/lab/hostile.py)
    log_history: tuple = ()     # freeswitch.log lines of an earlier run (a day old), written before FreeSWITCH starts

    def __post_init__(self):
        # dicts and plain strings are accepted, and checked: a typo is an error here, not a healthy lab
        for name, kind in (("fs", FsSettings), ("nginx", NginxSettings), ("tunnel", TunnelSettings),
                           ("target", TargetSettings)):
            object.__setattr__(self, name, kind.of(getattr(self, name)))
        object.__setattr__(self, "after_start", tuple(Step(s) for s in self.after_start))
        object.__setattr__(self, "blockers", tuple(Blocker.of(b) for b in self.blockers))
        if self.exit not in (0, 1):
            raise ValueError(f"scenario {self.name}: exit {self.exit!r}")
        if not self.real and not self.real_why_not or not self.sim and not self.sim_why_not:
            raise ValueError(f"scenario {self.name}: say why it cannot run (real_why_not / sim_why_not)")

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
             after_start=(Step.PROFILE_STOP,)),
    Scenario("wss-binding-missing", "wss-binding-not-applied", 1,
             "wss-binding ist in internal.xml auskommentiert: das Profil läuft, 7443 nicht.",
             "wss-binding is commented out in internal.xml: the profile runs, 7443 does not.",
             fs=FsSettings(wss_binding=WssBinding.COMMENTED)),
    Scenario("wss-binding-reloadxml", "wss-binding-not-applied", 1,
             "wss-binding wurde im laufenden Betrieb ergänzt, aber nur reloadxml/rescan ausgeführt: 7443 bleibt zu.",
             "wss-binding added on a running FreeSWITCH, but only reloadxml/rescan ran: 7443 stays closed.",
             fs=FsSettings(wss_binding=WssBinding.COMMENTED), after_start=(Step.UNCOMMENT_WSS, Step.RELOADXML, Step.RESCAN)),
    Scenario("port-7443-taken", "bind-failed", 1,
             "Ein anderes Programm hält 127.0.0.1:7443: das ganze Profil internal startet nicht (auch 5060/5066 nicht).",
             "Another program holds 127.0.0.1:7443: the whole internal profile fails (5060/5066 too).",
             blockers=(Blocker(BlockerKind.HTTP, LabPort.WSS),)),
    Scenario("wss-pem-cert-only", "wss-pem-bad", 1,
             "wss.pem enthält nur das Zertifikat, keinen Schlüssel: 'Bad WSS.PEM certificate.', Profil aus.",
             "wss.pem holds the certificate only, no key: 'Bad WSS.PEM certificate.', profile down.",
             fs=FsSettings(wss_pem=WssPem.CERT_ONLY)),
    Scenario("wss-pem-wrong-key", "wss-pem-bad", 1,
             "wss.pem enthält den Schlüssel eines anderen Zertifikats.",
             "wss.pem holds the key of another certificate.",
             fs=FsSettings(wss_pem=WssPem.WRONG_KEY)),
    Scenario("wss-pem-ca-first", "wss-pem-bad", 1,
             "wss.pem: CA-Zertifikat vor dem eigenen Zertifikat.",
             "wss.pem: CA certificate before the leaf.",
             fs=FsSettings(wss_pem=WssPem.CA_FIRST)),
    Scenario("esl-listen-ip", "esl-not-listening", 1,
             "event_socket listen-ip ist keine lokale Adresse: ESL lauscht nie, SIP läuft.",
             "event_socket listen-ip is not a local address: ESL never listens, SIP runs.",
             fs=FsSettings(esl_listen_ip="10.254.254.254")),
    Scenario("esl-acl", "esl-acl-rejects", 1,
             "Die ESL-ACL weist 127.0.0.1 ab (text/rude-rejection).",
             "The ESL ACL rejects 127.0.0.1 (text/rude-rejection).",
             fs=FsSettings(esl_acl="fsnb_deny_all")),
    Scenario("esl-wrong-password", "esl-bad-password", 1,
             "Das Ziel nutzt ein falsches ESL-Passwort (fs_cli: 'Error Connecting []').",
             "The target uses a wrong ESL password (fs_cli: 'Error Connecting []').",
             target=TargetSettings(esl_password_wrong=True)),
    Scenario("bound-elsewhere", "bound-elsewhere", 1,
             "ws/wss lauschen auf 127.0.0.2, nginx leitet an 127.0.0.1 weiter.",
             "ws/wss listen on 127.0.0.2 while nginx proxies to 127.0.0.1.",
             fs=FsSettings(ws_ip="127.0.0.2", wss_ip="127.0.0.2")),
    Scenario("nginx-http-to-tls", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass http:// an den TLS-Port 7443 (502).",
             "nginx: proxy_pass http:// to the TLS port 7443 (502).",
             nginx=NginxSettings(scheme=Scheme.HTTP, upstream=Upstream.WSS)),
    Scenario("nginx-tls-to-plain", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass https:// an den Klartext-Port 5066 (502 nach ~10 s).",
             "nginx: proxy_pass https:// to the plain port 5066 (502 after ~10 s).",
             nginx=NginxSettings(scheme=Scheme.HTTPS, upstream=Upstream.WS)),
    Scenario("nginx-upstream-down", "nginx-upstream-down", 1,
             "nginx leitet an einen Port weiter, auf dem nichts lauscht (502, Connection refused).",
             "nginx proxies to a port where nothing listens (502, connection refused).",
             nginx=NginxSettings(upstream_closed=True)),
    Scenario("alternative-via-mismatch", "via-transport-mismatch", 1,
             "Die Alternative der Analyse: TLS endet vor nginx, nginx leitet an ws 5066; der Browser sendet "
             "'Via: SIP/2.0/WSS' und FreeSWITCH antwortet gar nicht.",
             "The analysis' alternative: TLS ends in front of nginx, nginx proxies to ws 5066; the browser sends "
             "'Via: SIP/2.0/WSS' and FreeSWITCH answers nothing.",
             nginx=NginxSettings(scheme=Scheme.HTTP, upstream=Upstream.WS)),
    Scenario("tunnel-wrong-service", "tunnel-origin-unreachable", 1,
             "Die Tunnel-Ingress-Regel zeigt auf http://localhost:8083 statt auf nginx 8082.",
             "The tunnel ingress rule points at http://localhost:8083 instead of nginx 8082.",
             tunnel=TunnelSettings(service_port_delta=1)),
    Scenario("nginx-no-upgrade-headers", "nginx-websocket-config", 0,
             "nginx ohne proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH antwortet trotzdem (Warnung).",
             "nginx without proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH still answers (a warning).",
             nginx=NginxSettings(upgrade_headers=False)),
    Scenario("esl-tarpit", "esl-no-answer", 1,
             "Auf dem ESL-Port nimmt ein Programm Verbindungen an und antwortet nie.",
             "A program on the ESL port accepts connections and never answers.",
             blockers=(Blocker(BlockerKind.TARPIT, LabPort.ESL),)),
    Scenario("wss-tarpit", "bind-failed", 1,
             "Auf 7443 nimmt ein fremdes Programm Verbindungen an und antwortet nie; das Profil internal startet nicht.",
             "A foreign program on 7443 accepts connections and never answers; profile internal fails to start.",
             blockers=(Blocker(BlockerKind.TARPIT, LabPort.WSS),)),
    Scenario("esl-port-not-esl", "esl-port-not-esl", 1,
             "Auf dem ESL-Port läuft ein HTTP-Server (fs_cli hängt ohne -T).",
             "An HTTP server runs on the ESL port (fs_cli hangs without -T).",
             blockers=(Blocker(BlockerKind.HTTP, LabPort.ESL),)),
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
             fs=FsSettings(wss_cert=WssCert.EXPIRED)),
    Scenario("wss-cert-not-yet-valid", "wss-cert-not-yet-valid", 1,
             "wss.pem ist noch nicht gültig (notBefore in der Zukunft, z. B. falsche Uhr beim Ausstellen): "
             "FreeSWITCH liefert es aus, Browser lehnen es ab.",
             "wss.pem is not valid yet (notBefore in the future, e.g. a wrong clock when issued): FreeSWITCH serves "
             "it, browsers refuse it.",
             fs=FsSettings(wss_cert=WssCert.NOT_YET_VALID)),
    Scenario("wss-same-port-as-ws", "ws-wss-port-shared", 1,
             "wss-binding auf demselben Port wie ws-binding (:5066), nginx → https://…:5066: sofia-sip bindet beide "
             "(SO_REUSEPORT), der Kernel verteilt die Verbindungen — WS und WSS gelingen nur mal, mal nicht.",
             "wss-binding on the same port as ws-binding (:5066), nginx → https://…:5066: sofia-sip binds both "
             "(SO_REUSEPORT), the kernel spreads connections between them — WS and WSS work only now and then.",
             fs=FsSettings(wss_port=WssPort.WS), nginx=NginxSettings(scheme=Scheme.HTTPS, upstream=Upstream.WS)),
    Scenario("wss-crt-shadows-pem", "wss-cert-shadowed", 1,
             "Neues wss.pem, aber ein altes (abgelaufenes) wss.crt/wss.key liegt daneben: FreeSWITCH nimmt "
             "wss.crt/wss.key und liefert das alte Zertifikat aus.",
             "A new wss.pem, but an old (expired) wss.crt/wss.key lies beside it: FreeSWITCH takes wss.crt/wss.key "
             "and serves the old certificate.",
             fs=FsSettings(wss_crt_key=CrtKey.OLD_EXPIRED)),
    Scenario("verto-on-nginx-port", "nginx-port-taken", 1,
             "mod_verto behält seinen Standard-Port 8082 (secure) — mit Host-Netzwerk und vor nginx gestartet "
             "belegt FreeSWITCH den nginx-Port; nginx startet nicht.",
             "mod_verto keeps its default port 8082 (secure) — with host networking and started before nginx, "
             "FreeSWITCH holds nginx's port; nginx does not start.",
             fs=FsSettings(verto=Verto.NGINX_PORT), sim=False,
             sim_why_not="the simulator has no mod_verto"),
    Scenario("nginx-verify-expired-wss", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on, eigene CA) und wss.pem ist abgelaufen: "
             "502, im nginx-Log 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on, own CA) and wss.pem has expired: 502, "
             "nginx logs 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             fs=FsSettings(wss_cert=WssCert.EXPIRED), nginx=NginxSettings(verify=Verify.LAB_CA)),
    Scenario("nginx-verify-system-cas", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on) gegen die System-CAs, wss.pem ist von "
             "einer eigenen CA: 502, '(19:self-signed certificate in certificate chain)' (ohne CA in wss.pem: "
             "'(20:unable to get local issuer certificate)').",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on) against the system CAs while wss.pem is "
             "from a private CA: 502, '(19:self-signed certificate in certificate chain)' (without the CA in "
             "wss.pem: '(20:unable to get local issuer certificate)').",
             nginx=NginxSettings(verify=Verify.SYSTEM)),
    Scenario("wss-port-second-profile", "wss-port-shared-by-profiles", 1,
             "Ein zweites Profil internal-b (Kopie von internal.xml mit eigenem SIP-Port) behält wss-binding :7443: "
             "sofia-sip bindet beide Profile ohne Fehler (SO_REUSEPORT), der Kernel verteilt die WSS-Verbindungen "
             "zwischen ihnen.",
             "A second profile internal-b (a copy of internal.xml with its own SIP port) keeps wss-binding :7443: "
             "sofia-sip binds both profiles without an error (SO_REUSEPORT), the kernel spreads WSS connections "
             "between them.",
             fs=FsSettings(second_profile=SecondProfile.SAME_WSS), sim=False, sim_why_not="the simulator runs one sofia profile"),
])

# Issue #23: causes that had no scenario, where an existing part of the lab reproduces them
SCENARIOS.extend([
    Scenario("sip-wrong-password", "sip-register-rejected", 1,
             "WebSocket und SIP funktionieren, aber das Ziel nennt ein falsches SIP-Passwort: REGISTER mit Digest "
             "wird mit 403 abgelehnt.",
             "WebSocket and SIP work, but the target names a wrong SIP password: REGISTER with digest is refused "
             "with 403.",
             target=TargetSettings(sip_password_wrong=True)),
    Scenario("tunnel-no-catch-all", "tunnel-config-invalid", 1,
             "Die Tunnel-Konfiguration hat keine Catch-all-Regel am Ende: cloudflared lehnt sie ab und startet nicht "
             "(`ingress validate`: „The last ingress rule must match all URLs“).",
             "The tunnel config has no catch-all rule at the end: cloudflared refuses it and does not start "
             "(`ingress validate`: \"The last ingress rule must match all URLs\").",
             tunnel=TunnelSettings(catch_all=False)),
    Scenario("tunnel-catch-all-first", "tunnel-config-invalid", 1,
             "Die Catch-all-Regel steht vor der Regel für den Hostnamen: cloudflared lehnt die Reihenfolge ab.",
             "The catch-all rule comes before the hostname's rule: cloudflared refuses the order.",
             tunnel=TunnelSettings(catch_all_first=True)),
    Scenario("tunnel-path-mismatch", "tunnel-origin-unreachable", 1,
             "Die Regel für den Hostnamen hat `path: ^/ws$`: die öffentliche URL `/` trifft den Catch-all (404).",
             "The hostname's rule has `path: ^/ws$`: the public URL `/` matches the catch-all (404).",
             tunnel=TunnelSettings(path="^/ws$")),
    Scenario("tunnel-https-origin", "tunnel-origin-tls", 1,
             "Die Ingress-Regel sagt `https://localhost:8082`, nginx spricht dort HTTP: cloudflared scheitert am TLS.",
             "The ingress rule says `https://localhost:8082`, nginx speaks plain HTTP there: cloudflared fails at TLS.",
             tunnel=TunnelSettings(origin_scheme=OriginScheme.HTTPS)),
])

# Issue #22, Step 5 (media): a real WebRTC call through the whole chain — the real FreeSWITCH only
NO_MEDIA = "the simulator carries no media: it answers INVITE with 405 (Step 5 says so and skips the call)"
SCENARIOS.extend([
    Scenario("media-dialplan-vanilla", "call-not-routed", 1,
             "Der Dialplan ist der mitgelieferte: seine ersten Extensions rufen `hash` auf (mod_hash ist nicht gebaut) — "
             "jeder Anruf endet mit 'Invalid Application hash', 502.",
             "The dialplan is the shipped one: its first extensions call `hash` (mod_hash is not built) — every call "
             "ends with 'Invalid Application hash', 502.",
             fs=FsSettings(dialplan=Dialplan.VANILLA), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-no-common-codec", "no-common-codec", 1,
             "global_codec_prefs nennt nur OPUS und G722, die dieser Build nicht hat: FreeSWITCH lehnt jedes Angebot "
             "mit 488 ab.",
             "global_codec_prefs names only OPUS and G722, which this build lacks: FreeSWITCH refuses every offer "
             "with 488.",
             fs=FsSettings(codec_prefs="OPUS,G722"), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-internet-no-turn", "media-only-tunnel", 1,
             "Die Browser kommen aus dem Internet (nur über den Tunnel), FreeSWITCH nennt 127.0.0.1 als Medienadresse "
             "und es gibt keinen TURN-Server: Anrufe verbinden ohne Ton.",
             "The browsers come from the internet (through the tunnel only), FreeSWITCH names 127.0.0.1 as its media "
             "address and there is no TURN server: calls connect without audio.",
             target=TargetSettings(media_client=MediaClient.INTERNET), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-lan-client-loopback", "media-address-unreachable", 1,
             "Die Browser sitzen im LAN, FreeSWITCHs rtp-ip ist 127.0.0.1: die SDP-Antwort nennt eine Adresse, die "
             "für jeden anderen Rechner dessen eigener Loopback ist.",
             "The browsers are on the LAN, FreeSWITCH's rtp-ip is 127.0.0.1: the SDP answer names an address that is "
             "every other machine's own loopback.",
             target=TargetSettings(media_client=MediaClient.LAN), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-internet-turn", None, 0,
             "Die Browser kommen aus dem Internet, FreeSWITCH nennt nur 127.0.0.1 — aber ein TURN-Server (coturn) "
             "ist eingetragen: die Medien laufen über das Relay, der Anruf hat Ton.",
             "The browsers come from the internet, FreeSWITCH names only 127.0.0.1 — but a TURN server (coturn) is "
             "configured: media goes through the relay and the call has audio.",
             target=TargetSettings(media_client=MediaClient.INTERNET, turn=Turn.COTURN), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-turn-wrong-password", "turn-unusable", 1,
             "Wie media-internet-turn, aber das TURN-Passwort der Browser ist nicht das des TURN-Servers: kein Relay, "
             "kein Ton.",
             "As media-internet-turn, but the browsers' TURN password is not the TURN server's: no relay, no audio.",
             target=TargetSettings(media_client=MediaClient.INTERNET, turn=Turn.WRONG_PASSWORD), sim=False,
             sim_why_not=NO_MEDIA),
    Scenario("media-dtls-key-mismatch", "dtls-srtp-failed", 1,
             "dtls-srtp.pem im certs_dir enthält einen Schlüssel, der nicht zum Zertifikat gehört (z. B. ein "
             "Deploy-Hook kopierte nur das neue Zertifikat): ICE steht, DTLS scheitert ('audio DTLS key err').",
             "dtls-srtp.pem in certs_dir holds a key that does not belong to its certificate (e.g. a deploy hook "
             "copied only the new certificate): ICE is up, DTLS fails ('audio DTLS key err').",
             fs=FsSettings(dtls_pem=DtlsPem.KEY_MISMATCH), sim=False, sim_why_not=NO_MEDIA),
    Scenario("media-one-way", "one-way-audio", 1,
             "9196 nimmt an und parkt: FreeSWITCH empfängt den Ton des Browsers und schickt keinen zurück.",
             "9196 answers and parks: FreeSWITCH receives the browser's audio and sends none back.",
             fs=FsSettings(dialplan=Dialplan.PARK), sim=False, sim_why_not=NO_MEDIA),
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

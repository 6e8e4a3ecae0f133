"""The lab's scenarios: each reproduces one failure of the analysis (or the healthy control).

`cause` is the diagnosis id fsnb's runbook must name first (None when healthy); `exit` the exit
code `fsnb run` must give. What a scenario changes is typed (FsSettings, NginxSettings, TunnelSettings,
TargetSettings, Step, Blocker): an unknown setting or value is an error when the scenario is built, never a
healthy lab. The readers: fsnb/lab/layout.py and realconf.py (FreeSWITCH's files), manager.py (nginx, tunnel,
target, blockers, live steps), real.py.
Over 500 lines: a declaration, one entry per scenario with its typed settings and its training ticket.
"""
from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, field, fields
from enum import Enum, StrEnum

from fsnb.i18n import T


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


class Network(StrEnum):
    """Where the real FreeSWITCH container's sockets live (fsnb/lab/real.py; issue #18)."""
    HOST = "host"                   # --network host: its 127.0.0.1 is this machine's
    OWN_NETNS = "own-netns"         # its own network namespace (Docker's `none`: loopback only), nothing published
    OWN_NETNS_PUBLISHED = "own-netns-published"   # ... with wss/ws/sip/ESL forwarded from this machine's loopback

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
    network: Network = Network.HOST         # real lab only
    ws_binding: bool = True                 # False: no ws-binding at all (no plain WS port; nginx → wss needs none)
    esl_password_symbols: bool = False      # the ESL password has spaces and XML/shell symbols (escaped in the XML)
    operator_pem_at: str = ""               # the operator's good wss.pem in this dir of the container (real lab only)
    bare_ampersand: bool = False            # internal.xml: `value="AIDevelo & Co"` (FreeSWITCH reads past it)
    wss_binding_port_only: bool = False     # wss-binding value="7443" (no ':'): sofia-sip binds nothing
    wss_profile: str = "internal"           # "external": the wss-binding put into external.xml instead (real lab only)
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
    other_default_server: bool = False   # another file in sites/ is default_server on nginx's port (return 404)
    upstream_variable: bool = False  # proxy_pass through a variable (`set $fs_upstream …`): the file names no port,
    #                                  only nginx's error log tells what went wrong (proxy_connect_timeout 1s: within the hop's deadline)
    redirect_https: bool = False    # `return 301 https://$host$request_uri;` in the proxying location
    deny_loopback: bool = False     # `allow 10.0.0.0/8; deny all;`: the tunnel's 127.0.0.1 is refused (403)
    listen_http2: bool = False      # `listen … http2` without ssl: HTTP/2 prior knowledge only (nginx ≤ 1.24)
    ssl_protocols: str = ""         # `proxy_ssl_protocols …` towards FreeSWITCH (e.g. TLSv1: OpenSSL 3 refuses it)
    hide_subprotocol: bool = False  # `proxy_hide_header Sec-WebSocket-Protocol;`: the 101 reaches browsers without it
    rate_limit: bool = False        # `limit_req` keyed by $binary_remote_addr: behind the tunnel all clients are one

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
    dirs_named: bool = True             # False: the target names no conf/certs/log dir (fsnb must find them itself)
    media_client: MediaClient = MediaClient.HOST   # [media] client: the lab's browser is this host by default
    turn: Turn = Turn.NONE


class Step(StrEnum):
    """Live actions once FreeSWITCH is up (manager._up; real.live_step)."""
    PROFILE_STOP = "profile-stop"
    UNCOMMENT_WSS = "uncomment-wss"
    RELOADXML = "reloadxml"
    RESCAN = "rescan"
    BREAK_XML = "break-xml"         # a wrong closing tag written into internal.xml once the profile runs
    PAUSE_CONTAINER = "pause-container"   # `docker pause` of FreeSWITCH's container (real lab only)
    STOP_PROCESS = "stop-process"         # SIGSTOP to FreeSWITCH's process (Ctrl-Z of a foreground session)


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
    # the training's ticket for it (fsnb/present/training): (label, briefing) — symptoms and circumstances only,
    # never the scenario's name, cause or description
    briefing: tuple[T, T] | None = None

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
             after_start=(Step.PROFILE_STOP,),
        briefing=(
        T("Nach der Nachtschicht ist alles still", "All quiet after the night shift"),
        T("Seit heute Morgen verbindet kein Browser-Telefon, und auch die Tischtelefone registrieren sich nicht mehr. "
          "Die Nachtschicht sagt, sie habe „nur kurz etwas ausprobiert“. Das Monitoring meldet Port 7443 als geschlossen.",
          "Since this morning no browser phone connects, and the desk phones no longer register either. The night "
          "shift says they “only tried something quickly”. Monitoring reports port 7443 as closed.")),),
    Scenario("wss-binding-missing", "wss-binding-not-applied", 1,
             "wss-binding ist in internal.xml auskommentiert: das Profil läuft, 7443 nicht.",
             "wss-binding is commented out in internal.xml: the profile runs, 7443 does not.",
             fs=FsSettings(wss_binding=WssBinding.COMMENTED),
        briefing=(
        T("Neuer Server: das Browser-Telefon ging dort noch nie", "New server: the browser phone never worked there"),
        T("Auf dem neu aufgesetzten Server funktionieren die Tischtelefone (SIP) vom ersten Tag an; das Browser-Telefon "
          "hat sich dort noch nie verbunden. Das Monitoring meldet Port 7443 als geschlossen.",
          "On the newly set-up server the desk phones (SIP) work from day one; the browser phone has never connected "
          "there. Monitoring reports port 7443 as closed.")),),
    Scenario("wss-binding-reloadxml", "wss-binding-not-applied", 1,
             "wss-binding wurde im laufenden Betrieb ergänzt, aber nur reloadxml/rescan ausgeführt: 7443 bleibt zu.",
             "wss-binding added on a running FreeSWITCH, but only reloadxml/rescan ran: 7443 stays closed.",
             fs=FsSettings(wss_binding=WssBinding.COMMENTED), after_start=(Step.UNCOMMENT_WSS, Step.RELOADXML, Step.RESCAN),
        briefing=(
        T("Konfiguration ergänzt, neu geladen — wirkt nicht", "Config added and reloaded — no effect"),
        T("Ein Kollege hat gestern die Konfiguration für das Browser-Telefon ergänzt und neu geladen, „ohne Neustart, um "
          "keine Gespräche zu kappen“. Die Tischtelefone laufen, das Browser-Telefon verbindet weiter nicht; Port 7443 "
          "bleibt geschlossen.",
          "Yesterday a colleague added the config for the browser phone and reloaded it, “without a restart, so as not "
          "to drop calls”. The desk phones work, the browser phone still does not connect; port 7443 stays closed.")),),
    Scenario("port-7443-taken", "bind-failed", 1,
             "Ein anderes Programm hält 127.0.0.1:7443: das ganze Profil internal startet nicht (auch 5060/5066 nicht).",
             "Another program holds 127.0.0.1:7443: the whole internal profile fails (5060/5066 too).",
             blockers=(Blocker(BlockerKind.HTTP, LabPort.WSS),),
        briefing=(
        T("Seit der Installation eines Agenten geht nichts mehr", "Nothing works since an agent was installed"),
        T("Auf dem Host wurde ein neuer Monitoring-Agent installiert, danach wurde FreeSWITCH neu gestartet. Seitdem "
          "gehen weder Browser- noch Tischtelefone. Auf 7443 antwortet zwar etwas — aber kein WebSocket.",
          "A new monitoring agent was installed on the host, then FreeSWITCH was restarted. Since then neither browser "
          "nor desk phones work. Something does answer on 7443 — but no WebSocket.")),),
    Scenario("wss-pem-cert-only", "wss-pem-bad", 1,
             "wss.pem enthält nur das Zertifikat, keinen Schlüssel: 'Bad WSS.PEM certificate.', Profil aus.",
             "wss.pem holds the certificate only, no key: 'Bad WSS.PEM certificate.', profile down.",
             fs=FsSettings(wss_pem=WssPem.CERT_ONLY),
        briefing=(
        T("Nach dem nächtlichen Zertifikatstausch", "After the nightly certificate swap"),
        T("Gestern Abend wurde das Zertifikat für den Hostnamen getauscht und FreeSWITCH neu gestartet. Seitdem "
          "verbinden weder Browser- noch Tischtelefone; Port 7443 ist geschlossen.",
          "Last night the certificate for the hostname was swapped and FreeSWITCH restarted. Since then neither "
          "browser nor desk phones connect; port 7443 is closed.")),),
    Scenario("wss-pem-wrong-key", "wss-pem-bad", 1,
             "wss.pem enthält den Schlüssel eines anderen Zertifikats.",
             "wss.pem holds the key of another certificate.",
             fs=FsSettings(wss_pem=WssPem.WRONG_KEY),
        briefing=(
        T("Dateien vom Dienstleister eingespielt", "Files from the provider installed"),
        T("Der Dienstleister hat „Zertifikat und Schlüssel“ per Mail geschickt; ein Kollege hat beides eingespielt und "
          "neu gestartet. Jetzt registriert sich kein Telefon mehr, Port 7443 ist zu.",
          "The provider mailed “certificate and key”; a colleague installed both and restarted. Now no phone registers "
          "any more, port 7443 is closed.")),),
    Scenario("wss-pem-ca-first", "wss-pem-bad", 1,
             "wss.pem: CA-Zertifikat vor dem eigenen Zertifikat.",
             "wss.pem: CA certificate before the leaf.",
             fs=FsSettings(wss_pem=WssPem.CA_FIRST),
        briefing=(
        T("Nach einer Wiki-Anleitung von Hand gebaut", "Built by hand from a wiki how-to"),
        T("Eine Datei wurde nach einer Anleitung aus dem Wiki von Hand zusammengesetzt, danach Neustart. Seitdem ist das "
          "ganze SIP-Profil stumm: kein Browser-Telefon, kein Tischtelefon.",
          "A file was put together by hand from a wiki how-to, then a restart. Since then the whole SIP profile is "
          "silent: no browser phone, no desk phone.")),),
    Scenario("esl-listen-ip", "esl-not-listening", 1,
             "event_socket listen-ip ist keine lokale Adresse: ESL lauscht nie, SIP läuft.",
             "event_socket listen-ip is not a local address: ESL never listens, SIP runs.",
             fs=FsSettings(esl_listen_ip="10.254.254.254"),
        briefing=(
        T("Monitoring rot seit dem Umzug", "Monitoring red since the move"),
        T("Seit dem Umzug auf den neuen Host meldet das Monitoring (`fs_cli -x status`) einen Verbindungsfehler. Die "
          "Nutzer sagen, telefonieren gehe normal.",
          "Since the move to the new host, monitoring (`fs_cli -x status`) reports a connection error. Users say "
          "calls work as usual.")),),
    Scenario("esl-acl", "esl-acl-rejects", 1,
             "Die ESL-ACL weist 127.0.0.1 ab (text/rude-rejection).",
             "The ESL ACL rejects 127.0.0.1 (text/rude-rejection).",
             fs=FsSettings(esl_acl="fsnb_deny_all"),
        briefing=(
        T("Monitoring rot nach der Sicherheitshärtung", "Monitoring red after the security hardening"),
        T("Nach einer „Sicherheitshärtung“ am Wochenende meldet das Monitoring FreeSWITCH als gestört. Telefonie "
          "scheint zu gehen.",
          "After a “security hardening” at the weekend, monitoring reports FreeSWITCH as broken. Telephony seems to "
          "work.")),),
    Scenario("esl-wrong-password", "esl-bad-password", 1,
             "Das Ziel nutzt ein falsches ESL-Passwort (fs_cli: 'Error Connecting []').",
             "The target uses a wrong ESL password (fs_cli: 'Error Connecting []').",
             target=TargetSettings(esl_password_wrong=True),
        briefing=(
        T("Monitoring rot seit dem Passwortwechsel", "Monitoring red since the password change"),
        T("Seit dem Passwortwechsel letzte Woche meldet das Monitoring-Skript nur noch „Error Connecting []“. Die "
          "Telefonie läuft.",
          "Since last week's password change, the monitoring script only reports “Error Connecting []”. Telephony "
          "works.")),),
    Scenario("bound-elsewhere", "bound-elsewhere", 1,
             "ws/wss lauschen auf 127.0.0.2, nginx leitet an 127.0.0.1 weiter.",
             "ws/wss listen on 127.0.0.2 while nginx proxies to 127.0.0.1.",
             fs=FsSettings(ws_ip="127.0.0.2", wss_ip="127.0.0.2"),
        briefing=(
        T("Proxy antwortet 502 — „aber 7443 lauscht doch!“", "Proxy answers 502 — “but 7443 is listening!”"),
        T("Das Browser-Telefon verbindet nicht, der Proxy antwortet 502. Ein Kollege sagt: „FreeSWITCH lauscht doch "
          "auf 7443, hab ich mit ss gesehen!“",
          "The browser phone does not connect, the proxy answers 502. A colleague says: “But FreeSWITCH is listening "
          "on 7443, I saw it with ss!”")),),
    Scenario("nginx-http-to-tls", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass http:// an den TLS-Port 7443 (502).",
             "nginx: proxy_pass http:// to the TLS port 7443 (502).",
             nginx=NginxSettings(scheme=Scheme.HTTP, upstream=Upstream.WSS),
        briefing=(
        T("Sofort 502 nach dem Proxy-Umbau", "Instant 502 after the proxy rework"),
        T("Nach dem Umbau der Proxy-Konfiguration bekommt das Browser-Telefon sofort HTTP 502. FreeSWITCH selbst scheint "
          "zu laufen, die Tischtelefone gehen.",
          "After the proxy config was reworked, the browser phone gets HTTP 502 at once. FreeSWITCH itself seems to "
          "run, the desk phones work.")),),
    Scenario("nginx-tls-to-plain", "nginx-scheme-mismatch", 1,
             "nginx: proxy_pass https:// an den Klartext-Port 5066 (502 nach ~10 s).",
             "nginx: proxy_pass https:// to the plain port 5066 (502 after ~10 s).",
             nginx=NginxSettings(scheme=Scheme.HTTPS, upstream=Upstream.WS),
        briefing=(
        T("502 nach zehn Sekunden Warten", "502 after ten seconds of waiting"),
        T("Das Browser-Telefon wartet rund zehn Sekunden und bekommt dann HTTP 502. Die Tischtelefone gehen.",
          "The browser phone waits about ten seconds and then gets HTTP 502. The desk phones work.")),),
    Scenario("nginx-upstream-down", "nginx-upstream-down", 1,
             "nginx leitet an einen Port weiter, auf dem nichts lauscht (502, Connection refused).",
             "nginx proxies to a port where nothing listens (502, connection refused).",
             nginx=NginxSettings(upstream_closed=True),
        briefing=(
        T("Sofort 502 — „FreeSWITCH ist geprüft“", "Instant 502 — “FreeSWITCH is checked”"),
        T("Das Browser-Telefon bekommt sofort HTTP 502. Im Ticket steht: „FreeSWITCH läuft, 7443 ist offen, hab ich "
          "geprüft.“",
          "The browser phone gets HTTP 502 at once. The ticket says: “FreeSWITCH runs, 7443 is open, I checked.”")),),
    Scenario("alternative-via-mismatch", "via-transport-mismatch", 1,
             "Die Alternative der Analyse: TLS endet vor nginx, nginx leitet an ws 5066; der Browser sendet "
             "'Via: SIP/2.0/WSS' und FreeSWITCH antwortet gar nicht.",
             "The analysis' alternative: TLS ends in front of nginx, nginx proxies to ws 5066; the browser sends "
             "'Via: SIP/2.0/WSS' and FreeSWITCH answers nothing.",
             nginx=NginxSettings(scheme=Scheme.HTTP, upstream=Upstream.WS),
        briefing=(
        T("Verbindet, registriert sich aber nie", "Connects, but never registers"),
        T("Der WebSocket verbindet, aber das Browser-Telefon registriert sich nie (Zeitüberschreitung beim REGISTER). "
          "Ein Kollege hat letzte Woche „TLS vereinfacht“.",
          "The WebSocket connects, but the browser phone never registers (REGISTER times out). Last week a colleague "
          "“simplified TLS”.")),),
    Scenario("tunnel-wrong-service", "tunnel-origin-unreachable", 1,
             "Die Tunnel-Ingress-Regel zeigt auf http://localhost:8083 statt auf nginx 8082.",
             "The tunnel ingress rule points at http://localhost:8083 instead of nginx 8082.",
             tunnel=TunnelSettings(service_port_delta=1),
        briefing=(
        T("Von außen Fehler, intern geht es", "Fails from outside, works inside"),
        T("Von außen antwortet wss://freeswitch.aidevelo.ai/ mit einem Fehler; intern soll alles gehen. Am Tunnel wurde "
          "zuletzt „aufgeräumt“.",
          "From outside wss://freeswitch.aidevelo.ai/ answers with an error; inside everything is said to work. The "
          "tunnel was “tidied up” recently.")),),
    Scenario("nginx-no-upgrade-headers", "nginx-websocket-config", 0,
             "nginx ohne proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH antwortet trotzdem (Warnung).",
             "nginx without proxy_http_version 1.1/Upgrade/Connection: FreeSWITCH still answers (a warning).",
             nginx=NginxSettings(upgrade_headers=False),
        briefing=(
        T("Verbindet, bricht aber nach Stille ab", "Connects, but drops after silence"),
        T("Browser-Telefone verbinden, Nutzer berichten aber von Abbrüchen nach etwa einer Minute ohne Gespräch. Ein "
          "Kollege meint, die Proxy-Konfiguration sei „irgendwie kürzer als die Vorlage“.",
          "Browser phones connect, but users report drops after about a minute without a call. A colleague says the "
          "proxy config is “somehow shorter than the template”.")),),
    Scenario("esl-tarpit", "esl-no-answer", 1,
             "Auf dem ESL-Port nimmt ein Programm Verbindungen an und antwortet nie.",
             "A program on the ESL port accepts connections and never answers.",
             blockers=(Blocker(BlockerKind.TARPIT, LabPort.ESL),),
        briefing=(
        T("fs_cli hängt ohne Ausgabe", "fs_cli hangs without output"),
        T("`fs_cli -x status` hängt ohne jede Ausgabe, bis man es abbricht; das Monitoring meldet Zeitüberschreitungen. "
          "Ob Telefonie betroffen ist, weiß noch niemand.",
          "`fs_cli -x status` hangs without any output until interrupted; monitoring reports timeouts. Nobody knows yet "
          "whether telephony is affected.")),),
    Scenario("wss-tarpit", "bind-failed", 1,
             "Auf 7443 nimmt ein fremdes Programm Verbindungen an und antwortet nie; das Profil internal startet nicht.",
             "A foreign program on 7443 accepts connections and never answers; profile internal fails to start.",
             blockers=(Blocker(BlockerKind.TARPIT, LabPort.WSS),),
        briefing=(
        T("Browser-Telefone hängen beim Verbinden", "Browser phones hang while connecting"),
        T("Browser-Telefone hängen beim Verbinden, bis sie aufgeben; Tischtelefone registrieren sich nicht mehr. Ein "
          "Portscan sagt: 7443 ist offen.",
          "Browser phones hang while connecting until they give up; desk phones no longer register. A port scan says: "
          "7443 is open.")),),
    Scenario("esl-port-not-esl", "esl-port-not-esl", 1,
             "Auf dem ESL-Port läuft ein HTTP-Server (fs_cli hängt ohne -T).",
             "An HTTP server runs on the ESL port (fs_cli hangs without -T).",
             blockers=(Blocker(BlockerKind.HTTP, LabPort.ESL),),
        briefing=(
        T("Monitoring rot seit einem Testserver", "Monitoring red since a test server"),
        T("Seit ein Entwickler auf dem Host „kurz einen Testserver“ gestartet hat, meldet das Monitoring FreeSWITCH als "
          "gestört. Telefonie: unklar.",
          "Since a developer started “a quick test server” on the host, monitoring reports FreeSWITCH as broken. "
          "Telephony: unclear.")),),
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
             fs=FsSettings(wss_cert=WssCert.EXPIRED),
        briefing=(
        T("Zertifikatswarnung beim direkten Test", "Certificate warning in a direct test"),
        T("Ein Entwickler, der direkt gegen wss://…:7443 testet, bekommt im Browser eine Zertifikatswarnung; über die "
          "öffentliche Adresse geht es. Der Kalendereintrag „Zertifikat erneuern“ wurde weggeklickt.",
          "A developer testing directly against wss://…:7443 gets a certificate warning in the browser; through the "
          "public address it works. The calendar reminder “renew certificate” was dismissed.")),),
    Scenario("wss-cert-not-yet-valid", "wss-cert-not-yet-valid", 1,
             "wss.pem ist noch nicht gültig (notBefore in der Zukunft, z. B. falsche Uhr beim Ausstellen): "
             "FreeSWITCH liefert es aus, Browser lehnen es ab.",
             "wss.pem is not valid yet (notBefore in the future, e.g. a wrong clock when issued): FreeSWITCH serves "
             "it, browsers refuse it.",
             fs=FsSettings(wss_cert=WssCert.NOT_YET_VALID),
        briefing=(
        T("Frisch ausgestellt, trotzdem abgelehnt", "Freshly issued, still refused"),
        T("Direkt nach dem Zertifikatstausch lehnen Browser die direkte Verbindung zu 7443 ab; über die öffentliche "
          "Adresse geht es. Die Uhr des Rechners, auf dem es ausgestellt wurde, „ging ein bisschen falsch“.",
          "Right after the certificate swap, browsers refuse the direct connection to 7443; through the public address "
          "it works. The clock of the machine that issued it “was a bit off”.")),),
    Scenario("wss-same-port-as-ws", "ws-wss-port-shared", 1,
             "wss-binding auf demselben Port wie ws-binding (:5066), nginx → https://…:5066: sofia-sip bindet beide "
             "(SO_REUSEPORT), der Kernel verteilt die Verbindungen — WS und WSS gelingen nur mal, mal nicht.",
             "wss-binding on the same port as ws-binding (:5066), nginx → https://…:5066: sofia-sip binds both "
             "(SO_REUSEPORT), the kernel spreads connections between them — WS and WSS work only now and then.",
             fs=FsSettings(wss_port=WssPort.WS), nginx=NginxSettings(scheme=Scheme.HTTPS, upstream=Upstream.WS),
        briefing=(
        T("Mal geht es, mal nicht — wechselnde Fehler", "Works now and then — changing errors"),
        T("Browser-Telefone verbinden mal, mal nicht; die Fehler wechseln zwischen TLS-Fehler und geschlossener "
          "Verbindung. Jemand hat „die Ports zusammengelegt, damit nur einer offen sein muss“.",
          "Browser phones connect now and then; the errors alternate between a TLS error and a closed connection. "
          "Somebody “merged the ports so that only one has to be open”.")),),
    Scenario("wss-crt-shadows-pem", "wss-cert-shadowed", 1,
             "Neues wss.pem, aber ein altes (abgelaufenes) wss.crt/wss.key liegt daneben: FreeSWITCH nimmt "
             "wss.crt/wss.key und liefert das alte Zertifikat aus.",
             "A new wss.pem, but an old (expired) wss.crt/wss.key lies beside it: FreeSWITCH takes wss.crt/wss.key "
             "and serves the old certificate.",
             fs=FsSettings(wss_crt_key=CrtKey.OLD_EXPIRED),
        briefing=(
        T("Erneuert — und doch das alte Zertifikat", "Renewed — and still the old certificate"),
        T("Das Zertifikat wurde erneuert und das Profil neu gestartet — trotzdem zeigt der Browser bei direkter "
          "Verbindung zu 7443 weiter das alte, abgelaufene Zertifikat.",
          "The certificate was renewed and the profile restarted — still, a direct connection to 7443 shows the old, "
          "expired certificate in the browser.")),),
    Scenario("verto-on-nginx-port", "nginx-port-taken", 1,
             "mod_verto behält seinen Standard-Port 8082 (secure) — mit Host-Netzwerk und vor nginx gestartet "
             "belegt FreeSWITCH den nginx-Port; nginx startet nicht.",
             "mod_verto keeps its default port 8082 (secure) — with host networking and started before nginx, "
             "FreeSWITCH holds nginx's port; nginx does not start.",
             fs=FsSettings(verto=Verto.NGINX_PORT), sim=False,
             sim_why_not="the simulator has no mod_verto",
        briefing=(
        T("Nach dem Wechsel auf Host-Netzwerk", "After the switch to host networking"),
        T("Seit der Container mit Host-Netzwerk läuft, startet der Proxy nicht mehr; das Browser-Telefon bekommt keine "
          "Verbindung.", "Since the container runs with host networking the proxy no longer starts; the browser phone "
          "gets no connection.")),),
    Scenario("nginx-verify-expired-wss", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on, eigene CA) und wss.pem ist abgelaufen: "
             "502, im nginx-Log 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on, own CA) and wss.pem has expired: 502, "
             "nginx logs 'upstream SSL certificate verify error: (10:certificate has expired)'.",
             fs=FsSettings(wss_cert=WssCert.EXPIRED), nginx=NginxSettings(verify=Verify.LAB_CA),
        briefing=(
        T("502 seit der Proxy-Härtung", "502 since the proxy hardening"),
        T("Nach einer Härtung der Proxy-Konfiguration („Upstream-Zertifikate prüfen“) bekommt das Browser-Telefon HTTP "
          "502. Direkt auf 7443 meldet der Browser eine Zertifikatswarnung.",
          "After the proxy config was hardened (“verify upstream certificates”), the browser phone gets HTTP 502. "
          "Directly on 7443 the browser shows a certificate warning.")),),
    Scenario("nginx-verify-system-cas", "nginx-upstream-cert-rejected", 1,
             "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on) gegen die System-CAs, wss.pem ist von "
             "einer eigenen CA: 502, '(19:self-signed certificate in certificate chain)' (ohne CA in wss.pem: "
             "'(20:unable to get local issuer certificate)').",
             "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on) against the system CAs while wss.pem is "
             "from a private CA: 502, '(19:self-signed certificate in certificate chain)' (without the CA in "
             "wss.pem: '(20:unable to get local issuer certificate)').",
             nginx=NginxSettings(verify=Verify.SYSTEM),
        briefing=(
        T("502 seit der „sicheren Vorlage“", "502 since the “secure template”"),
        T("Seit die Proxy-Konfiguration gegen eine „sichere Vorlage“ aus dem Internet getauscht wurde, bekommt das "
          "Browser-Telefon HTTP 502. Direkt auf 7443 klappt der Handshake.",
          "Since the proxy config was swapped for a “secure template” from the internet, the browser phone gets HTTP "
          "502. Directly on 7443 the handshake works.")),),
    Scenario("wss-port-second-profile", "wss-port-shared-by-profiles", 1,
             "Ein zweites Profil internal-b (Kopie von internal.xml mit eigenem SIP-Port) behält wss-binding :7443: "
             "sofia-sip bindet beide Profile ohne Fehler (SO_REUSEPORT), der Kernel verteilt die WSS-Verbindungen "
             "zwischen ihnen.",
             "A second profile internal-b (a copy of internal.xml with its own SIP port) keeps wss-binding :7443: "
             "sofia-sip binds both profiles without an error (SO_REUSEPORT), the kernel spreads WSS connections "
             "between them.",
             fs=FsSettings(second_profile=SecondProfile.SAME_WSS), sim=False, sim_why_not="the simulator runs one sofia profile",
        briefing=(
        T("Manche registrieren sich, andere nicht", "Some register, others do not"),
        T("Manche Browser-Telefone registrieren sich, andere nicht — ein zweiter Versuch klappt oft. Seit letzter Woche, "
          "als ein Kollege ein Profil „zum Testen“ kopiert hat.",
          "Some browser phones register, others do not — a second attempt often works. Since last week, when a "
          "colleague copied a profile “for testing”.")),),
])

# Issue #23: causes that had no scenario, where an existing part of the lab reproduces them
SCENARIOS.extend([
    Scenario("sip-wrong-password", "sip-register-rejected", 1,
             "WebSocket und SIP funktionieren, aber das Ziel nennt ein falsches SIP-Passwort: REGISTER mit Digest "
             "wird mit 403 abgelehnt.",
             "WebSocket and SIP work, but the target names a wrong SIP password: REGISTER with digest is refused "
             "with 403.",
             target=TargetSettings(sip_password_wrong=True),
        briefing=(
        T("Verbindet, Anmeldung abgelehnt", "Connects, login refused"),
        T("Das Browser-Telefon verbindet, die Anmeldung scheitert aber mit „403 Forbidden“. Die Zugangsdaten stehen "
          "„wie immer“ in der Zielkonfiguration des Operators.",
          "The browser phone connects, but the login fails with “403 Forbidden”. The credentials are “as always” in "
          "the operator's target config.")),),
    Scenario("tunnel-no-catch-all", "tunnel-config-invalid", 1,
             "Die Tunnel-Konfiguration hat keine Catch-all-Regel am Ende: cloudflared lehnt sie ab und startet nicht "
             "(`ingress validate`: „The last ingress rule must match all URLs“).",
             "The tunnel config has no catch-all rule at the end: cloudflared refuses it and does not start "
             "(`ingress validate`: \"The last ingress rule must match all URLs\").",
             tunnel=TunnelSettings(catch_all=False),
        briefing=(
        T("Alles geht — aber das Audit meckert", "Everything works — but the audit complains"),
        T("Alles funktioniert. Ein Audit der Tunnel-Konfiguration bemängelt trotzdem etwas; der Prüfer hat nicht gesagt, "
          "was.", "Everything works. Still, an audit of the tunnel config found something; the auditor did not say "
          "what.")),),
    Scenario("tunnel-catch-all-first", "tunnel-config-invalid", 1,
             "Die Catch-all-Regel steht vor der Regel für den Hostnamen: cloudflared lehnt die Reihenfolge ab.",
             "The catch-all rule comes before the hostname's rule: cloudflared refuses the order.",
             tunnel=TunnelSettings(catch_all_first=True),
        briefing=(
        T("Nach dem Hinzufügen einer Fallback-Regel ist der Tunnel weg", "After adding a fallback rule the tunnel is gone"),
        T("Jemand hat dem Tunnel eine Standardregel „für alles andere“ hinzugefügt, ganz oben, „damit sie sicher "
          "greift“. Seitdem ist die öffentliche Adresse nicht mehr erreichbar.",
          "Someone added a default rule “for everything else” to the tunnel, at the very top, “so it surely "
          "applies”. Since then the public address is unreachable.")),),
    Scenario("tunnel-path-mismatch", "tunnel-origin-unreachable", 1,
             "Die Regel für den Hostnamen hat `path: ^/ws$`: die öffentliche URL `/` trifft den Catch-all (404).",
             "The hostname's rule has `path: ^/ws$`: the public URL `/` matches the catch-all (404).",
             tunnel=TunnelSettings(path="^/ws$"),
        briefing=(
        T("Der Tunnel kennt nur noch einen Pfad", "The tunnel only knows one path now"),
        T("Die Tunnel-Regel wurde auf einen Pfad eingeschränkt, „damit nur das Telefon durchkommt“. Seitdem bekommt "
          "das Browser-Telefon 404 über die öffentliche Adresse.",
          "The tunnel rule was restricted to a path “so that only the phone gets through”. Since then the browser "
          "phone gets 404 through the public address.")),),
    Scenario("tunnel-https-origin", "tunnel-origin-tls", 1,
             "Die Ingress-Regel sagt `https://localhost:8082`, nginx spricht dort HTTP: cloudflared scheitert am TLS.",
             "The ingress rule says `https://localhost:8082`, nginx speaks plain HTTP there: cloudflared fails at TLS.",
             tunnel=TunnelSettings(origin_scheme=OriginScheme.HTTPS),
        briefing=(
        T("„Sicherer“ Tunnel, seitdem 502", "A “more secure” tunnel, 502 since"),
        T("Bei einem Sicherheits-Review wurde im Tunnel „http“ durch „https“ ersetzt. Seitdem scheitert jede "
          "Verbindung über die öffentliche Adresse; lokal geht alles.",
          "In a security review “http” was replaced by “https” in the tunnel. Since then every connection through "
          "the public address fails; locally all works.")),),
])

# Issue #18: FreeSWITCH's container in its own network namespace (real FreeSWITCH only). The lab's engine has no
# bridge (dockerd --bridge=none --iptables=false: nothing may be routed off the machine), so the namespace is
# Docker's `none` — loopback only — and "published" ports are a loopback forwarder (fsnb/lab/nsforward.py) that
# listens on this machine's 127.0.0.1 and connects inside the container's namespace, as docker-proxy would (which
# connects to the container's address instead: see cause container-listens-on-loopback). The targets name no
# directories, as an operator's often do not: with ESL unreachable, they come from FreeSWITCH's command line.
_NETNS_WHY = "the simulator runs on the host network; the container's own network namespace needs the real lab"
SCENARIOS.extend([
    Scenario("docker-own-netns", "container-ports-not-published", 1,
             "FreeSWITCH läuft ohne `--network host` im eigenen Netzwerk-Namespace: 7443 und 8021 lauschen auf dem "
             "127.0.0.1 des Containers, Docker veröffentlicht keinen Port — nginx und ESL: Connection refused.",
             "FreeSWITCH runs without `--network host`, in its own network namespace: 7443 and 8021 listen on the "
             "container's 127.0.0.1, Docker publishes no port — nginx and ESL: connection refused.",
             fs=FsSettings(network=Network.OWN_NETNS), target=TargetSettings(dirs_named=False),
             sim=False, sim_why_not=_NETNS_WHY,
        briefing=(
        T("Nach dem Umzug in den Container: alles verweigert", "After the move into a container: everything refused"),
        T("FreeSWITCH läuft seit gestern in einem Docker-Container statt direkt auf dem Server. `docker ps` zeigt ihn "
          "als „Up“, im Container-Log steht nichts Auffälliges. nginx meldet 502, fs_cli auf dem Server: "
          "„Connection refused“.",
          "Since yesterday FreeSWITCH runs in a Docker container instead of directly on the server. `docker ps` shows it "
          "“Up”, the container log shows nothing unusual. nginx reports 502, fs_cli on the server: “Connection "
          "refused”.")),),
    # Step 5 judges the media path too (issue #22): the RTP range is not published (the lab forwards TCP only, and
    # Docker's record publishes nothing: the forwarder is not Docker's), so the call finds no way to FreeSWITCH's media
    # address — the container's own loopback — as a browser would
    Scenario("docker-own-netns-published", "rtp-ports-not-published", 1,
             "FreeSWITCH im eigenen Netzwerk-Namespace, wss/ws/SIP/ESL auf den Loopback dieses Rechners "
             "veröffentlicht, der RTP-Bereich (switch.conf.xml) nicht als UDP: die Signalisierung funktioniert, ein "
             "Anruf hat keinen Ton (die SDP nennt den Loopback des Containers, kein UDP-Port führt dorthin).",
             "FreeSWITCH in its own network namespace, wss/ws/SIP/ESL published on this machine's loopback, the RTP "
             "range (switch.conf.xml) not as UDP: signalling works, a call has no audio (the SDP names the container's "
             "loopback, no UDP port leads there).",
             fs=FsSettings(network=Network.OWN_NETNS_PUBLISHED), target=TargetSettings(dirs_named=False),
             sim=False, sim_why_not=_NETNS_WHY,
             briefing=(T("Im Container: verbunden, aber stumm", "In a container: connected, but silent"),
                       T("Seit FreeSWITCH im Container läuft („nur die nötigen Ports veröffentlicht“), registrieren "
                         "sich die Browser-Telefone und Anrufe werden angenommen — aber niemand hört etwas.",
                         "Since FreeSWITCH runs in a container (“only the necessary ports published”), browser phones "
                         "register and calls are answered — but nobody hears anything."))),
])

# Issue #18: healthy variants that must stay healthy (exit 0): an equivalent address (the wildcard, inside the
# container's own namespace: there 0.0.0.0 is its loopback only — Docker's `none` has no other interface), an ESL
# password with spaces and symbols, no WS
SCENARIOS.extend([
    Scenario("docker-own-netns-wildcard", "rtp-ports-not-published", 1,
             "FreeSWITCH im eigenen Netzwerk-Namespace: ESL auf 0.0.0.0, ws-/wss-binding 0.0.0.0:… (sofia-sip bindet "
             "trotzdem sip-ip 127.0.0.1 — gesehen), Ports veröffentlicht: die Signalisierung ist gesund; der "
             "RTP-Bereich ist nicht als UDP veröffentlicht, ein Anruf hat keinen Ton.",
             "FreeSWITCH in its own network namespace: ESL on 0.0.0.0, ws-/wss-binding 0.0.0.0:… (sofia-sip still "
             "binds sip-ip 127.0.0.1 — seen), ports published: signalling is healthy; the RTP range is not "
             "published as UDP, a call has no audio.",
             fs=FsSettings(network=Network.OWN_NETNS_PUBLISHED, ws_ip="0.0.0.0", wss_ip="0.0.0.0",
                           esl_listen_ip="0.0.0.0"),
             target=TargetSettings(dirs_named=False), sim=False, sim_why_not=_NETNS_WHY,
             briefing=(T("Neu aufgesetzter Container: Anrufe ohne Ton", "A new container: calls without audio"),
                       T("Der neue FreeSWITCH-Container lauscht „auf allen Adressen“. Browser-Telefone registrieren "
                         "sich, Anrufe werden angenommen — aber ohne Ton.",
                         "The new FreeSWITCH container listens “on all addresses”. Browser phones register, calls "
                         "are answered — but without audio."))),
    Scenario("esl-password-symbols", None, 0,
             "Das ESL-Passwort enthält Leerzeichen und Sonderzeichen (in event_socket.conf.xml XML-maskiert): gesund.",
             "The ESL password has spaces and symbols (XML-escaped in event_socket.conf.xml): healthy.",
             fs=FsSettings(esl_password_symbols=True)),
    Scenario("no-ws-port", None, 0,
             "Kein ws-binding (kein WS-Port 5066): nginx → wss 7443 braucht keinen — gesund.",
             "No ws-binding (no WS port 5066): nginx → wss 7443 needs none — healthy.",
             fs=FsSettings(ws_binding=False)),
])

# Issue #18: ESL on another address than the target's (a loopback address: nothing leaves the machine)
SCENARIOS.append(Scenario(
    "esl-other-address", "esl-address-mismatch", 1,
    "event_socket.conf.xml: listen-ip 127.0.0.2 — ESL läuft, aber nicht auf 127.0.0.1, wohin Ziel und fs_cli verbinden.",
    "event_socket.conf.xml: listen-ip 127.0.0.2 — ESL runs, but not on 127.0.0.1, where the target and fs_cli connect.",
    fs=FsSettings(esl_listen_ip="127.0.0.2"),
                     briefing=(
        T("fs_cli findet FreeSWITCH nicht mehr", "fs_cli cannot find FreeSWITCH any more"),
        T("Telefonie läuft normal, Browser-Telefone auch. Nur das Monitoring und fs_cli kommen nicht mehr an "
          "FreeSWITCH heran, seit jemand „die Sicherheit der Steuerschnittstelle verbessert“ hat.",
          "Telephony works as usual, browser phones too. Only the monitoring and fs_cli no longer reach FreeSWITCH, "
          "since someone “improved the security of the control interface”.")),))

# Issue #18, FreeSWITCH's own view of its certificates: the operator's wss.pem where the packages look
SCENARIOS.append(Scenario(
    "wss-pem-in-other-dir", "wss-pem-in-other-dir", 0,
    "Der Betreiber legt wss.pem nach /etc/freeswitch/tls (wie beim Paket/offiziellen Image), FreeSWITCH läuft mit "
    "-certs <anderes Verzeichnis>, findet dort keins und erzeugt still ein selbstsigniertes (Warnung).",
    "The operator puts wss.pem into /etc/freeswitch/tls (as for the package/official image), FreeSWITCH runs with "
    "-certs <another dir>, finds none there and silently generates a self-signed one (a warning).",
    fs=FsSettings(wss_pem=WssPem.MISSING, operator_pem_at="/etc/freeswitch/tls"), target=TargetSettings(dirs_named=False),
    sim=False, sim_why_not="FreeSWITCH's own wss.pem generation and -certs exist on the real FreeSWITCH only",
                     briefing=(
        T("Das neue Zertifikat kommt nicht an", "The new certificate does not arrive"),
        T("Das gekaufte Zertifikat liegt als wss.pem an der Stelle, die die Paketdokumentation nennt. Direkte wss://-"
          "Verbindungen zeigen aber weiter ein selbstsigniertes Zertifikat, und der Browser warnt.",
          "The purchased certificate lies as wss.pem where the package documentation says. Direct wss:// connections "
          "still show a self-signed certificate, and the browser warns.")),))

# Issue #18, FreeSWITCH's own view of its XML: a flaw it reads past, and one it refuses too
SCENARIOS.extend([
    Scenario("profile-bare-ampersand", "profile-xml-not-well-formed", 0,
             "internal.xml enthält `value=\"AIDevelo & Co\"` (nacktes &): FreeSWITCH liest es, das Profil läuft "
             "(Warnung).",
             "internal.xml holds `value=\"AIDevelo & Co\"` (a bare &): FreeSWITCH reads it, the profile runs (a "
             "warning).",
             fs=FsSettings(bare_ampersand=True),
        briefing=(
        T("Ein XML-Prüfer meckert über die Konfiguration", "An XML checker complains about the config"),
        T("Alles läuft. Die neue Konfigurationsprüfung in der Pipeline lehnt aber das SIP-Profil ab, seit der "
          "Firmenname in einem Parameter steht.",
          "Everything works. The new config check in the pipeline refuses the SIP profile, though, since the company "
          "name was put into a parameter.")),),
    Scenario("profile-xml-broken", "profile-xml-broken", 1,
             "Nach dem Start wird internal.xml mit einem falschen Schluss-Tag (`</settingz>`) gespeichert: das Profil "
             "läuft weiter, die Datei lehnt auch FreeSWITCH ab ('[error near line N]: unexpected closing tag').",
             "After the start internal.xml is saved with a wrong closing tag (`</settingz>`): the profile keeps "
             "running, FreeSWITCH refuses the file too ('[error near line N]: unexpected closing tag').",
             after_start=(Step.BREAK_XML,),
        briefing=(
        T("Nach einer schnellen Änderung: reloadxml meldet einen Fehler", "After a quick edit: reloadxml reports an error"),
        T("Ein Kollege hat im SIP-Profil „nur kurz etwas angepasst“. Telefonie läuft noch, aber `reloadxml` meldet "
          "einen Fehler und niemand traut sich, das Profil neu zu starten.",
          "A colleague “just quickly adjusted something” in the SIP profile. Telephony still works, but `reloadxml` "
          "reports an error and nobody dares to restart the profile.")),),
])

# Issue #18, nginx's own view: the upstream hidden behind a variable, so the config cannot show the scheme mismatch
# and only nginx's error log says what failed (fsnb/read/nginxlog.py)
SCENARIOS.extend([
    Scenario("nginx-tls-to-plain-variable", "nginx-upstream-tls-failed", 1,
             "nginx spricht TLS zum WS-Port 5066, das Ziel steht in einer Variablen (`proxy_pass https://$fs_upstream`): "
             "die Datei verrät es nicht, nginx' Fehlerlog schon ('… while SSL handshaking to upstream').",
             "nginx speaks TLS to ws port 5066 through a variable (`proxy_pass https://$fs_upstream`): the file does "
             "not show it, nginx's error log does ('… while SSL handshaking to upstream').",
             nginx=NginxSettings(upstream=Upstream.WS, scheme=Scheme.HTTPS, upstream_variable=True),
        briefing=(
        T("502 seit der Umstellung auf eine Variable", "502 since the switch to a variable"),
        T("Jemand hat die nginx-Konfiguration „aufgeräumt“: das Ziel steht jetzt in einer Variablen. Seitdem antwortet "
          "nginx auf Browser-Telefone mit 502; die Datei sieht für alle richtig aus.",
          "Someone “tidied up” the nginx config: the upstream is now in a variable. Since then nginx answers browser "
          "phones with 502; the file looks right to everyone.")),),
    Scenario("nginx-http-to-tls-variable", "nginx-upstream-protocol", 1,
             "nginx spricht Klartext-HTTP zum TLS-Port 7443 über eine Variable (`proxy_pass http://$fs_upstream`): "
             "nginx' Fehlerlog: 'upstream prematurely closed connection'.",
             "nginx speaks plain HTTP to TLS port 7443 through a variable (`proxy_pass http://$fs_upstream`): nginx's "
             "error log: 'upstream prematurely closed connection'.",
             nginx=NginxSettings(scheme=Scheme.HTTP, upstream_variable=True),
        briefing=(
        T("502 nach dem Aufräumen der Proxy-Konfiguration", "502 after tidying the proxy config"),
        T("Nach einem Refactoring der nginx-Konfiguration (Ziele in Variablen, „damit man sie an einer Stelle ändert“) "
          "sagt nginx 502. FreeSWITCH lauscht auf 7443, direkt klappt es.",
          "After a refactoring of the nginx config (upstreams in variables, “so they change in one place”) nginx says "
          "502. FreeSWITCH listens on 7443, directly it works.")),),
])

# Issue #18, nginx's own view: `nginx -T` shows a server block the target's file does not
SCENARIOS.append(Scenario(
    "nginx-other-default-server", "nginx-other-default-server", 1,
    "Eine zweite Datei in sites/ (000-default.conf) ist default_server auf nginx' Port und antwortet 404; der Block "
    "mit proxy_pass hat keinen server_name: jede Anfrage landet im anderen Block.",
    "A second file in sites/ (000-default.conf) is default_server on nginx's port and answers 404; the proxy_pass "
    "block has no server_name: every request lands in the other block.",
    nginx=NginxSettings(other_default_server=True),
                     briefing=(
        T("404 seit dem Paket-Update von nginx", "404 since nginx's package update"),
        T("Seit dem nächtlichen Update von nginx bekommen Browser-Telefone 404. Die Datei mit der Weiterleitung zu "
          "FreeSWITCH ist unverändert.",
          "Since last night's nginx update browser phones get 404. The file forwarding to FreeSWITCH is unchanged.")),))

# Issue #18 item 5, the red team's round: operator mistakes nobody had listed, made the real way (README "Red team")
_PAUSE_WHY = "the simulator runs as a process on the host; `docker pause` needs FreeSWITCH in a container (real lab)"
SCENARIOS.extend([
    Scenario("nginx-redirect-https", "nginx-redirects", 1,
             "Im location-Block, der an FreeSWITCH weiterleitet, steht `return 301 https://$host$request_uri;` (die "
             "übliche HTTP→HTTPS-Umleitung): der WebSocket-Handshake bekommt 301, Browser folgen nicht.",
             "The location block that proxies to FreeSWITCH holds `return 301 https://$host$request_uri;` (the usual "
             "HTTP→HTTPS redirect): the WebSocket handshake gets 301, browsers do not follow it.",
             nginx=NginxSettings(redirect_https=True),
        briefing=(
        T("Nach der „HTTPS überall“-Initiative", "After the “HTTPS everywhere” initiative"),
        T("Die IT hat auf allen Webservern „HTTP konsequent auf HTTPS umgeleitet“. Seitdem verbindet das "
          "Browser-Telefon nicht mehr; die Entwicklerkonsole zeigt einen fehlgeschlagenen WebSocket.",
          "IT “consistently redirected HTTP to HTTPS” on every web server. Since then the browser phone no longer "
          "connects; the developer console shows a failed WebSocket.")),),
    Scenario("nginx-deny-loopback", "nginx-refuses-request", 1,
             "nginx erlaubt im Block nur `allow 10.0.0.0/8; deny all;`: cloudflared kommt von 127.0.0.1 und bekommt 403.",
             "nginx's block allows only `allow 10.0.0.0/8; deny all;`: cloudflared comes from 127.0.0.1 and gets 403.",
             nginx=NginxSettings(deny_loopback=True),
        briefing=(
        T("Nach der Härtung: 403", "After the hardening: 403"),
        T("Ein Sicherheitsaudit hat den Zugriff auf den Proxy „auf das interne Netz beschränkt“. Seitdem sehen "
          "Browser-Telefone über die öffentliche Adresse 403; FreeSWITCH selbst läuft unauffällig.",
          "A security audit “restricted access to the proxy to the internal network”. Since then browser phones see "
          "403 through the public address; FreeSWITCH itself runs normally.")),),
    Scenario("nginx-listen-http2", "nginx-listen-http2", 1,
             "nginx lauscht mit `listen 127.0.0.1:8082 http2;` ohne ssl: dort nur HTTP/2 (h2c), der WebSocket-"
             "Handshake mit HTTP/1.1 bekommt keine HTTP-Antwort.",
             "nginx listens with `listen 127.0.0.1:8082 http2;` without ssl: HTTP/2 (h2c) only there, the HTTP/1.1 "
             "WebSocket handshake gets no HTTP answer.",
             nginx=NginxSettings(listen_http2=True),
        briefing=(
        T("„HTTP/2 für mehr Tempo“", "“HTTP/2 for more speed”"),
        T("Nach einem Performance-Tuning am Proxy („HTTP/2 überall aktiviert“) hängt das Browser-Telefon beim "
          "Verbinden und gibt nach einigen Sekunden auf. Die Webseite selbst lädt normal.",
          "After performance tuning on the proxy (“enabled HTTP/2 everywhere”) the browser phone hangs while "
          "connecting and gives up after a few seconds. The web page itself loads normally.")),),
    Scenario("nginx-upstream-tls1", "nginx-upstream-tls-mismatch", 1,
             "nginx spricht zu FreeSWITCH nur `proxy_ssl_protocols TLSv1;`: OpenSSL 3 lehnt TLS 1.0 ab ('alert "
             "protocol version'), nginx antwortet 502.",
             "nginx offers FreeSWITCH only `proxy_ssl_protocols TLSv1;`: OpenSSL 3 refuses TLS 1.0 ('alert protocol "
             "version'), nginx answers 502.",
             nginx=NginxSettings(ssl_protocols="TLSv1"),
             sim=False, sim_why_not="the simulator's TLS (Python's ssl under asyncio) closes a TLS 1.0 hello without "
             "the 'protocol version' alert FreeSWITCH's OpenSSL sends: nginx then logs 'peer closed connection in SSL "
             "handshake', which is what nothing speaking TLS looks like (seen)",
        briefing=(
        T("502 nach dem Kopieren einer alten Proxy-Vorlage", "502 after copying an old proxy template"),
        T("Die nginx-Konfiguration wurde aus einer älteren Vorlage eines Kollegen übernommen („die lief jahrelang“). "
          "Seitdem antwortet nginx Browser-Telefonen mit 502; FreeSWITCH lauscht auf 7443 und direkt klappt es.",
          "The nginx config was taken from a colleague's older template (“it ran for years”). Since then nginx "
          "answers browser phones with 502; FreeSWITCH listens on 7443 and directly it works.")),),
    Scenario("nginx-rate-limit-tunnel", "nginx-rate-limited", 1,
             "nginx begrenzt mit `limit_req` nach `$binary_remote_addr` (1 Anfrage/Minute): hinter dem Tunnel kommen "
             "alle Browser von 127.0.0.1 — die zweite Verbindung bekommt 503.",
             "nginx limits with `limit_req` keyed by `$binary_remote_addr` (1 request/minute): behind the tunnel every "
             "browser comes from 127.0.0.1 — the second connection gets 503.",
             nginx=NginxSettings(rate_limit=True),
        briefing=(
        T("Nur der Erste kommt durch", "Only the first one gets through"),
        T("Seit dem Einbau eines „DDoS-Schutzes“ am Proxy verbindet sich morgens genau ein Browser-Telefon; alle "
          "anderen bekommen einen Fehler 503. Ein Test vom Server selbst klappt meistens.",
          "Since a “DDoS protection” went into the proxy exactly one browser phone connects in the morning; all the "
          "others get an error 503. A test from the server itself mostly works.")),),
    Scenario("nginx-hides-subprotocol", "subprotocol-missing", 1,
             "nginx entfernt mit `proxy_hide_header Sec-WebSocket-Protocol;` FreeSWITCHs 'sip' aus der 101-Antwort: "
             "Browser brechen den WebSocket ab.",
             "nginx strips FreeSWITCH's 'sip' from the 101 with `proxy_hide_header Sec-WebSocket-Protocol;`: browsers "
             "abort the WebSocket.",
             nginx=NginxSettings(hide_subprotocol=True),
        briefing=(
        T("Nach dem Header-Aufräumen bricht der Browser ab", "After a header clean-up the browser aborts"),
        T("Im Proxy wurden „überflüssige Antwort-Header entfernt“. Seitdem bricht das Browser-Telefon die Verbindung "
          "sofort nach dem Aufbau ab; nginx und FreeSWITCH melden keinen Fehler.",
          "“Superfluous response headers were removed” in the proxy. Since then the browser phone drops the connection "
          "right after it opens; nginx and FreeSWITCH report no error.")),),
    Scenario("wss-binding-no-colon", "wss-binding-malformed", 1,
             "internal.xml: `<param name=\"wss-binding\" value=\"7443\"/>` ohne Doppelpunkt: sofia-sip nimmt das als "
             "Adresse, bindet keinen Port und loggt nichts; ein Neustart hilft nicht.",
             "internal.xml: `<param name=\"wss-binding\" value=\"7443\"/>` without a colon: sofia-sip takes it as the "
             "address, binds no port and logs nothing; a restart does not help.",
             fs=FsSettings(wss_binding_port_only=True),
        briefing=(
        T("Neu gestartet, trotzdem zu", "Restarted, still closed"),
        T("Das Browser-Telefon soll auf dem neuen Server in Betrieb gehen. Der Parameter für WSS steht in der "
          "Konfiguration, das Profil wurde mehrmals neu gestartet, FreeSWITCH meldet keinen Fehler — Port 7443 bleibt "
          "geschlossen.",
          "The browser phone is to go live on the new server. The parameter for WSS is in the config, the profile was "
          "restarted several times, FreeSWITCH reports no error — port 7443 stays closed.")),),
    Scenario("wss-binding-in-external", "wss-bound-by-other-profile", 1,
             "wss-binding steht in external.xml statt in internal.xml: 7443 lauscht, aber im Profil external (Kontext "
             "public, ohne Anmeldung); internal hat kein WSS.",
             "wss-binding sits in external.xml instead of internal.xml: 7443 listens, but in profile external (context "
             "public, no authentication); internal has no WSS.",
             fs=FsSettings(wss_profile="external"),
             sim=False, sim_why_not="the simulator runs profile internal only; a second profile needs the real FreeSWITCH",
        briefing=(
        T("Verbunden, aber die Nebenstelle ist fremd", "Connected, but the extension is a stranger"),
        T("Das Browser-Telefon verbindet sich, doch Anrufe landen im falschen Wählplan und die Registrierung "
          "erscheint nicht bei den internen Nebenstellen. Die Konfiguration wurde „aus der Doku in die SIP-Profile "
          "kopiert“.",
          "The browser phone connects, but calls land in the wrong dialplan and the registration does not show up "
          "among the internal extensions. The config was “copied from the docs into the SIP profiles”.")),),
    Scenario("container-paused", "container-paused", 1,
             "Der FreeSWITCH-Container ist pausiert (`docker pause`, z. B. von einem Backup-Skript): alle Ports nehmen "
             "Verbindungen an, nichts antwortet.",
             "FreeSWITCH's container is paused (`docker pause`, e.g. by a backup script): every port accepts "
             "connections, nothing answers.",
             after_start=(Step.PAUSE_CONTAINER,), sim=False, sim_why_not=_PAUSE_WHY,
        briefing=(
        T("Jede Nacht um drei: alles hängt", "Every night at three: everything hangs"),
        T("Seit ein neues Sicherungskonzept aktiv ist, hängen nachts Browser- und Tischtelefone; fs_cli hängt ebenfalls. "
          "`docker ps` zeigt den Container. Heute Morgen ist es nicht von selbst vorbeigegangen.",
          "Since a new backup scheme went live, browser and desk phones hang at night; fs_cli hangs too. `docker ps` "
          "shows the container. This morning it did not go away by itself.")),),
])

SCENARIOS.append(Scenario(
    "freeswitch-sigstop", "freeswitch-process-stopped", 1,
    "FreeSWITCHs Prozess bekommt SIGSTOP (wie Strg-Z in einer Vordergrund-Sitzung): Zustand T, alle Ports nehmen "
    "Verbindungen an, nichts antwortet; Docker meldet den Container weiter als 'running'.",
    "FreeSWITCH's process gets SIGSTOP (as Ctrl-Z in a foreground session does): state T, every port accepts "
    "connections, nothing answers; Docker still reports the container 'running'.",
    after_start=(Step.STOP_PROCESS,), sim=False,
    sim_why_not="the simulator is a Python process, not found as FreeSWITCH's (its /proc comm is not `freeswitch`): "
    "the real lab stops the real process",
    briefing=(
        T("Nach der Fehlersuche am Server hängt alles", "After debugging on the server everything hangs"),
        T("Ein Kollege hat gestern Abend FreeSWITCH „zum Debuggen kurz im Terminal“ laufen lassen. Seitdem hängen "
          "Browser- und Tischtelefone; fs_cli hängt auch. Der Container läuft laut `docker ps`.",
          "Last night a colleague ran FreeSWITCH “briefly in the terminal for debugging”. Since then browser and desk "
          "phones hang; fs_cli hangs too. The container is up according to `docker ps`.")),))

# Issue #22, Step 5 (media): a real WebRTC call through the whole chain — the real FreeSWITCH only
NO_MEDIA = "the simulator carries no media: it answers INVITE with 405 (Step 5 says so and skips the call)"
SCENARIOS.extend([
    Scenario("media-dialplan-vanilla", "call-not-routed", 1,
             "Der Dialplan ist der mitgelieferte: seine ersten Extensions rufen `hash` auf (mod_hash ist nicht gebaut) — "
             "jeder Anruf endet mit 'Invalid Application hash', 502.",
             "The dialplan is the shipped one: its first extensions call `hash` (mod_hash is not built) — every call "
             "ends with 'Invalid Application hash', 502.",
             fs=FsSettings(dialplan=Dialplan.VANILLA), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('Anrufe brechen sofort ab', 'Calls end at once'), T('Das Browser-Telefon registriert sich, aber jeder Anruf bricht sofort ab (Besetzt/Fehlerton) — auch der Echo-Test 9196.', 'The browser phone registers, but every call ends at once (busy/error tone) — the echo test 9196 too.')),),
    Scenario("media-no-common-codec", "no-common-codec", 1,
             "global_codec_prefs nennt nur OPUS und G722, die dieser Build nicht hat: FreeSWITCH lehnt jedes Angebot "
             "mit 488 ab.",
             "global_codec_prefs names only OPUS and G722, which this build lacks: FreeSWITCH refuses every offer "
             "with 488.",
             fs=FsSettings(codec_prefs="OPUS,G722"), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('„Nicht akzeptabel“ bei jedem Anruf', '“Not acceptable” on every call'), T('Das Browser-Telefon registriert sich; Anrufe scheitern sofort mit „nicht akzeptabel“. Gestern wurde „die Sprachqualität verbessert“.', 'The browser phone registers; calls fail at once with “not acceptable”. Yesterday someone “improved the voice quality”.')),),
    Scenario("media-internet-no-turn", "media-only-tunnel", 1,
             "Die Browser kommen aus dem Internet (nur über den Tunnel), FreeSWITCH nennt 127.0.0.1 als Medienadresse "
             "und es gibt keinen TURN-Server: Anrufe verbinden ohne Ton.",
             "The browsers come from the internet (through the tunnel only), FreeSWITCH names 127.0.0.1 as its media "
             "address and there is no TURN server: calls connect without audio.",
             target=TargetSettings(media_client=MediaClient.INTERNET), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('Homeoffice: verbunden, aber stumm', 'Home office: connected, but silent'), T('Das Browser-Telefon registriert sich, Anrufe werden angenommen — aber man hört nichts. Im Büro vor Ort geht es, von zu Hause nie.', 'The browser phone registers and calls are answered — but nobody hears anything. In the office it works, from home never.')),),
    Scenario("media-lan-client-loopback", "media-address-unreachable", 1,
             "Die Browser sitzen im LAN, FreeSWITCHs rtp-ip ist 127.0.0.1: die SDP-Antwort nennt eine Adresse, die "
             "für jeden anderen Rechner dessen eigener Loopback ist.",
             "The browsers are on the LAN, FreeSWITCH's rtp-ip is 127.0.0.1: the SDP answer names an address that is "
             "every other machine's own loopback.",
             target=TargetSettings(media_client=MediaClient.LAN), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('Im Büro-LAN: kein Ton', 'On the office LAN: no audio'), T('Das Browser-Telefon registriert sich, Anrufe werden angenommen — aber man hört nichts. Das betrifft alle Kollegen im Büro-Netz.', 'The browser phone registers and calls are answered — but nobody hears anything. It affects every colleague on the office network.')),),
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
             sim_why_not=NO_MEDIA,
        briefing=(T('Seit dem Passwortwechsel: stumm', 'Since the password change: silent'), T('Das Browser-Telefon registriert sich, Anrufe werden angenommen — aber man hört nichts. Seit die Zugangsdaten eines Relay-Dienstes „turnusmäßig“ gewechselt wurden.', 'The browser phone registers and calls are answered — but nobody hears anything. Since the credentials of a relay service were changed “as scheduled”.')),),
    Scenario("media-dtls-key-mismatch", "dtls-srtp-failed", 1,
             "dtls-srtp.pem im certs_dir enthält einen Schlüssel, der nicht zum Zertifikat gehört (z. B. ein "
             "Deploy-Hook kopierte nur das neue Zertifikat): ICE steht, DTLS scheitert ('audio DTLS key err').",
             "dtls-srtp.pem in certs_dir holds a key that does not belong to its certificate (e.g. a deploy hook "
             "copied only the new certificate): ICE is up, DTLS fails ('audio DTLS key err').",
             fs=FsSettings(dtls_pem=DtlsPem.KEY_MISMATCH), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('Nach dem Zertifikats-Deploy: Anrufe stumm', 'After the certificate deploy: calls silent'), T('Anrufe werden angenommen, bleiben stumm und brechen nach einigen Sekunden ab — seit dem letzten automatischen Zertifikats-Deploy.', 'Calls are answered, stay silent and drop after a few seconds — since the last automatic certificate deploy.')),),
    Scenario("media-one-way", "one-way-audio", 1,
             "9196 nimmt an und parkt: FreeSWITCH empfängt den Ton des Browsers und schickt keinen zurück.",
             "9196 answers and parks: FreeSWITCH receives the browser's audio and sends none back.",
             fs=FsSettings(dialplan=Dialplan.PARK), sim=False, sim_why_not=NO_MEDIA,
        briefing=(T('Man hört sich im Echo-Test nicht', 'No echo in the echo test'), T('Anrufe verbinden, im Echo-Test (9196) hört man sich aber nicht, obwohl das Mikrofon geht. Jemand hat den Dialplan „aufgeräumt“.', 'Calls connect, but in the echo test (9196) you do not hear yourself although the microphone works. Someone “tidied up” the dialplan.')),),
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

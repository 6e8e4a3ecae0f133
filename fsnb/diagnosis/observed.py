"""What each check observes, declared as types: the contract between the checks and the diagnosis.

A check names its type (`@check(..., observes=Ports)`); the engine validates what the check returns
against it (an undeclared field is a bug in the check, surfaced as ERROR), and the diagnosis reads
these typed values, never a check's prose. `Result.observed` stays a plain dict for JSON and journals;
`Facts` turns it back into the type (tolerant of older journals: missing fields get their defaults).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class Observed:
    strict_fields: ClassVar[bool] = True

    @classmethod
    def of(cls, data: dict | None, strict: bool = False):
        """The typed view of a result's `observed` dict; strict: unknown keys raise (used on fresh results)."""
        data = data or {}
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(data) - set(names)
        if strict and unknown:
            raise TypeError(f"{cls.__name__}: undeclared observed field(s) {sorted(unknown)}")
        kw = {}
        for k, v in data.items():
            if k not in names:
                continue
            sub = _nested.get((cls.__name__, k))
            kw[k] = sub.of(v, strict) if sub and isinstance(v, dict) else v
        return cls(**kw)


# -- Was wir wissen --------------------------------------------------------------------------------
@dataclass
class Certificate(Observed):
    certs_dir: str | None = None
    present: bool | None = None
    blocks: list[str] = field(default_factory=list)
    subject: str = ""
    not_after: str = ""
    not_before: str = ""
    sans: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    self_signed_freeswitch: bool = False
    unusable: bool = False           # FreeSWITCH refuses it: 'Bad WSS.PEM certificate.' (key, order, format)
    validity: str | None = None      # ok | expired | not-yet-valid (FreeSWITCH loads it anyway; clients refuse)
    shadowed_by: str | None = None   # "wss.crt": wss.crt + wss.key beside wss.pem take precedence; FreeSWITCH serves them
    served_not_after: str = ""       # the certificate FreeSWITCH really serves (wss.crt when it shadows wss.pem)
    other_pem: str | None = None     # another wss.pem at a usual place (issue #18): not read by FreeSWITCH
    other_pem_subject: str = ""


@dataclass
class Binding(Observed):
    conf_dir: str | None = None
    file: str | None = None
    read: bool = False               # internal.xml was read and parsed
    sip_ip: str | None = None
    ws_binding: str | None = None
    wss_binding: str | None = None
    wss_commented: bool = False
    ws_binding_effective: str | None = None
    wss_binding_effective: str | None = None
    port_shared: bool = False        # ws-binding and wss-binding on one port (sofia-sip binds both: SO_REUSEPORT)
    port_mismatch: bool = False      # the effective wss-binding is not on the target's WSS port
    wss_binding_count: int = 0       # how many wss-binding params (the last one wins)
    tls_cert_dir: str | None = None  # the profile's own tls-cert-dir (overrides certs_dir)
    # other profiles in sip_profiles/*.xml binding the profile's WSS address too (SO_REUSEPORT: no error, the kernel
    # spreads connections): "internal-b: wss-binding :7443 (…/sip_profiles/internal-b.xml)"
    shared_by_profiles: list[str] = field(default_factory=list)
    xml_flaw: str | None = None      # not well-formed, but FreeSWITCH reads past it (a bare '&'): where and what
    xml_error: str | None = None     # not well-formed so that FreeSWITCH refuses it too (an unmatched tag)
    binding_malformed: str | None = None   # "wss-binding: …": a value sofia-sip binds nothing for (no ':port')
    # the profile has no wss-binding, but another profile binds the target's WSS port: "external: wss-binding :7443 (…)"
    wss_in_other_profile: list[str] = field(default_factory=list)


@dataclass
class Nginx(Observed):
    listening: bool | None = None
    config_read: bool = False
    proxy_pass: str | None = None
    scheme: str | None = None
    upstream_host: str | None = None
    upstream_port: int | None = None
    upstream_name: str | None = None   # the `upstream {}` group proxy_pass names; host/port are its first server's
    http_version: str | None = None
    upgrade: str | None = None
    connection: str | None = None
    read_timeout: str | None = None
    scheme_mismatch: bool = False    # http:// to the TLS port or https:// to the plain port
    effective_from: str | None = None        # `nginx -T -p … -c …` of the running nginx (issue #18)
    servers_on_port: list[str] = field(default_factory=list)   # every server block on the port, by nginx -T
    other_default: str | None = None         # another file's default_server on the port (this block is not)
    other_default_file: str | None = None    # ... where it is (for the fix): its file and its server's line
    other_default_line: int | None = None
    own_server_line: int | None = None       # the line of the target's own server block on the port
    listen_h2c: str | None = None            # a `listen … http2` without ssl on the port: HTTP/2 prior knowledge only
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Tunnel(Observed):
    config_read: bool = False
    hostname: str | None = None
    service: str | None = None
    catch_all: bool | None = None
    standin: bool = False
    routes_to_nginx: bool | None = None
    parse_error: str | None = None   # config.yml is not valid YAML / not a cloudflared config
    judge: str | None = None         # "cloudflared <version>" (its own answer) or "fsnb" (fsnb's model of it)
    invalid: str | None = None       # why cloudflared refuses the config (it would not start), in its words
    rule: int | None = None          # the ingress rule (1-based) the public URL matches
    model_agrees: bool | None = None  # fsnb's model gave the same verdict as cloudflared (None: no cloudflared)
    origin_tls_mismatch: bool | None = None   # service https:// to an nginx that listens without ssl
    not_http_service: str | None = None      # the rule's service scheme is not HTTP (tcp, ssh, …): browsers never get through


# -- Schritt 1 ---------------------------------------------------------------------------------------
@dataclass
class Esl(Observed):
    outcome: str | None = None       # ok | refused | connect-timeout | unreachable | acl | bad-password | not-esl | no-answer | closed | no-password
    address: str = ""
    elapsed_ms: float | None = None
    up: bool | None = None
    uptime_s: float | None = None    # from `status`: scopes the log to the current start
    listening_on: list[str] | None = None   # where the ESL port listens by FreeSWITCH's socket table (when refused)
    violation: str | None = None     # a frame fsnb refused to pass to python-ESL: bad-length | too-large | bad-header |
    #                                  no-header-end | unexpected-frames (fsnb/probe/esl.py FramingError.reason)


@dataclass
class EslConfig(Observed):
    read: bool = False
    listen_ip: str | None = None
    listen_port: int | None = None
    acl: str | None = None
    listen_ip_local: bool | None = None
    ipv6_missing: bool = False
    port_mismatch: bool = False
    acl_rejects_client: bool = False
    problems: list[str] = field(default_factory=list)


# -- Schritt 2 ---------------------------------------------------------------------------------------
@dataclass
class Profile(Observed):
    running: bool | None = None
    state: str | None = None
    ws_bind_url: str | None = None
    wss_bind_url: str | None = None
    sip_ip: str | None = None
    wss_bind: str | None = None
    ws_bind: str | None = None
    sofia_loaded: bool | None = None  # False: `sofia status` is an unknown command (mod_sofia not loaded)
    wss_port_mismatch: bool = False   # the running profile's WSS-BIND-URL is not on the target's WSS port


@dataclass
class Log(Observed):
    read: bool = False
    since: str | None = None         # the current FreeSWITCH start (log time); earlier lines are history
    earlier_lines: int = 0           # lines left out because they predate the current start
    bad_pem: int = 0
    bind_error: int = 0
    bind_detail: int = 0
    esl_socket_error: int = 0
    acl_reject: int = 0
    ssl_ctx: int = 0
    no_such_profile: int = 0         # `No Such Profile '<name>'`: the XML has no such profile
    other_profile_errors: int = 0    # 'Error Creating SIP UA' of other profiles (not evidence about this one)
    started_ok: bool = False
    stopped_after: bool = False
    likely_causes: bool = False


# -- Schritt 3 ---------------------------------------------------------------------------------------
@dataclass
class Port(Observed):
    port: int | None = None
    listening_on: list[str] | None = None   # None: the socket table could not be read
    from_here: str | None = None            # open | refused | timeout | error: …
    expected: str | None = None


@dataclass
class Upstream(Observed):
    host: str | None = None
    port: int | None = None
    listening_on: list[str] = field(default_factory=list)
    covered: bool = False


@dataclass
class Ports(Observed):
    source: str = ""
    wss: Port = field(default_factory=Port)
    ws: Port = field(default_factory=Port)
    sip: Port = field(default_factory=Port)
    esl: Port = field(default_factory=Port)
    nginx: Port = field(default_factory=Port)
    nginx_upstream: Upstream | None = None
    profile_running: bool | None = None
    # Docker's own view (fsnb/read/dockerview.py): None/empty for a local FreeSWITCH
    network_mode: str | None = None      # host | none | bridge | <network> | container:<id>
    own_netns: bool | None = None        # the container has its own network namespace: its 127.0.0.1 is not ours
    published: list[str] = field(default_factory=list)     # "127.0.0.1:7443 -> 7443/tcp"
    unpublished: list[str] = field(default_factory=list)   # "wss 7443": listens in the container, not published
    container_status: str | None = None  # Docker's State.Status: running | paused | restarting | exited | …
    process_state: str | None = None     # FreeSWITCH's process stopped: T (SIGSTOP, Ctrl-Z) or t (a debugger)


# -- Schritt 4 ---------------------------------------------------------------------------------------
@dataclass
class Hop(Observed):
    url: str = ""
    outcome: str | None = None   # ok | refused | timeout | tls-error | http-status | not-http | no-subprotocol | sip-no-answer | sip-error | error
    status: int | None = None
    subprotocol: str | None = None
    via_transport: str | None = None
    sip_status: str | None = None
    tls_verified: bool | None = None
    register: list[str] = field(default_factory=list)
    register_failed: bool = False       # REGISTER answered with a final status other than 200 (rejected)
    register_unanswered: bool = False   # REGISTER got no answer before the check's deadline (not a rejection)
    sip_unmatched: int = 0              # SIP messages that answered none of fsnb's requests (ignored; bounded count)
    http_hint: str | None = None      # what an HTTP error answer says: plain-http-to-https-port (nginx's 400 page)
    nginx_errors: list[str] = field(default_factory=list)
    nginx_reason: str | None = None   # nginx's error log: upstream-cert-rejected | upstream-refused | upstream-closed |
    #                                   upstream-tls-handshake | upstream-timeout | port-taken (fsnb/nginxlog.py)


@dataclass
class Curl(Observed):
    result: str | None = None    # empty | http | refused | timeout | …


@dataclass
class Alternative(Observed):
    probe: str | None = None
    alternative_in_use: bool = False
    nginx_block: str = ""
    browser_sip_dropped: bool | None = None


# -- Schritt 5 ---------------------------------------------------------------------------------------
@dataclass
class MediaConfig(Observed):
    """The static side of media, from the target's FreeSWITCH config (fsnb/read/mediaconf.py)."""
    client: str = "internet"          # where the browsers call from (target [media] client)
    rtp_ip: str = ""                  # sofia profile rtp-ip, expanded
    ext_rtp_ip: str = ""              # sofia profile ext-rtp-ip, expanded (may still be stun:/autonat:/host:)
    ext_kind: str = "none"            # ip | stun | autonat | host | none
    rtp_start: int = 16384            # switch.conf.xml rtp-start-port / rtp-end-port (FreeSWITCH's defaults)
    rtp_end: int = 32768
    rtp_range_set: bool = False       # the range is configured (not the default)
    codec_prefs: str = ""             # inbound-codec-prefs, expanded
    turn: str = ""                    # the TURN server the browsers get (target)
    public_address: bool = False      # an address a client on the internet can reach is configured (public IP, stun:, autonat:)
    reachable: bool | None = None     # the address FreeSWITCH advertises to this client is reachable from `client`
    # Docker's own view (fsnb/read/dockerview.py, the record schritt3.ports reads): None for a local FreeSWITCH or
    # when the engine's record could not be read
    network_mode: str | None = None   # host | none | bridge | <network> | container:<id>
    own_netns: bool | None = None     # the container has its own network namespace (not `--network host`)
    rtp_unpublished: list[str] = field(default_factory=list)   # with own_netns: the parts of the RTP range Docker
    #                                   does not publish as UDP on the same host port where browsers at `client` reach
    #                                   it (for lan/internet a publication on the host's loopback does not count),
    #                                   "16384-32768/udp"
    rtp_loopback_only: list[str] = field(default_factory=list)  # of those, the parts published on the host's
    #                                   loopback only (`-p 127.0.0.1:…`), which a browser on the host would reach
    container_addresses: list[str] = field(default_factory=list)  # with own_netns: the container's own addresses
    #                                   on its Docker networks (Docker's record): reachable from the Docker host only


@dataclass
class Call(Observed):
    """Step 5's call (fsnb/probe/media.py)."""
    outcome: str | None = None        # ok | not-run | turn-failed | too-slow | ws-error | register-failed | invite-failed | no-sdp | bad-sdp | unreachable | ice-failed | dtls-failed | no-media-back | no-media-out | error
    why_not: str = ""                 # not-run: no-credentials | simulator | no-wss | no-register
    client: str = "internet"
    invite_status: int | None = None
    invite_reason: str = ""
    addresses: list[str] = field(default_factory=list)      # where the answer asks for media (c= and candidates)
    unreachable: list[str] = field(default_factory=list)    # of those, the ones the client cannot reach
    codecs: list[str] = field(default_factory=list)
    direction: str = ""
    dtls_offered: bool | None = None  # the answer carries a DTLS fingerprint
    ice_state: str = ""
    dtls_state: str = ""
    packets_sent: int = 0
    packets_received: int = 0
    echo_rtt: float | None = None
    sockets: list[str] = field(default_factory=list)        # the probe's local UDP sockets, "addr:port"
    relay: bool = False               # media went through the TURN relay (the offer held relay candidates only)
    seconds: float = 0.0


# nested dataclass fields, for `of`
_nested = {("Ports", n): Port for n in ("wss", "ws", "sip", "esl", "nginx")}
_nested[("Ports", "nginx_upstream")] = Upstream

"""diagnose() as a pure function: one test per cause on synthetic results, and the contract as properties."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsnb.checks import all_checks
from fsnb.diagnosis import observed as obs
from fsnb.diagnosis.catalogue import CAUSES
from fsnb.diagnosis.rules import RULES, diagnose
from fsnb.result import Result, Status

SPECS = {c.id: c for c in all_checks()}


def res(cid: str, result_status: str = "pass", **observed) -> Result:
    kind = SPECS[cid].observes
    data = dataclasses.asdict(kind.of(observed, strict=True)) if observed else {}
    return Result(cid, SPECS[cid].section, cid, cid, Status(result_status), f"{cid} is {result_status}", observed=data)


CALL_OK = dict(outcome="ok", client="host", invite_status=200, addresses=["127.0.0.1"], codecs=["PCMU/8000"],
               dtls_offered=True, ice_state="completed", dtls_state="connected", packets_sent=21, packets_received=18,
               echo_rtt=0.09)


def healthy() -> dict[str, Result]:
    """A run where everything passed, observed as on a healthy deployment."""
    port = lambda p: {"port": p, "listening_on": ["127.0.0.1"], "from_here": "open", "expected": "127.0.0.1"}  # noqa: E731
    hop = {"outcome": "ok", "status": 101, "subprotocol": "sip", "tls_verified": True}
    return {r.id: r for r in [
        res("wissen.zertifikat", present=True, validity="ok"),
        res("wissen.binding", read=True, wss_binding=":7443"),
        res("wissen.nginx", listening=True, config_read=True, scheme="https", upstream_port=7443),
        res("wissen.tunnel", config_read=True, routes_to_nginx=True, catch_all=True),
        res("schritt1.esl", outcome="ok", up=True, uptime_s=60.0),
        res("schritt1.esl_config", read=True, listen_ip="127.0.0.1", listen_port=8021),
        res("schritt2.profil", running=True, wss_bind_url="sips:mod_sofia@127.0.0.1:7443;transport=wss"),
        res("schritt2.log", read=True, started_ok=True),
        res("schritt3.ports", wss=port(7443), ws=port(5066), sip=port(5060), esl=port(8021), nginx=port(8082)),
        res("schritt4.wss", **hop), res("schritt4.ws", **hop), res("schritt4.nginx", **hop), res("schritt4.public", **hop),
        res("schritt4.curl", result="empty"),
        res("schritt5.config", client="host", rtp_ip="127.0.0.1", reachable=True),
        res("schritt5.anruf", **CALL_OK),
        res("alternative.ws5066", probe="sip-no-answer", browser_sip_dropped=True),
    ]}


def call(status: str = "fail", **changes) -> Result:
    return res("schritt5.anruf", status, **{**CALL_OK, **changes})


def with_(changes: dict[str, Result]) -> list[Result]:
    rs = healthy()
    rs.update(changes)
    return list(rs.values())


def closed(port):
    return {"port": port, "listening_on": [], "from_here": "refused", "expected": "127.0.0.1"}


DOWN_HOPS = {k: res(k, "fail", outcome="refused") for k in ("schritt4.wss", "schritt4.ws", "schritt4.nginx", "schritt4.public")}
LISTENERS_DOWN = dict(DOWN_HOPS, **{"schritt3.ports": res("schritt3.ports", "fail", wss=closed(7443), ws=closed(5066),
                                                           sip=closed(5060))},
                      **{"schritt4.curl": res("schritt4.curl", "fail", result="refused")})


# each cause: the results that show it (on top of a healthy run), and the checks it must explain
CASES = {
    "profile-not-running": dict(LISTENERS_DOWN, **{"schritt2.profil": res("schritt2.profil", "fail", running=False)}),
    "wss-pem-bad": dict(LISTENERS_DOWN, **{
        "schritt2.profil": res("schritt2.profil", "fail", running=False),
        "schritt2.log": res("schritt2.log", "fail", read=True, bad_pem=1),
        "wissen.zertifikat": res("wissen.zertifikat", "fail", present=True, unusable=True, validity="ok")}),
    "bind-failed": dict(LISTENERS_DOWN, **{
        "schritt2.profil": res("schritt2.profil", "fail", running=False),
        "schritt2.log": res("schritt2.log", "fail", read=True, bind_error=1)}),
    "wss-binding-not-applied": {
        "schritt3.ports": res("schritt3.ports", "fail", wss=closed(7443)),
        "schritt4.wss": res("schritt4.wss", "fail", outcome="refused"),
        "schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=502),
        "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502),
        "schritt4.curl": res("schritt4.curl", "fail", result="refused")},
    "bound-elsewhere": {
        "schritt3.ports": res("schritt3.ports", "fail", wss={"port": 7443, "listening_on": ["10.0.0.5"], "from_here": "refused"}),
        "schritt4.wss": res("schritt4.wss", "fail", outcome="refused")},
    "freeswitch-down": dict(LISTENERS_DOWN, **{
        "schritt1.esl": res("schritt1.esl", "fail", outcome="refused"),
        "schritt2.profil": res("schritt2.profil", "skip")}),
    "esl-not-listening": {
        "schritt1.esl": res("schritt1.esl", "fail", outcome="refused"),
        "schritt1.esl_config": res("schritt1.esl_config", "fail", read=True, listen_ip="10.254.254.254",
                                   listen_ip_local=False, problems=["not local"]),
        "schritt2.log": res("schritt2.log", "fail", read=True, esl_socket_error=3),
        "schritt2.profil": res("schritt2.profil", "skip")},
    "esl-acl-rejects": {"schritt1.esl": res("schritt1.esl", "fail", outcome="acl"),
                        "schritt1.esl_config": res("schritt1.esl_config", "fail", read=True, acl_rejects_client=True)},
    "esl-bad-password": {"schritt1.esl": res("schritt1.esl", "fail", outcome="bad-password")},
    "esl-no-answer": {"schritt1.esl": res("schritt1.esl", "fail", outcome="no-answer"),
                      "schritt2.log": res("schritt2.log", "fail", read=True, esl_socket_error=2)},
    "esl-port-not-esl": {"schritt1.esl": res("schritt1.esl", "fail", outcome="not-esl")},
    "nginx-not-listening": {"wissen.nginx": res("wissen.nginx", "fail", listening=False, config_read=True),
                            "schritt4.nginx": res("schritt4.nginx", "fail", outcome="refused"),
                            "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "nginx-scheme-mismatch": {"wissen.nginx": res("wissen.nginx", "fail", listening=True, config_read=True, scheme="http",
                                                  upstream_port=7443, scheme_mismatch=True),
                              "schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=502),
                              "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "nginx-upstream-down": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=502),
                            "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "via-transport-mismatch": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="sip-no-answer"),
                               "schritt4.public": res("schritt4.public", "fail", outcome="sip-no-answer"),
                               "alternative.ws5066": res("alternative.ws5066", "fail", probe="sip-no-answer",
                                                         alternative_in_use=True, browser_sip_dropped=True)},
    "tunnel-origin-unreachable": {"wissen.tunnel": res("wissen.tunnel", "fail", config_read=True, routes_to_nginx=False,
                                                       service="http://localhost:8080"),
                                  "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "subprotocol-missing": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="no-subprotocol"),
                            "schritt4.public": res("schritt4.public", "fail", outcome="no-subprotocol")},
    "wss-cert-expired": {"wissen.zertifikat": res("wissen.zertifikat", "fail", present=True, validity="expired",
                                                  problems=["certificate expired"]),
                         "schritt4.wss": res("schritt4.wss", "fail", outcome="tls-error")},
    "wss-cert-not-yet-valid": {"wissen.zertifikat": res("wissen.zertifikat", "fail", present=True, validity="not-yet-valid",
                                                        problems=["not valid before"])},
    # Step 5 (media), as the real lab's scenarios showed them
    "call-not-routed": {"schritt5.anruf": call(outcome="invite-failed", invite_status=502, addresses=[], codecs=[],
                                               dtls_offered=None, ice_state="", dtls_state="", packets_sent=0,
                                               packets_received=0, echo_rtt=None)},
    "no-common-codec": {"schritt5.anruf": call(outcome="invite-failed", invite_status=488, addresses=[], codecs=[],
                                               dtls_offered=None, ice_state="", dtls_state="", echo_rtt=None)},
    "media-only-tunnel": {"schritt5.config": res("schritt5.config", "fail", client="internet", rtp_ip="127.0.0.1",
                                                 ext_rtp_ip="127.0.0.1", ext_kind="ip", reachable=False),
                          "schritt5.anruf": call(client="internet", unreachable=["127.0.0.1"])},
    "media-address-unreachable": {"schritt5.anruf": call(outcome="ice-failed", addresses=["127.0.0.77"],
                                                         ice_state="failed", dtls_state="new", packets_received=0,
                                                         echo_rtt=None)},
    "turn-unusable": {"schritt5.config": res("schritt5.config", client="internet", rtp_ip="127.0.0.1", reachable=False,
                                             turn="turn:127.0.0.1:3478"),
                      "schritt5.anruf": call(outcome="turn-failed", client="internet", addresses=[], ice_state="",
                                             dtls_state="", packets_sent=0, packets_received=0, echo_rtt=None)},
    "dtls-srtp-failed": {"schritt5.anruf": call(outcome="dtls-failed", dtls_state="failed", packets_sent=0,
                                                packets_received=0, echo_rtt=None)},
    "one-way-audio": {"schritt5.anruf": call(outcome="no-media-back", echo_rtt=None)},
    "sip-register-rejected": {"schritt4.public": res("schritt4.public", "fail", outcome="ok", register_failed=True,
                                                     register=["REGISTER -> SIP/2.0 403 Forbidden"])},
    "ws-wss-port-shared": {
        "wissen.binding": res("wissen.binding", "fail", read=True, ws_binding=":5066", wss_binding=":5066",
                              ws_binding_effective="127.0.0.1:5066", wss_binding_effective="127.0.0.1:5066",
                              port_shared=True),
        "wissen.nginx": res("wissen.nginx", "fail", listening=True, config_read=True, scheme="https", upstream_port=5066,
                            scheme_mismatch=True),
        "schritt3.ports": res("schritt3.ports", "fail", wss=closed(7443)),
        "schritt4.wss": res("schritt4.wss", "fail", outcome="refused"),
        "schritt4.public": res("schritt4.public", "fail", outcome="timeout")},
    "wss-port-shared-by-profiles": {
        "wissen.binding": res("wissen.binding", "fail", read=True, wss_binding=":7443", wss_binding_effective="127.0.0.1:7443",
                              shared_by_profiles=["internal-b: wss-binding :7443 (/etc/freeswitch/sip_profiles/internal-b.xml)"]),
        "schritt4.nginx": res("schritt4.nginx", "fail", outcome="sip-no-answer"),
        "schritt4.public": res("schritt4.public", "fail", outcome="ok", register_failed=True,
                               register=["REGISTER -> SIP/2.0 403 Forbidden"])},
    "wss-cert-shadowed": {"wissen.zertifikat": res("wissen.zertifikat", "fail", present=True, validity="ok",
                                                   shadowed_by="wss.crt", served_not_after="2025-01-01T00:00:00+00:00"),
                          "schritt4.wss": res("schritt4.wss", "fail", outcome="tls-error", tls_verified=False)},
    "nginx-port-taken": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="not-http", nginx_reason="port-taken",
                                               nginx_errors=["[emerg] still could not bind()"]),
                         "schritt4.public": res("schritt4.public", "fail", outcome="error")},
    "nginx-upstream-cert-rejected": {
        "schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=502, nginx_reason="upstream-cert-rejected"),
        "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "wss-port-mismatch": {
        "wissen.binding": res("wissen.binding", "fail", read=True, wss_binding=":8044", wss_binding_effective="127.0.0.1:8044",
                              port_mismatch=True, wss_binding_count=2),
        "schritt2.profil": res("schritt2.profil", running=True, wss_bind="127.0.0.1:8044", wss_port_mismatch=True),
        "schritt3.ports": res("schritt3.ports", "fail", wss=closed(7443)),
        "schritt4.wss": res("schritt4.wss", "fail", outcome="refused"),
        "schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=502),
        "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502),
        "schritt4.curl": res("schritt4.curl", "fail", result="refused")},
    "wss-binding-change-pending": {
        "wissen.binding": res("wissen.binding", "fail", read=True, wss_binding=":8044", wss_binding_effective="127.0.0.1:8044",
                              port_mismatch=True, wss_binding_count=1),
        "schritt2.profil": res("schritt2.profil", running=True, wss_bind="127.0.0.1:7443", wss_port_mismatch=False)},
    "profile-not-configured": dict(LISTENERS_DOWN, **{
        "schritt2.profil": res("schritt2.profil", "fail", running=False),
        "schritt2.log": res("schritt2.log", "fail", read=True, no_such_profile=2),
        "wissen.binding": res("wissen.binding", "fail", conf_dir="/etc/freeswitch")}),
    "mod-sofia-not-loaded": dict(LISTENERS_DOWN, **{
        "schritt2.profil": res("schritt2.profil", "fail", running=False, sofia_loaded=False)}),
    "esl-port-mismatch": {
        "schritt1.esl": res("schritt1.esl", "fail", outcome="refused"),
        "schritt1.esl_config": res("schritt1.esl_config", "fail", read=True, listen_port=8022, port_mismatch=True),
        "schritt2.profil": res("schritt2.profil", "skip")},
    "nginx-location-mismatch": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=404),
                                "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=404)},
    "nginx-listen-ssl": {"schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=400,
                                               http_hint="plain-http-to-https-port"),
                         "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=400)},
    "tunnel-config-invalid": {"wissen.tunnel": res("wissen.tunnel", "fail", config_read=False, parse_error="tab at 3:1"),
                              "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "tunnel-origin-tls": {"wissen.tunnel": res("wissen.tunnel", "fail", config_read=True, routes_to_nginx=True,
                                               origin_tls_mismatch=True, judge="cloudflared 2023.7.3", rule=1),
                          "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=502)},
    "wss-pem-bad-pending": {"wissen.zertifikat": res("wissen.zertifikat", "fail", present=True, unusable=True,
                                                     problems=["the private key is encrypted"])},
}
# Issue #18, Docker's own view: FreeSWITCH in the container's own network namespace (as the real lab's
# docker-own-netns run observes it: every listener on the container's 127.0.0.1, nothing reachable from here)
def _in_container(port):
    return {"port": port, "listening_on": ["127.0.0.1"], "from_here": "refused", "expected": "127.0.0.1"}


_NETNS_DOWN = dict(DOWN_HOPS, **{
    "schritt1.esl": res("schritt1.esl", "fail", outcome="refused", address="127.0.0.1:8021", listening_on=["127.0.0.1"]),
    "schritt2.profil": res("schritt2.profil", "skip"),
    "schritt4.curl": res("schritt4.curl", "fail", result="refused"),
    "alternative.ws5066": res("alternative.ws5066", "fail", probe="refused")})
CASES.update({
    "container-ports-not-published": dict(_NETNS_DOWN, **{"schritt3.ports": res(
        "schritt3.ports", "fail", wss=_in_container(7443), ws=_in_container(5066), sip=_in_container(5060),
        esl=_in_container(8021), network_mode="none", own_netns=True, published=[],
        unpublished=["wss 7443", "ws 5066", "sip 5060", "esl 8021"])}),
    "container-listens-on-loopback": dict(_NETNS_DOWN, **{"schritt3.ports": res(
        "schritt3.ports", "fail", wss=_in_container(7443), ws=_in_container(5066), sip=_in_container(5060),
        esl=_in_container(8021), network_mode="bridge", own_netns=True,
        published=["127.0.0.1:7443 -> 7443/tcp", "127.0.0.1:8021 -> 8021/tcp"])}),
})
# Issue #22: the container's RTP range, as the real lab's docker-own-netns-published run observes it (Docker's `none`,
# nothing published by Docker; the SDP names the container's loopback, ICE finds no way there)
_ICE_FAILED = dict(outcome="ice-failed", ice_state="failed", dtls_state="new", packets_received=0, echo_rtt=None)


def _media_conf(status="fail", **changes):
    return res("schritt5.config", status, **{**dict(client="host", rtp_ip="127.0.0.1", reachable=True,
                                                    network_mode="none", own_netns=True,
                                                    rtp_unpublished=["16384-32768/udp"]), **changes})


CASES["rtp-ports-not-published"] = {"schritt5.config": _media_conf(), "schritt5.anruf": call(**_ICE_FAILED)}
# Issue #18, nginx's own view: the upstream behind a variable (the config shows no scheme mismatch), the error
# log's line of this request (recorded nginx 1.22, fixtures 503/505) names the cause
_LOG_505 = ('2026/11/26 10:07:20 [error] 25402#25402: *1 peer closed connection in SSL handshake while SSL handshaking '
            'to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "https://127.0.0.1:5066/"')
_LOG_503 = ('2026/11/26 10:05:21 [error] 25402#25402: *1 upstream prematurely closed connection while reading response '
            'header from upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:7443/"')
_LOG_TIMEOUT = ('2026/11/26 10:09:02 [error] 25402#25402: *1 upstream timed out (110: Connection timed out) while '
                'reading response header from upstream, client: 127.0.0.1, upstream: "https://127.0.0.1:7450/"')


def _nginx_502(line: str, status: int = 502) -> dict:
    from fsnb.read import nginxlog
    hop = dict(outcome="http-status", status=status, nginx_errors=[line], nginx_reason=nginxlog.reason([line]))
    return {"schritt4.nginx": res("schritt4.nginx", "fail", **hop), "schritt4.public": res("schritt4.public", "fail", **hop)}


CASES["esl-address-mismatch"] = {   # listen-ip 127.0.0.2, the target connects to 127.0.0.1 (real lab esl-other-address)
    "schritt1.esl": res("schritt1.esl", "fail", outcome="refused", address="127.0.0.1:8021", listening_on=["127.0.0.2"]),
    "schritt2.profil": res("schritt2.profil", "skip")}
CASES["profile-xml-broken"] = {   # the wrong closing tag of the real profile-xml-broken run, as expat names it
    "wissen.binding": res("wissen.binding", "fail", conf_dir="/etc/freeswitch", xml_error=(
        "sip_profiles/internal.xml: not well-formed XML (mismatched tag: line 324, column 4)"))}
CASES["nginx-other-default-server"] = {   # nginx -T: 000-default.conf is default_server, the proxy_pass block unnamed
    "wissen.nginx": res("wissen.nginx", "fail", listening=True, config_read=True, scheme="https", upstream_port=7443,
                        effective_from="/usr/sbin/nginx -T -p /etc/nginx/ -c /etc/nginx/nginx.conf",
                        servers_on_port=["/etc/nginx/sites-enabled/000-default:1 (no server_name) default_server",
                                         "/etc/nginx/sites-enabled/freeswitch:1 (no server_name)"],
                        other_default="/etc/nginx/sites-enabled/000-default:1 (no server_name) default_server"),
    "schritt4.nginx": res("schritt4.nginx", "fail", outcome="http-status", status=404),
    "schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=404)}
CASES.update({
    "nginx-upstream-tls-failed": _nginx_502(_LOG_505),
    "nginx-upstream-protocol": _nginx_502(_LOG_503),
    "nginx-upstream-timeout": _nginx_502(_LOG_TIMEOUT, 504),
})
# the red team's round (#18 item 5): what the real FreeSWITCH 1.11, nginx 1.22 and Docker showed for each new cause
_LOG_TLS1 = ('2026/12/03 03:11:05 [error] 10494#10494: *53 SSL_do_handshake() failed (SSL: error:0A00042E:SSL '
             'routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream, client: '
             '127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "https://127.0.0.1:14453/"')
_LOG_NULL_CIPHER = ('2026/12/03 03:11:29 [crit] 11624#11624: *77 SSL_do_handshake() failed (SSL: error:0A0000B5:SSL '
                    'routines::no ciphers available:No ciphers enabled for max supported SSL/TLS version) while SSL '
                    'handshaking to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1"')
_LOG_LIMIT = ('2026/12/03 03:32:52 [error] 24155#24155: *40 limiting requests, excess: 1.000 by zone "fsred", client: '
              '127.0.0.1, server: , request: "GET / HTTP/1.1", host: "freeswitch.aidevelo.ai"')
_HOPS_SAY = lambda **hop: {k: res(k, "fail", **hop) for k in ("schritt4.nginx", "schritt4.public")}  # noqa: E731
_NO_WSS = {"schritt2.profil": res("schritt2.profil", "fail", running=True, wss_bind_url=None),
           "schritt3.ports": res("schritt3.ports", "fail", wss=closed(7443),
                                 ws={"port": 5066, "listening_on": ["127.0.0.1"], "from_here": "open"},
                                 sip={"port": 5060, "listening_on": ["127.0.0.1"], "from_here": "open"}),
           **{k: res(k, "fail", outcome="refused") for k in ("schritt4.wss", "schritt4.nginx", "schritt4.public")}}
_HANGS = {k: res(k, "fail", outcome="timeout") for k in ("schritt4.wss", "schritt4.ws", "schritt4.nginx",
                                                        "schritt4.public")}
CASES.update({
    "nginx-upstream-tls-mismatch": _nginx_502(_LOG_TLS1),
    "nginx-redirects": _HOPS_SAY(outcome="http-status", status=301),
    # the nginx hop got the one request a minute, the public hop's was refused: 'limiting requests' in nginx's log
    "nginx-rate-limited": {"schritt4.public": res("schritt4.public", "fail", outcome="http-status", status=503,
                                                  nginx_errors=[_LOG_LIMIT], nginx_reason="rate-limited")},
    "nginx-refuses-request": _HOPS_SAY(outcome="http-status", status=403),
    "nginx-listen-http2": dict(_HOPS_SAY(outcome="not-http"), **{"wissen.nginx": res(
        "wissen.nginx", "fail", listening=True, config_read=True, scheme="https", upstream_port=7443,
        listen_h2c="127.0.0.1:8082 http2")}),
    "wss-binding-malformed": dict(_NO_WSS, **{"wissen.binding": res(
        "wissen.binding", "fail", read=True, wss_binding="7443", binding_malformed="wss-binding: 7443")}),
    "wss-bound-by-other-profile": {
        "wissen.binding": res("wissen.binding", "fail", read=True, wss_binding=None,
                              wss_in_other_profile=["external: wss-binding :7443 (/etc/freeswitch/sip_profiles/external.xml)"]),
        "schritt2.profil": res("schritt2.profil", "fail", running=True, wss_bind_url=None)},
    "freeswitch-process-stopped": dict(_HANGS, **{
        "schritt1.esl": res("schritt1.esl", "fail", outcome="no-answer"),
        "schritt2.profil": res("schritt2.profil", "skip"),
        "schritt3.ports": res("schritt3.ports", "fail", network_mode="host", own_netns=False,
                              container_status="running", process_state="T",
                              wss={"port": 7443, "listening_on": ["127.0.0.1"], "from_here": "open"}),
        "schritt4.curl": res("schritt4.curl", "fail", result="timeout")}),
    "container-paused": dict(_HANGS, **{
        "schritt1.esl": res("schritt1.esl", "fail", outcome="no-answer"),
        "schritt2.profil": res("schritt2.profil", "skip"),
        "schritt3.ports": res("schritt3.ports", "fail", network_mode="host", own_netns=False, container_status="paused",
                              wss={"port": 7443, "listening_on": None, "from_here": "open"}),
        "schritt4.curl": res("schritt4.curl", "fail", result="timeout")}),
})


@pytest.mark.unit
def test_a_tls_version_or_cipher_refusal_is_not_read_as_no_tls_there():
    """OpenSSL's refusals of a version or a cipher are a TLS both ends speak (nginx-upstream-tls-mismatch); a
    handshake the peer closes is nothing speaking TLS (nginx-upstream-tls-failed) — both end in 'while SSL
    handshaking to upstream'."""
    from fsnb.read import nginxlog
    assert nginxlog.reason([_LOG_TLS1]) == nginxlog.reason([_LOG_NULL_CIPHER]) == "upstream-tls-params"
    assert nginxlog.reason([_LOG_505]) == "upstream-tls-handshake"
    assert nginxlog.reason([_LOG_LIMIT]) == "rate-limited"


WARNINGS = {
    "nginx-websocket-config": {"wissen.nginx": res("wissen.nginx", "warn", listening=True, config_read=True,
                                                   warnings=["proxy_http_version 1.1 fehlt"])},
    "certificate-untrusted": {"schritt4.wss": res("schritt4.wss", "warn", outcome="ok", tls_verified=False)},
    "wss-pem-warning": {"wissen.zertifikat": res("wissen.zertifikat", "warn", present=True, self_signed_freeswitch=True)},
}
WARNINGS["profile-xml-not-well-formed"] = {"wissen.binding": res(
    "wissen.binding", "warn", read=True, wss_binding=":7443", wss_binding_effective="127.0.0.1:7443",
    xml_flaw="not well-formed (invalid token): line 29, column 55: a bare '&' (write &amp;)")}
# issue #18: FreeSWITCH serves its self-generated wss.pem from -certs, the operator's lies in /etc/freeswitch/tls
WARNINGS["wss-pem-in-other-dir"] = {"wissen.zertifikat": res(
    "wissen.zertifikat", "warn", certs_dir="/srv/fs/etc/freeswitch/tls", present=True, self_signed_freeswitch=True,
    subject="CN=FreeSWITCH,O=FreeSWITCH,C=US", other_pem="/etc/freeswitch/tls/wss.pem",
    other_pem_subject="CN=freeswitch.aidevelo.ai")}


@pytest.mark.unit
def test_every_cause_has_a_rule_and_a_case():
    assert set(RULES) == set(CAUSES) - {"unexplained-failure"}
    assert set(CASES) | set(WARNINGS) == set(RULES)


@pytest.mark.unit
def test_healthy_has_no_findings():
    assert diagnose(with_({})) == []


@pytest.mark.unit
@pytest.mark.parametrize("cause", sorted(CASES))
def test_cause(cause):
    results = with_(CASES[cause])
    findings = diagnose(results)
    assert findings and findings[0].cause == cause, [f.cause for f in findings]
    failed = {r.id for r in results if r.status.failed}
    assert set(findings[0].explains) == failed & set(CAUSES[cause].explains)
    assert "unexplained-failure" not in [f.cause for f in findings], [(f.cause, f.explains) for f in findings]


@pytest.mark.unit
@pytest.mark.parametrize("cause", sorted(WARNINGS))
def test_warning(cause):
    findings = diagnose(with_(WARNINGS[cause]))
    assert [(f.cause, f.severity) for f in findings] == [(cause, "warn")]


@pytest.mark.unit
def test_an_unknown_failure_is_surfaced_with_what_to_look_at_next():
    rs = healthy()
    rs["schritt4.ws"] = res("schritt4.ws", "error", outcome="timeout")
    findings = diagnose(list(rs.values()))
    assert [(f.cause, f.severity, f.explains) for f in findings] == [("unexplained-failure", "fail", ["schritt4.ws"])]
    assert "schritt4.ws" in findings[0].text_en and findings[0].fix_en.startswith("Next:")


@pytest.mark.unit
def test_an_unanswered_register_is_not_a_rejected_one():
    """Silence after REGISTER (the deadline ran out) is no evidence of a wrong user/password: it is surfaced as
    unexplained, never as sip-register-rejected (seen once on the real FreeSWITCH under a loaded machine)."""
    rs = healthy()
    rs["schritt4.public"] = res("schritt4.public", "fail", outcome="ok", register_unanswered=True,
                                register=["REGISTER -> SIP/2.0 401 Unauthorized", "REGISTER (digest): no answer"])
    findings = diagnose(list(rs.values()))
    assert [(f.cause, f.explains) for f in findings] == [("unexplained-failure", ["schritt4.public"])]


@pytest.mark.unit
@pytest.mark.parametrize("last,flag", [("REGISTER (digest): no answer", "register_unanswered"),
                                       ("REGISTER: no answer", "register_unanswered"),
                                       ("REGISTER (digest) -> SIP/2.0 403 Forbidden", "register_failed")])
def test_the_public_check_tells_silence_from_rejection(tmp_path, monkeypatch, last, flag):
    """The real schritt4.public check on what the WebSocket probe saw (the probe itself stubbed: no lab)."""
    import hostile

    from fsnb import target
    from fsnb.probe import wsprobe
    from fsnb.runner import run
    monkeypatch.setenv("FSNB_T_PW", "not-used")

    async def probe(hop, timeout, *args, **kwargs):
        return wsprobe.HopResult("ok", "101", status=101, subprotocol="sip", tls_verified=True,
                                 sip_response="SIP/2.0 200 OK", register=["REGISTER -> SIP/2.0 401 Unauthorized", last])
    monkeypatch.setattr(wsprobe, "run", probe)
    t = target.loads(hostile.target_toml(tmp_path, 1, 2, 7443))
    r = run(t, only=["schritt4.public"]).results[0]
    assert r.status == Status.FAIL and r.observed.get(flag) is True
    other = {"register_unanswered", "register_failed"} - {flag}
    assert not r.observed.get(other.pop())


@pytest.mark.unit
def test_a_warning_never_ranks_above_a_failure():
    rs = healthy()
    rs.update(WARNINGS["nginx-websocket-config"])
    rs["schritt4.ws"] = res("schritt4.ws", "fail", outcome="timeout")
    assert [f.severity for f in diagnose(list(rs.values()))] == ["fail", "warn"]


@pytest.mark.unit
def test_superseded_causes_are_left_out():
    rs = healthy()
    rs.update(CASES["wss-pem-bad"])
    causes = [f.cause for f in diagnose(list(rs.values()))]
    assert "profile-not-running" not in causes and causes[0] == "wss-pem-bad"


@pytest.mark.unit
def test_no_rule_reads_prose():
    """Rewording a check's summary changes no finding."""
    rs = healthy()
    rs.update(CASES["nginx-scheme-mismatch"])
    before = [f.cause for f in diagnose(list(rs.values()))]
    for r in rs.values():
        r.summary = r.summary_en = "reworded"
        r.observed = {k: (["reworded"] if isinstance(v, list) and v and isinstance(v[0], str) else v)
                      for k, v in r.observed.items()}
    assert [f.cause for f in diagnose(list(rs.values()))] == before


@pytest.mark.lab
def test_nginx_scheme_mismatch_behind_an_upstream_group(tmp_path, monkeypatch):
    """The real wissen.nginx check (no lab: a local target, a socket standing in for nginx) on a proxy_pass that
    names an `upstream {}` group whose server is the WSS port: the same observation and cause as a direct
    `proxy_pass http://127.0.0.1:<wss>`, with the group and its servers in the evidence."""
    import socket

    import hostile

    from fsnb import target
    from fsnb.runner import run
    monkeypatch.setenv("FSNB_T_PW", "not-used")
    with socket.create_server(("127.0.0.1", 0)) as nginx:   # listening, so only the scheme is wrong
        t = target.loads(hostile.target_toml(tmp_path, 1, nginx.getsockname()[1], 7443))
        loc = "    server { listen 127.0.0.1:8082; location / { proxy_pass %s; proxy_http_version 1.1; } }\n"
        seen = {}
        for name, conf in (("direct", loc % "http://127.0.0.1:7443"),
                           ("group", "upstream fs_wss { server 127.0.0.1:7443; server 127.0.0.2:7443; }\n"
                                     + loc % "http://fs_wss")):
            (tmp_path / "nginx.conf").write_text("http {\n" + conf + "}\n")
            r = run(t, only=["wissen.nginx"]).results[0]
            rs = healthy()
            rs.update(CASES["nginx-scheme-mismatch"], **{"wissen.nginx": r})
            seen[name] = (r, [f.cause for f in diagnose(list(rs.values()))])
    (direct, direct_causes), (group, group_causes) = seen["direct"], seen["group"]
    assert group.status == direct.status == Status.FAIL
    assert group.observed["scheme_mismatch"] and group.observed["upstream_port"] == 7443
    assert group.observed["upstream_name"] == "fs_wss" and direct.observed.get("upstream_name") is None
    mine = ("proxy_pass", "upstream_name", "problems")     # the rest is observed alike
    assert {k: v for k, v in group.observed.items() if k not in mine} == \
        {k: v for k, v in direct.observed.items() if k not in mine}
    assert group_causes == direct_causes and group_causes[0] == "nginx-scheme-mismatch"
    assert "via upstream fs_wss (server 127.0.0.1:7443, 127.0.0.2:7443)" in group.summary_en
    assert "upstream_servers: 127.0.0.1:7443, 127.0.0.2:7443" in group.evidence[0].text


# -- properties over random result sets ----------------------------------------------------------------
def _observed(kind):
    return st.builds(kind).map(dataclasses.asdict) | st.just({})


results_strategy = st.tuples(*[
    st.builds(lambda status, data, cid=cid: Result(cid, SPECS[cid].section, cid, cid, status, "s", observed=data),
              st.sampled_from(list(Status)), _observed(SPECS[cid].observes))
    for cid in SPECS])


@pytest.mark.unit
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results_strategy)
def test_every_failure_is_explained(results):
    results = list(results)
    findings = diagnose(results)          # also: no rule reads a check it does not declare (KeyError)
    failed = {r.id for r in results if r.status.failed}
    fails = [f for f in findings if f.severity == "fail"]
    assert failed <= {cid for f in fails for cid in f.explains}
    assert all(set(f.explains) <= failed for f in findings)
    assert bool(fails) == bool(failed)                      # exit 1 <=> a fail-level finding
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "fail")   # no warning above a failure
    assert all(f.cause in CAUSES for f in findings)


@pytest.mark.unit
def test_journals_without_new_fields_still_diagnose():
    """Older journals lack fields; the typed view fills defaults instead of failing."""
    rs = healthy()
    rs["schritt1.esl"] = Result("schritt1.esl", "schritt1", "t", "t", Status.FAIL, "s", observed={"outcome": "acl"})
    assert diagnose(list(rs.values()))[0].cause == "esl-acl-rejects"
    with pytest.raises(TypeError):
        obs.Esl.of({"outcome": "ok", "nonsense": 1}, strict=True)


# -- log evidence belongs to the running FreeSWITCH ---------------------------------------------------
OLD_RUN = """2026-11-25 10:00:00.000001 0.00% [CONSOLE] switch_loadable_module.c:1833 Successfully Loaded [mod_logfile]
2026-11-25 10:00:01.000001 0.00% [WARNING] mod_event_socket.c:2682 IP 127.0.0.1 Rejected by acl "deny_all"
2026-11-25 10:00:02.000001 0.00% [ERR] sofia.c:3308 Error Creating SIP UA for profile: internal (sip:x). Bad WSS.PEM certificate.
"""
NEW_RUN = """2026-11-26 09:00:00.000001 0.00% [CONSOLE] switch_loadable_module.c:1833 Successfully Loaded [mod_logfile]
2026-11-26 09:00:00.500001 0.00% [NOTICE] sofia.c:6341 Started Profile internal [sofia_reg_internal]
2026-11-26 09:00:00.600001 0.00% [NOTICE] sofia.c:4226 Adding Alias [127.0.0.1] for profile [internal]
"""


@pytest.mark.unit
def test_log_lines_of_an_earlier_run_are_not_evidence():
    from fsnb.checks.schritt2 import scan
    from fsnb.read import fsstatus
    everything = scan(OLD_RUN + NEW_RUN, "internal")       # no clock (ESL down): the last start marker decides
    assert everything["acl_reject"] == [] and everything["bad_pem"] == [] and everything["earlier_lines"] == 3
    up = fsstatus.uptime_seconds("UP 0 years, 0 days, 0 hours, 10 minutes, 0 seconds, 0 milliseconds, 0 microseconds\n")
    since = fsstatus.started_at("2026-11-26 09:10:00", up)
    assert up == 600.0 and since == "2026-11-26 08:59:58"
    by_clock = scan(OLD_RUN + NEW_RUN.replace("Successfully Loaded [mod_logfile]", "log rotated"), "internal", since)
    assert by_clock["acl_reject"] == [] and by_clock["bad_pem"] == [] and by_clock["earlier_lines"] == 3
    assert len(scan(OLD_RUN, "internal", None)["bad_pem"]) == 1            # the failing run itself still counts


@pytest.mark.unit
def test_host_network_and_a_listener_elsewhere_stays_bound_elsewhere():
    """Without Docker's view (or with host networking) a listener on another address is bound-elsewhere, as before."""
    ports = res("schritt3.ports", "fail", wss={"port": 7443, "listening_on": ["10.0.0.5"], "from_here": "refused"},
                network_mode="host", own_netns=False)
    findings = diagnose(with_({"schritt3.ports": ports, "schritt4.wss": res("schritt4.wss", "fail", outcome="refused")}))
    assert findings[0].cause == "bound-elsewhere", [f.cause for f in findings]


@pytest.mark.unit
def test_a_published_port_that_reaches_freeswitch_is_no_container_finding():
    """Own namespace, published, reachable (the lab's docker-own-netns-published): healthy."""
    port = {"port": 7443, "listening_on": ["127.0.0.1"], "from_here": "open", "expected": "127.0.0.1"}
    ports = res("schritt3.ports", wss=port, network_mode="none", own_netns=True, published=["127.0.0.1:7443 -> 7443/tcp"])
    assert diagnose(with_({"schritt3.ports": ports})) == []


@pytest.mark.unit
def test_nginx_error_log_reasons():
    """nginx's own lines (as recorded from nginx 1.22) become a typed reason; old request errors do not count."""
    import datetime as dt

    from fsnb.read import nginxlog
    now = dt.datetime(2026, 11, 26, 17, 0, 0)
    lines = [
        "2026/11/26 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream",
        "2026/11/26 17:00:01 [error] 7#7: *9 upstream SSL certificate verify error: (10:certificate has expired) while "
        "SSL handshaking to upstream",
        "2026/11/26 17:00:01 [info] 7#7: *9 client closed connection",
    ]
    got = nginxlog.relevant(lines, now)
    assert got == [lines[1]] and nginxlog.reason(got) == "upstream-cert-rejected"
    bind = ["2026/11/20 09:00:00 [emerg] 5#5: bind() to 127.0.0.1:8082 failed (98: Address already in use)",
            "2026/11/20 09:00:02 [emerg] 5#5: still could not bind()"]
    assert nginxlog.reason(nginxlog.relevant(bind, now)) == "port-taken"       # a start-up error stays relevant
    assert nginxlog.reason(nginxlog.relevant(lines[:1], now)) is None           # an old request error does not


@pytest.mark.unit
def test_a_call_that_ran_out_of_time_names_no_media_cause():
    """A busy machine is no evidence: a call not judged in its budget is a warning, never one-way audio or an
    unreachable address."""
    slow = res("schritt5.anruf", "warn", **{**CALL_OK, "outcome": "too-slow", "ice_state": "checking",
                                            "dtls_state": "new", "packets_received": 0, "echo_rtt": None})
    assert [f.cause for f in diagnose(with_({"schritt5.anruf": slow}))] == []


@pytest.mark.unit
@pytest.mark.parametrize("conf", [
    dict(network_mode="host", own_netns=False, rtp_unpublished=[]),        # host networking: no publishing needed
    dict(network_mode=None, own_netns=None, rtp_unpublished=[]),           # Docker's view unknown (a local FreeSWITCH)
    dict(rtp_unpublished=[]),                                               # the whole range published
], ids=["host-network", "view-unknown", "range-published"])
def test_an_unreachable_media_address_is_no_rtp_publication_finding_without_the_proof(conf):
    """Issue #22: without Docker's record that the container has its own network and leaves (part of) the RTP range
    unpublished, a failed call stays media-address-unreachable."""
    found = diagnose(with_({"schritt5.config": _media_conf("pass", **conf), "schritt5.anruf": call(**_ICE_FAILED)}))
    assert [f.cause for f in found] == ["media-address-unreachable"], [f.cause for f in found]


@pytest.mark.unit
def test_a_partly_published_rtp_range_is_a_finding_even_when_this_call_had_audio():
    """FreeSWITCH picks each call's port across its range: a call on a published port has audio, the next may not."""
    conf = _media_conf(rtp_start=16384, rtp_end=32768, rtp_range_set=False, rtp_unpublished=["16485-32768/udp"])
    found = diagnose(with_({"schritt5.config": conf}))
    assert [(f.cause, f.explains) for f in found] == [("rtp-ports-not-published", ["schritt5.config"])]


@pytest.mark.unit
def test_unpublished_rtp_needs_no_audio_path_shown():
    """Range unpublished, but the config passed (a host client reaches the container's bridge address) and the call
    had audio: no finding."""
    assert diagnose(with_({"schritt5.config": _media_conf("pass", rtp_ip="172.17.0.2")})) == []


@pytest.mark.unit
def test_only_the_tunnel_reaching_freeswitch_is_deeper_than_unpublished_rtp():
    conf = _media_conf(client="internet", reachable=False, public_address=False)
    found = diagnose(with_({"schritt5.config": conf, "schritt5.anruf": call(client="internet", **_ICE_FAILED)}))
    assert [f.cause for f in found] == ["media-only-tunnel"], [f.cause for f in found]

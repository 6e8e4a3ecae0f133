"""Write a FreeSWITCH-layout conf dir (as a source build under a prefix) for a lab scenario."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fsnb.lab import pki
from fsnb.lab.scenarios import CrtKey, FsSettings, WssBinding, WssCert, WssPem, WssPort

# internal.xml params in the order a vanilla 1.11 profile dumps them (fixture 118b)
INTERNAL_PARAMS = [
    ("debug", "0"), ("sip-trace", "no"), ("sip-capture", "no"), ("watchdog-enabled", "no"),
    ("watchdog-step-timeout", "30000"), ("watchdog-event-timeout", "30000"), ("log-auth-failures", "false"),
    ("forward-unsolicited-mwi-notify", "false"), ("context", "public"), ("rfc2833-pt", "101"),
    ("sip-port", "$${internal_sip_port}"), ("dialplan", "XML"), ("dtmf-duration", "2000"),
    ("inbound-codec-prefs", "$${global_codec_prefs}"), ("outbound-codec-prefs", "$${global_codec_prefs}"),
    ("rtp-timer-name", "soft"), ("rtp-ip", "$${local_ip_v4}"), ("sip-ip", "$${local_ip_v4}"),
    ("hold-music", "$${hold_music}"), ("apply-nat-acl", "nat.auto"), ("apply-inbound-acl", "domains"),
    ("local-network-acl", "localnet.auto"), ("manage-presence", "true"),
    ("presence-hosts", "$${domain},$${local_ip_v4}"), ("presence-privacy", "$${presence_privacy}"),
    ("inbound-codec-negotiation", "generous"), ("tls", "$${internal_ssl_enable}"), ("tls-only", "false"),
    ("tls-bind-params", "transport=tls"), ("tls-sip-port", "$${internal_tls_port}"),
    ("tls-passphrase", ""), ("tls-verify-date", "true"), ("tls-verify-policy", "none"), ("tls-verify-depth", "2"),
    ("tls-verify-in-subjects", ""), ("tls-version", "$${sip_tls_version}"), ("tls-ciphers", "$${sip_tls_ciphers}"),
    ("inbound-late-negotiation", "true"), ("nonce-ttl", "60"), ("auth-calls", "true"),
    ("auth-subscriptions", "true"), ("inbound-reg-force-matching-username", "true"), ("auth-all-packets", "false"),
    ("ext-rtp-ip", "$${external_rtp_ip}"), ("ext-sip-ip", "$${external_sip_ip}"), ("rtp-timeout-sec", "300"),
    ("rtp-hold-timeout-sec", "1800"), ("force-register-domain", "$${domain}"),
    ("force-subscription-domain", "$${domain}"), ("force-register-db-domain", "$${domain}"),
    ("ws-binding", "{ws}"), ("wss-binding", "{wss}"), ("challenge-realm", "auto_from"),
]


@dataclass
class Ports:
    esl: int = 8021
    sip: int = 5060
    ws: int = 5066
    wss: int = 7443
    nginx: int = 8082
    edge: int = 8443

    @classmethod
    def offset(cls, n: int) -> "Ports":
        base = cls()
        return cls(**{k: v + n for k, v in vars(base).items()})


def vars_xml(ports: Ports, default_password: str) -> str:
    sets = [
        ("local_ip_v4", "127.0.0.1"), ("local_ip_v6", "::1"), ("domain", "$${local_ip_v4}"),
        ("default_password", default_password), ("internal_sip_port", str(ports.sip)),
        ("internal_tls_port", "5061"), ("internal_ssl_enable", "false"), ("external_rtp_ip", "$${local_ip_v4}"),
        ("external_sip_ip", "$${local_ip_v4}"), ("hold_music", "local_stream://moh"),
        ("global_codec_prefs", "OPUS,G722,PCMU,PCMA,H264,VP8"), ("presence_privacy", "false"),
        ("sip_tls_version", "tlsv1,tlsv1.1,tlsv1.2"), ("sip_tls_ciphers", "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH"),
    ]
    body = "\n".join(f'  <X-PRE-PROCESS cmd="set" data="{k}={v}"/>' for k, v in sets)
    return f"<include>\n{body}\n</include>\n"


BARE_AMP_PARAM = '<param name="user-agent-string" value="AIDevelo & Co"/>'   # not well-formed; FreeSWITCH reads it


def internal_xml(ws: str, wss: str, wss_mode: WssBinding = WssBinding.ON, ws_on: bool = True,
                 bare_ampersand: bool = False) -> str:
    lines = [f"    {BARE_AMP_PARAM}"] if bare_ampersand else []
    for key, value in INTERNAL_PARAMS:
        if key == "ws-binding" and not ws_on:
            continue
        value = value.replace("{ws}", ws).replace("{wss}", wss)
        line = f'    <param name="{key}" value="{value}"/>'
        if key == "wss-binding":
            lines.append("    <!-- for sip over secure websocket support -->")
            lines.append("    <!-- You need wss.pem in $${certs_dir} for wss or one will be created for you -->")
            if WssBinding(wss_mode) is WssBinding.COMMENTED:
                line = f"    <!-- {line.strip()} -->"
        lines.append(line)
    settings = "\n".join(lines)
    return (f'<profile name="internal">\n  <aliases>\n  </aliases>\n  <gateways>\n  </gateways>\n'
            f'  <domains>\n    <domain name="all" alias="true" parse="false"/>\n  </domains>\n'
            f'  <settings>\n{settings}\n  </settings>\n</profile>\n')


def xml_attr(value: str) -> str:
    """A value for a double-quoted XML attribute (FreeSWITCH's parser decodes these entities)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def event_socket_xml(listen_ip: str, port: int, password: str, acl: str | None) -> str:
    acl_line = f'\n    <param name="apply-inbound-acl" value="{acl}"/>' if acl else \
        '\n    <!--<param name="apply-inbound-acl" value="loopback.auto"/>-->'
    return (f'<configuration name="event_socket.conf" description="Socket Client">\n  <settings>\n'
            f'    <param name="nat-map" value="false"/>\n    <param name="listen-ip" value="{listen_ip}"/>\n'
            f'    <param name="listen-port" value="{port}"/>\n    <param name="password" value="{xml_attr(password)}"/>'
            f'{acl_line}\n  </settings>\n</configuration>\n')


ACL_XML = """<configuration name="acl.conf" description="Network Lists">
  <network-lists>
    <list name="lan" default="allow">
      <node type="deny" cidr="192.168.42.0/24"/>
    </list>
    <list name="domains" default="deny">
      <node type="allow" domain="$${domain}"/>
    </list>
    <list name="fsnb_deny_all" default="deny">
      <node type="deny" cidr="127.0.0.0/8"/>
    </list>
  </network-lists>
</configuration>
"""


def validity(fs: FsSettings | dict | None) -> dict:
    """pki.CA.issue() arguments for the wss certificate a scenario wants (fs.wss_cert)."""
    return {WssCert.EXPIRED: {"days": -2},                             # ended two days ago
            WssCert.NOT_YET_VALID: {"not_before_days": -2, "days": 30},   # starts in two days
            WssCert.VALID: {}}[FsSettings.of(fs).wss_cert]


def write_old_crt_key(certs: Path, ca: pki.CA, fs: FsSettings | dict | None) -> None:
    """Scenario wss-crt-shadows-pem: an earlier wss.crt + wss.key pair (expired a month ago) beside wss.pem."""
    if FsSettings.of(fs).wss_crt_key is not CrtKey.OLD_EXPIRED:
        return
    old = ca.issue(["localhost", "127.0.0.1", "127.0.0.2", "freeswitch.aidevelo.ai"], days=-30)
    (certs / "wss.crt").write_bytes(old.cert_pem + ca.cert_pem)
    (certs / "wss.key").write_bytes(old.key_pem)
    os.chmod(certs / "wss.key", 0o600)


def bindings(fs: FsSettings, ports: Ports) -> tuple[str, str]:
    """The ws-binding and wss-binding values the scenario wants."""
    wss = f"{fs.wss_ip}:{ports.ws if fs.wss_port is WssPort.WS else ports.wss}"
    if fs.wss_binding_port_only:    # an operator's `value="7443"`: sofia-sip wants `[ip]:port`
        wss = wss.rpartition(":")[2]
    return (f"{fs.ws_ip}:{ports.ws}", wss)


def write_conf(prefix: Path, *, ports: Ports, esl_password: str, sip_password: str, fs: FsSettings | dict | None,
               ca: pki.CA, leaf: pki.Issued) -> dict[str, Path]:
    """Lay out prefix/etc/freeswitch (conf, tls) and prefix/var/log/freeswitch; return the paths. `fs`: the
    scenario's FsSettings (a dict of them is checked the same way)."""
    fs = FsSettings.of(fs)
    if fs.wss_pem is WssPem.MISSING:
        raise ValueError("the simulator lab always writes wss.pem (wss_pem=missing: real lab only)")
    conf = prefix / "etc/freeswitch"
    for sub in ("sip_profiles", "autoload_configs", "tls"):
        (conf / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "var/log/freeswitch").mkdir(parents=True, exist_ok=True)
    (prefix / "var/run/freeswitch").mkdir(parents=True, exist_ok=True)
    (conf / "vars.xml").write_text(vars_xml(ports, sip_password))
    ws, wss = bindings(fs, ports)
    (conf / "sip_profiles/internal.xml").write_text(internal_xml(ws, wss, fs.wss_binding, fs.ws_binding, fs.bare_ampersand))
    (conf / "autoload_configs/event_socket.conf.xml").write_text(
        event_socket_xml(fs.esl_listen_ip, ports.esl, esl_password, fs.esl_acl or None))
    (conf / "autoload_configs/acl.conf.xml").write_text(ACL_XML)
    pem = conf / "tls/wss.pem"
    pem.write_bytes(pki.wss_pem(leaf, ca, fs.wss_pem))
    write_old_crt_key(conf / "tls", ca, fs)
    os.chmod(pem, 0o600)
    for p in (conf / "vars.xml", conf / "autoload_configs/event_socket.conf.xml"):
        os.chmod(p, 0o600)  # they hold the lab's passwords
    return {"conf_dir": conf, "certs_dir": conf / "tls", "log_file": prefix / "var/log/freeswitch/freeswitch.log"}


def break_xml(path: Path) -> None:
    """The operator saves internal.xml with a wrong closing tag (scenario profile-xml-broken)."""
    text = path.read_text()
    if "</settings>" not in text:
        raise ValueError(f"{path}: no </settings> to break")
    path.write_text(text.replace("</settings>", "</settingz>", 1))


def uncomment_wss(prefix: Path) -> None:
    path = prefix / "etc/freeswitch/sip_profiles/internal.xml"
    text = path.read_text()
    start = text.index('<!-- <param name="wss-binding"')
    end = text.index("-->", start) + 3
    inner = text[start + 5:end - 4].strip()
    path.write_text(text[:start] + inner + text[end:])
